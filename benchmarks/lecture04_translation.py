"""Lecture 04 benchmark: the seq2seq models with and without attention on the
number-word task (or on a real pairs file), and lecture 05's encoder-decoder Transformer
on the same data, same steps: corpus BLEU (sacrebleu) for greedy and beam search, by
source-length bucket, with parameters, training time and translation speed at k = 1 and
k = 5.

    python benchmarks/lecture04_translation.py [--steps 2000]          # the number task
    python benchmarks/lecture04_translation.py --pairs fra.txt --seconds 600

One JSON line a model (and a bucket table inside it).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from helpers import translation_models as tm
from helpers.decoding import translate
from helpers.device import describe, pick_device
from helpers.evaluate import corpus_bleu
from helpers.pairs import batches, build_vocabs, number_task, read_pairs, split_pairs
from helpers.train import Timer

EDGES = [0, 8, 12, 15, 18, 30]


def machine(device: torch.device) -> str:
    return f"{describe(device)}, torch {torch.__version__}"


def run(
    steps: int = 2000,
    pairs: str | None = None,
    seconds: float | None = None,
    hidden: int = 256,
) -> list[dict]:
    device = pick_device()
    if pairs:
        train, test = split_pairs(read_pairs(pairs), 0.1, seed=0)
        task, min_count, edges = f"pairs file {pairs}", 2, [0, 4, 6, 8, 10, 12, 20]
    else:
        splits = number_task(20_000, 500, 1_000, seed=0)
        train, test = splits.train, splits.test
        task, min_count, edges = "number words en->fr (num2words)", 1, EDGES
    sv, tv = build_vocabs(train, min_count=min_count)
    sources, refs = [s for s, _ in test], [t for _, t in test]
    lens = np.array([len(s) for s in sources])
    rows = []
    makers = {
        "no attention": lambda: tm.Seq2Seq(
            len(sv), len(tv), emb=64, hidden=hidden, attention=None
        ),
        "LSTM + attention (dot)": lambda: tm.Seq2Seq(
            len(sv), len(tv), emb=64, hidden=hidden, attention="dot"
        ),
        "Transformer (2+2 layers, d=128)": lambda: tm.TransformerTranslator(
            len(sv), len(tv), 128, 4, 2
        ),
    }
    for name, make in makers.items():
        torch.manual_seed(0)
        model = make().to(device)
        lr = 1e-3 if "Transformer" in name else 3e-3
        hist = tm.fit_translator(
            model,
            batches(train, sv, tv, 64, seed=0),
            steps=steps if not seconds else 10**9,
            seconds=seconds,
            every=100,
            desc=name,
            lr=lr,
        )
        row = dict(
            lecture="04",
            task=task,
            model=name,
            lr=lr,
            params=sum(p.numel() for p in model.parameters()),
            steps=hist.steps[-1],
            train_s=round(hist.seconds[-1], 1),
            machine=machine(device),
        )
        for k in (1, 5):
            # warm up
            translate(model, sources[:64], sv, tv, k=k)
            with Timer() as t:
                hyps = translate(model, sources, sv, tv, k=k)
            row[f"bleu_k{k}"] = round(corpus_bleu(hyps, refs), 2)
            row[f"sent_per_s_k{k}"] = round(len(sources) / t.seconds, 1)
            row[f"bleu_by_length_k{k}"] = {
                f"{lo + 1}-{hi}": round(
                    corpus_bleu([hyps[i] for i in ix], [refs[i] for i in ix]), 2
                )
                for lo, hi in zip(edges, edges[1:])
                if len(ix := np.where((lens > lo) & (lens <= hi))[0])
            }
        row["beam_time_ratio_k5"] = round(
            row["sent_per_s_k1"] / row["sent_per_s_k5"], 2
        )
        rows.append(row)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--steps", type=int, default=2000, help="training steps per model (number task)"
    )
    ap.add_argument(
        "--pairs", help="a tab-separated pairs file instead of the number task"
    )
    ap.add_argument(
        "--seconds",
        type=float,
        help="train each model for this long instead of --steps",
    )
    args = ap.parse_args()
    for r in run(args.steps, args.pairs, args.seconds):
        print(json.dumps(r), flush=True)
