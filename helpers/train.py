"""The book's one training loop (``train``, recording a ``History``), its learning-rate
schedules (pure functions of the step), progress bars and timing."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, TypeVar

import torch
import torch.nn as nn

T = TypeVar("T")


def progress_disabled() -> bool:
    """Bars are off under CI, under ``TQDM_DISABLE=1`` and when the book is being
    built."""
    return any(
        os.environ.get(k, "").lower() not in ("", "0", "false")
        for k in ("CI", "TQDM_DISABLE", "NLPBOOK_NO_PROGRESS")
    )


def progress(
    iterable: Iterable[T], total: int | None = None, desc: str = "", **kwargs
) -> Iterable[T]:
    """A tqdm bar (notebook widget or text) that switches itself off cleanly under
    CI."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=progress_disabled(), **kwargs)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``: wall-clock time of the block."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        self.seconds = float("nan")
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start


# Learning-rate schedules: pure functions of the step (0 for the first update).
Schedule = Callable[[int], float]


def constant(lr: float) -> Schedule:
    """``lr`` at every step."""
    return lambda step: lr


def linear_warmup(lr: float, warmup: int) -> Schedule:
    """Climbs linearly to ``lr`` over the first ``warmup`` steps (lr / warmup at the
    first), then stays there; ``warmup=0`` is ``constant(lr)``."""
    if warmup <= 0:
        return constant(lr)
    return lambda step: lr * min(1.0, (step + 1) / warmup)


def cosine(lr: float, total: int, warmup: int = 0, floor: float = 0.1) -> Schedule:
    """A cosine from ``lr`` down to ``floor * lr`` over ``total`` steps (after a linear
    warm-up over ``warmup`` steps, nanoGPT's, if any); ``floor * lr`` after them."""

    def schedule(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / (warmup + 1)
        done = min(1.0, max(0.0, (step - warmup) / max(1, total - warmup)))
        return lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * done)))

    return schedule


def inverse_sqrt(lr: float, warmup: int) -> Schedule:
    """The 2017 Transformer's schedule: a linear warm-up to ``lr`` at step ``warmup``,
    then a decay as 1 / sqrt(step)."""
    if warmup < 1:
        raise ValueError(f"warmup must be >= 1, got {warmup}")
    return lambda step: lr * min((step + 1) / warmup, math.sqrt(warmup / (step + 1)))


def linear_decay(lr: float, total: float, floor: float = 1e-4) -> Schedule:
    """word2vec's: from ``lr`` linearly down to ``floor * lr`` at ``total``; here the
    argument may count examples rather than steps."""
    return lambda done: lr * max(floor, 1.0 - done / total)


@dataclass
class History:
    """What ``train`` records: at each record, the steps taken, the training seconds so
    far (evaluation excluded), the mean training loss since the previous record, and
    the evaluation hook's metrics (``hist.val_bits``: ``hist.metrics["val_bits"]``)."""

    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> list[float]:
        metrics = self.__dict__.get("metrics", {})
        if name in metrics:
            return metrics[name]
        raise AttributeError(
            f"History has no {name!r}: steps, seconds, loss, or a metric of "
            f"{sorted(metrics)}"
        )


def train(
    step: Callable[..., torch.Tensor | float],
    data: Iterable,
    *,
    steps: int | None = None,
    seconds: float | None = None,
    schedule: Schedule,
    optimizer: torch.optim.Optimizer | None = None,
    model: nn.Module | None = None,
    clip: float | None = None,
    evaluate: Callable[[], dict[str, float]] | None = None,
    every: int | None = None,
    evals: int | None = None,
    desc: str = "training",
    show_progress: bool = True,
) -> History:
    """The book's one training loop: one step a batch of ``data``, for ``steps`` steps,
    ``seconds`` of training or until ``data`` ends, whichever comes first.

    With an ``optimizer``, ``step(batch)`` returns the loss tensor and the loop does the
    rest: gradients, clipping at norm ``clip``, the learning rate ``schedule(i)`` at
    step ``i`` (0, 1, ...), the update. Without one, ``step(batch, lr)`` updates the
    weights itself (a hand-written gradient) and returns the loss. A record
    (``History``) is taken every ``every`` steps, or ``evals`` times over the budget
    (each ``seconds / evals`` of training, or ``steps // evals`` steps), and at the end;
    ``evaluate()`` adds its metrics there. Only the steps count as training time (not
    fetching a batch, not evaluating). ``model`` (whose parameters are clipped) trains
    in train mode and is left in the mode it came in.
    """
    if steps is not None and steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if seconds is not None and not seconds > 0:
        raise ValueError(f"seconds must be > 0, got {seconds}")
    was_training = model.training if model is not None else None
    if model is not None:
        model.train()
    if every is None and evals and steps is not None:
        every = max(1, steps // evals)
    record_s = seconds / evals if evals and seconds is not None else None
    next_record = record_s
    params = list(model.parameters()) if model is not None and clip else []
    bar = _bar(steps, seconds, desc, show_progress)
    hist, run, trained, i = History(), [], 0.0, 0

    def record() -> None:
        nonlocal run, next_record
        hist.steps.append(i)
        hist.seconds.append(trained)
        hist.loss.append(sum(run) / len(run))
        run = []
        if next_record is not None:
            next_record += record_s
        for name, value in (evaluate() if evaluate else {}).items():
            hist.metrics.setdefault(name, []).append(value)
        if model is not None:
            model.train()
        shown = {k: f"{v[-1]:.3f}" for k, v in hist.metrics.items()}
        bar.set_postfix(step=i, loss=f"{hist.loss[-1]:.3f}", **shown)

    batches = iter(data)
    while (steps is None or i < steps) and (seconds is None or trained < seconds):
        batch = next(batches, None)
        if batch is None:
            break
        t0 = time.perf_counter()
        lr = schedule(i)
        if optimizer is None:
            loss = float(step(batch, lr))
        else:
            out = step(batch)
            optimizer.zero_grad()
            out.backward()
            if clip:
                nn.utils.clip_grad_norm_(params, clip)
            for group in optimizer.param_groups:
                group["lr"] = lr
            optimizer.step()
            loss = out.item()
        dt = time.perf_counter() - t0
        trained += dt
        i += 1
        run.append(loss)
        bar.update(dt if seconds is not None else 1)
        due = (every is not None and i % every == 0) or (
            next_record is not None and trained >= next_record
        )
        out_of_budget = (steps is not None and i >= steps) or (
            seconds is not None and trained >= seconds
        )
        if due or out_of_budget:
            record()
    if run:  # the data ended between two records
        record()
    bar.close()
    if model is not None:
        model.train(was_training)
    return hist


def _bar(steps: int | None, seconds: float | None, desc: str, show: bool):
    """A bar over the seconds of a time budget, else over the steps."""
    from tqdm.auto import tqdm

    off = not show or progress_disabled()
    if seconds is not None:
        fmt = "{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s{postfix}"
        return tqdm(total=seconds, desc=desc, bar_format=fmt, disable=off)
    return tqdm(total=steps, desc=desc, disable=off)
