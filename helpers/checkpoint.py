"""Save and load one training checkpoint: the model's weights and configuration, its
vocabularies, the training history, the optimizer's state (to resume), the seeds.

A checkpoint is one ``torch.save`` file holding only tensors, numbers, strings, lists
and dicts, so ``load`` reads it with ``torch.load(..., weights_only=True)`` (no code
runs). It is written atomically: to a temporary file next to the target, then renamed,
so an interrupted save (Ctrl-C) never leaves a half-written file under the real name.

A missing, truncated, foreign or other-version file raises ``CheckpointError`` with a
one-line message saying which.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

__all__ = ["FORMAT", "VERSION", "Checkpoint", "CheckpointError", "save", "load"]

FORMAT = "nlpbook-checkpoint"  # the marker that says a file is one of ours
VERSION = 1  # bump when the layout below changes; load() refuses other versions


class CheckpointError(ValueError):
    """A checkpoint file is missing, truncated, foreign or of another format version."""


@dataclass
class Checkpoint:
    """What a checkpoint holds.

    ``tool``: who wrote it ("translate", "charlm"); ``config``: the keyword arguments
    that rebuild the model (with ``config["model"]`` naming its class); ``weights``:
    its ``state_dict``; ``vocabs``: name -> ``Vocab.to_dict()``; ``history``: lists of
    numbers (steps, seconds, losses ...); ``optimizer``: the optimizer's ``state_dict``
    (``None``: cannot resume the optimizer); ``seed``: the training seed;
    ``split_seed``: the seed of the train/held-out split; ``extra``: anything else
    plain (e.g. the data file's name and size).
    """

    tool: str
    config: dict[str, Any]
    weights: dict[str, torch.Tensor]
    vocabs: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: dict[str, list] = field(default_factory=dict)
    optimizer: dict[str, Any] | None = None
    seed: int = 0
    split_seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def save(ckpt: Checkpoint, path: str | Path) -> Path:
    """Write ``ckpt`` to ``path`` atomically (temporary file, then rename) and return
    the path. Weights are moved to the CPU so that any machine can load them."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory: give a file name, e.g. model.pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "version": VERSION,
        "tool": ckpt.tool,
        "config": ckpt.config,
        "weights": {k: v.detach().cpu() for k, v in ckpt.weights.items()},
        "vocabs": ckpt.vocabs,
        "history": ckpt.history,
        "optimizer": _to_cpu(ckpt.optimizer),
        "seed": ckpt.seed,
        "split_seed": ckpt.split_seed,
        "extra": ckpt.extra,
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:  # an exception or Ctrl-C mid-write leaves no temporary file behind
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _to_cpu(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


def load(path: str | Path, tool: str | None = None) -> Checkpoint:
    """Read a checkpoint written by ``save`` (``weights_only=True``: no code runs).
    ``tool``, if given, must match the tool that wrote it. Tensors stay on the CPU.

    Raises ``CheckpointError`` (one line) for a missing file, a directory, a truncated
    or corrupt file, a file that is not one of ours, another format version, or another
    tool's checkpoint."""
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path} is a directory, not a checkpoint file")
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {path} (no such file)")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":  # torch.save writes a zip archive
        raise CheckpointError(
            f"{path} is not a checkpoint of this book (not a torch.save file): "
            "expected a file written by --save"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise CheckpointError(
            f"{path} is truncated or corrupt ({e}); save it again"
        ) from None
    if bad is not None:
        raise CheckpointError(f"{path} is corrupt (member {bad} fails its CRC)")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 (torch raises several kinds here)
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(
            f"{path} is not a checkpoint of this book (torch.load with "
            f"weights_only=True refused it: {first[:120]})"
        ) from None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is a torch file but not a checkpoint of this book (no "
            f"'format': {FORMAT!r} marker)"
        )
    if obj.get("version") != VERSION:
        raise CheckpointError(
            f"{path} was written in checkpoint format version {obj.get('version')!r}; "
            f"this code reads version {VERSION}: train again, or use the version of "
            "the helpers that wrote it"
        )
    if tool is not None and obj.get("tool") != tool:
        raise CheckpointError(
            f"{path} is a checkpoint of helpers.{obj.get('tool')}, not of "
            f"helpers.{tool}"
        )
    return Checkpoint(
        tool=obj["tool"],
        config=obj["config"],
        weights=obj["weights"],
        vocabs=obj.get("vocabs", {}),
        history=obj.get("history", {}),
        optimizer=obj.get("optimizer"),
        seed=obj.get("seed", 0),
        split_seed=obj.get("split_seed", 0),
        extra=obj.get("extra", {}),
    )
