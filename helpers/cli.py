"""What the command-line tools (``python -m helpers.translate``, ``python -m
helpers.charlm``) share: argument checks that fail in one line before any work starts,
the device line, and a Ctrl-C that stops training cleanly between two steps.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import time
from typing import Callable, NoReturn

import torch
import torch.nn as nn

INTERRUPTED = 130  # the shell's status for a process stopped by Ctrl-C (128 + SIGINT)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line (``prog: error: ...``), without
    the usage block, and exit with status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_seconds(text: str) -> float:
    """A time budget: a finite number of seconds above zero."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds above 0, got {text!r}"
        ) from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(
            f"expected a finite number of seconds above 0, got {text}"
        )
    return x


def int_at_least(low: int) -> Callable[[str], int]:
    """An integer ``>= low`` (argparse type)."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {low}, got {text!r}"
            ) from None
        if n < low:
            raise argparse.ArgumentTypeError(
                f"expected a whole number >= {low}, got {n}"
            )
        return n

    parse.__name__ = f"integer >= {low}"
    return parse


def non_negative(text: str) -> float:
    """A finite number >= 0 (a temperature: 0 means greedy)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number >= 0, got {text!r}"
        ) from None
    if not (math.isfinite(x) and x >= 0):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return x


def device_line(device: torch.device) -> str:
    """``cuda:0 (NVIDIA H200)`` or ``cpu (2 threads)``: where a tool runs."""
    if device.type == "cuda":
        return f"{device} ({torch.cuda.get_device_name(device)})"
    return f"{device} ({torch.get_num_threads()} threads)"


class Interrupted(KeyboardInterrupt):
    """Raised at the start of a training step after Ctrl-C: the previous step is
    complete, so the weights are consistent."""


class StopOnCtrlC:
    """``with StopOnCtrlC(model) as stop: train(model, ...)``: the first Ctrl-C only
    asks to stop; the model's next training forward pass raises ``Interrupted`` (so
    the step in flight completes and no step is half-applied), which the caller catches
    to evaluate and save. A second Ctrl-C stops at once, as usual. ``stop.requested``
    says whether it happened; ``stop.steps`` counts the training forward passes."""

    def __init__(self, model: nn.Module, out=sys.stderr):
        self.model, self.out = model, out
        self.requested = False
        self.steps = 0
        self.started = time.perf_counter()

    def _handler(self, signum, frame) -> None:
        self.requested = True
        print(
            "\nCtrl-C: stopping after this step, then evaluating and saving "
            "(Ctrl-C again to quit at once)",
            file=self.out,
            flush=True,
        )
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __enter__(self) -> "StopOnCtrlC":
        self._old = signal.signal(signal.SIGINT, self._handler)

        def hook(module: nn.Module, args) -> None:
            # a function, not a method: a deepcopy of the model (a trainer timing a
            # twin) copies the hook as it is and does not try to copy this object
            if module is not self.model or not module.training:
                return  # a copy, or evaluation inside the loop
            if self.requested:
                raise Interrupted()
            self.steps += 1

        self._handle = self.model.register_forward_pre_hook(hook)
        return self

    def __exit__(self, *exc) -> bool:
        self._handle.remove()
        signal.signal(signal.SIGINT, self._old)
        return False


def add_budget(p: argparse.ArgumentParser, seconds: float) -> None:
    """``--seconds`` (default ``seconds``) and ``--steps``: the training budget of a
    ``train`` command, whichever runs out first."""
    p.add_argument(
        "--seconds",
        type=positive_seconds,
        default=seconds,
        help=f"training time in seconds (default {seconds:g})",
    )
    p.add_argument(
        "--steps",
        type=int_at_least(1),
        default=None,
        help="stop after this many steps if sooner",
    )
