"""Lecture 03 benchmark: the character-level perplexity ladder, trained long enough to
see where the neural rungs overtake the n-gram.

    # --seconds: training time per neural rung
    python benchmarks/lecture03_ladder.py [--seconds 600] [--decay]

Same split, same models and same loop as the notebook (helpers.charlm, helpers.ngram);
the notebook gives each rung about 30 s, this gives it ``--seconds`` (at most 20
minutes). The notebook's learning rate is constant; ``--decay`` lowers it along a cosine
to a tenth over the budget, which long runs need (at a constant rate the RNN's training
loss climbs after a couple of minutes). Prints one JSON line a rung, with its validation
curve (and training curve, to tell overfitting from instability), its best validation
bpc and when, the first time its validation bpc beat the n-gram's, and the machine it
ran on.
"""

from __future__ import annotations

import argparse
import json
import math

import torch

from helpers import ladder, lm
from helpers.data import lm_splits
from helpers.device import describe, pick_device
from helpers.ngram import CharNGram
from helpers.train import Timer


def machine(device: torch.device | str) -> str:
    """Where a row's model ran, in words."""
    return f"{describe(device)}, torch {torch.__version__}"


def run(seconds: float = 600.0, decay: bool = False) -> list[dict]:
    if not 0 < seconds <= 1200:
        raise ValueError(f"seconds must be in (0, 1200], got {seconds}")
    s = lm_splits()
    vocab, (tr, va, te) = s.char_ids()
    device = pick_device()
    rows = []
    with Timer() as t:
        ngram_val = {
            n: CharNGram(n, len(vocab)).fit(tr).bits_per_symbol(va) for n in range(3, 9)
        }
    best = min(ngram_val, key=ngram_val.get)
    ngram = CharNGram(best, len(vocab)).fit(tr)
    rows.append(
        dict(
            lecture="03",
            rung=f"{best}-gram",
            val_bpc=round(ngram_val[best], 4),
            test_bpc=round(ngram.bits_per_symbol(te), 4),
            train_s=round(t.seconds, 1),
            machine=machine("cpu"),  # counted on the CPU
        )
    )
    models = {
        "fixed window": lambda: lm.WindowLM(len(vocab), 8, 32, 256),
        "RNN 256": lambda: lm.RecurrentLM(len(vocab), "rnn", 32, 256),
        "LSTM 256": lambda: lm.RecurrentLM(len(vocab), "lstm", 32, 256),
    }
    for name, make in models.items():
        torch.manual_seed(0)
        model = make()
        rung, hist = ladder.climb(
            name,
            model,
            (tr, va, te),
            device=device,
            seconds=seconds,
            evals=20,
            decay=decay,
            verbose=False,
        )
        overtakes = next(
            (
                round(sec, 1)
                for sec, b in zip(hist.seconds, hist.val_bits)
                if b < ngram_val[best]
            ),
            None,
        )
        i_best = min(range(len(hist.val_bits)), key=hist.val_bits.__getitem__)
        rows.append(
            dict(
                lecture="03",
                rung=name,
                val_bpc=round(rung.val_bits, 4),
                best_val_bpc=round(hist.val_bits[i_best], 4),
                best_at_s=round(hist.seconds[i_best], 1),
                test_bpc=round(rung.test_bits, 4),
                train_s=round(rung.train_s, 1),
                steps=hist.steps[-1],
                lr_schedule=(
                    "cosine to a tenth over the estimated steps"
                    if decay
                    else "constant"
                ),
                overtakes_ngram_at_s=overtakes,
                curve=[
                    [round(a, 1), round(b, 4)]
                    for a, b in zip(hist.seconds, hist.val_bits)
                ],
                # training bpc between evaluations
                train_curve=[round(b / math.log(2), 4) for b in hist.loss],
                machine=machine(device),
            )
        )
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=600.0,
        help="training seconds per neural rung (<= 1200)",
    )
    ap.add_argument(
        "--decay",
        action="store_true",
        help="cosine learning-rate decay to a tenth over the budget",
    )
    args = ap.parse_args()
    for row in run(args.seconds, args.decay):
        print(json.dumps(row), flush=True)
