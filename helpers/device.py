"""Where and how big: pick the device and the size of the experiments (small on a CPU,
bigger on a GPU), find a model's device, seed every generator."""

from __future__ import annotations

import os
import platform
import random
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) so a re-run gives the same
    numbers."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def pick_device() -> torch.device:
    """CUDA when present, else CPU. ``NLPBOOK_DEVICE=cpu`` forces the CPU."""
    forced = os.environ.get("NLPBOOK_DEVICE")
    if forced:
        return torch.device(forced)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def describe(device: torch.device | str) -> str:
    """What ``device`` is, in words, for a benchmark's rows: the GPU's name, the CPU and
    its threads, or the device itself (any other kind)."""
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "cpu":
        return f"{platform.machine()} CPU, {torch.get_num_threads()} threads"
    return str(device)


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's parameters: batches are moved there (CPU when it has
    none)."""
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


@dataclass(frozen=True)
class Scale:
    """How big the experiments are. ``small`` is what CI runs on 2 CPU cores in
    minutes."""

    name: str  # "small" or "large"

    @property
    def large(self) -> bool:
        return self.name == "large"

    def pick(self, small, large):
        """``scale.pick(20, 50)``: the value for this scale."""
        return large if self.large else small


def setup(seed: int = 0, verbose: bool = True) -> tuple[torch.device, Scale]:
    """Seed everything, pick the device and the scale, and say what was picked.

    The scale is ``large`` on a GPU and ``small`` otherwise; ``NLPBOOK_SCALE`` overrides
    it.
    """
    seed_everything(seed)
    device = pick_device()
    name = os.environ.get("NLPBOOK_SCALE") or (
        "large" if device.type == "cuda" else "small"
    )
    if name not in ("small", "large"):
        raise ValueError(f"NLPBOOK_SCALE must be 'small' or 'large', got {name!r}")
    scale = Scale(name)
    if verbose:
        what = (
            torch.cuda.get_device_name(device)
            if device.type == "cuda"
            else platform.processor() or "cpu"
        )
        print(
            f"device: {device} ({what}), torch {torch.__version__}, "
            f"{torch.get_num_threads()} CPU threads, scale: {scale.name}, seed: {seed}"
        )
    return device, scale
