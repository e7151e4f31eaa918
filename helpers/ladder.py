"""The perplexity ladder: every language model of the book on one held-out text
(lectures 03, 05).

A ``Rung`` records a model's name, size, budget and its validation curve against
wall-clock training time; ``climb`` trains a neural model and returns its rung;
``table`` prints the rungs side by side and ``plot`` draws every curve on one axis.
Scores are bits per character (bpc); perplexity per character is 2 ** bpc.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from tabulate import tabulate

from .evaluate import evaluate_bits
from .lm import fit_lm
from .train import History


@dataclass
class Rung:
    name: str
    params: int  # number of parameters (for an n-gram: stored n-grams)
    train_s: float  # wall-clock seconds of training (or counting)
    budget: str  # what it was allowed, in words
    val_bits: float
    test_bits: float
    # validation curve: seconds ...
    curve_s: list[float] = field(default_factory=list)
    curve_bits: list[float] = field(default_factory=list)  # ... and bits per character

    @property
    def test_ppl(self) -> float:
        return 2**self.test_bits


def climb(
    name: str,
    model: nn.Module,
    ids: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    device: torch.device | str,
    steps: int | None = None,
    seconds: float | None = None,
    evals: int = 8,
    verbose: bool = True,
    **fit_kwargs,
) -> tuple[Rung, History]:
    """Put a neural model on the ladder: move it to ``device``, train it on the train
    ids of ``ids`` = (train, validation, test) with ``helpers.lm.fit_lm`` for ``steps``
    steps or ``seconds`` (``fit_kwargs`` passed on), score it on the test ids; return
    its ``Rung`` and the training ``History``, and say so in one line (``verbose``)."""
    train_ids, val_ids, test_ids = ids
    model = model.to(device)
    hist = fit_lm(
        model,
        train_ids,
        val_ids,
        steps=steps,
        seconds=seconds,
        evals=evals,
        desc=name,
        **fit_kwargs,
    )
    test_bits = evaluate_bits(model, test_ids)
    n_params = sum(p.numel() for p in model.parameters())
    shape = f"{fit_kwargs.get('batch', 32)} x {fit_kwargs.get('seq_len', 64)} chars"
    budget = f"{steps:,} steps of {shape}" if steps else f"{seconds:.0f} s of {shape}"
    rung = Rung(
        name,
        n_params,
        hist.seconds[-1],
        budget,
        hist.val_bits[-1],
        test_bits,
        hist.seconds,
        hist.val_bits,
    )
    if verbose:
        print(
            f"{name}: {n_params:,} parameters, {hist.steps[-1]:,} steps in "
            f"{hist.seconds[-1]:.0f} s; "
            f"validation {hist.val_bits[-1]:.3f} bpc, test {test_bits:.3f} bpc"
        )
    return rung, hist


def table(rungs: list[Rung], markdown: bool = False) -> str:
    """The rungs side by side, best test score first (through ``tabulate``): aligned
    text, or a Markdown table to ``display(Markdown(...))`` in a notebook (it then
    renders as a table in the book)."""
    cols = [
        "model",
        "params",
        "train s",
        "val bpc",
        "test bpc",
        "test ppl/char",
        "budget",
    ]
    cells = [
        [
            r.name,
            f"{r.params:,}",
            f"{r.train_s:.1f}",
            f"{r.val_bits:.3f}",
            f"{r.test_bits:.3f}",
            f"{r.test_ppl:.2f}",
            r.budget,
        ]
        for r in sorted(rungs, key=lambda r: r.test_bits)
    ]
    return tabulate(
        cells,
        headers=cols,
        tablefmt="pipe" if markdown else "simple",
        disable_numparse=True,
        colalign=("left",) + ("right",) * 5 + ("left",),
    )


def plot(
    rungs: list[Rung],
    ax,
    title: str = "validation bits per character against training time",
) -> None:
    """Every rung's validation curve on one axis; a rung without a curve is a single
    point."""
    for r in rungs:
        if r.curve_s:
            ax.plot(r.curve_s, r.curve_bits, marker=".", label=r.name)
        else:
            ax.scatter(
                [r.train_s], [r.val_bits], marker="*", s=120, zorder=3, label=r.name
            )
    ax.set_xlabel("training time (s)")
    ax.set_ylabel("validation bits per character")
    ax.set_title(title)
    ax.legend(fontsize=8)
