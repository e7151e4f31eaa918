"""The perplexity ladder: every language model of the book on one held-out text (lectures 03, 05).

A ``Rung`` records a model's name, size, budget and its validation curve against wall-clock
training time; ``table`` prints the rungs side by side and ``plot`` draws every curve on one axis.
Scores are bits per character (bpc); perplexity per character is 2 ** bpc.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Rung:
    name: str
    params: int                 # number of parameters (for an n-gram: stored n-grams)
    train_s: float              # wall-clock seconds of training (or counting)
    budget: str                 # what it was allowed, in words
    val_bits: float
    test_bits: float
    curve_s: list[float] = field(default_factory=list)      # validation curve: seconds ...
    curve_bits: list[float] = field(default_factory=list)   # ... and bits per character

    @property
    def test_ppl(self) -> float:
        return 2 ** self.test_bits


def table(rungs: list[Rung]) -> str:
    """A text table of the rungs, best test score first."""
    head = f"{'model':<28} {'params':>10} {'train s':>8} {'val bpc':>8} {'test bpc':>9} {'test ppl/char':>13}  budget"
    rows = [head, "-" * len(head)]
    for r in sorted(rungs, key=lambda r: r.test_bits):
        rows.append(f"{r.name:<28} {r.params:>10,} {r.train_s:>8.1f} {r.val_bits:>8.3f} {r.test_bits:>9.3f} "
                    f"{r.test_ppl:>13.2f}  {r.budget}")
    return "\n".join(rows)


def plot(rungs: list[Rung], ax, title: str = "validation bits per character against training time") -> None:
    """Every rung's validation curve on one axis; a rung without a curve is a single point."""
    for r in rungs:
        if r.curve_s:
            ax.plot(r.curve_s, r.curve_bits, marker=".", label=r.name)
        else:
            ax.scatter([r.train_s], [r.val_bits], marker="*", s=120, zorder=3, label=r.name)
    ax.set_xlabel("training time (s)")
    ax.set_ylabel("validation bits per character")
    ax.set_title(title)
    ax.legend(fontsize=8)
