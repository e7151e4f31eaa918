"""Train the attention model on any tab-separated pairs file and report BLEU:

    python -m helpers.translate PAIRS_FILE --seconds 300

``PAIRS_FILE``: one ``source<TAB>target`` pair a line (extra columns, such as Tatoeba's
attribution, are ignored), e.g. the Anki/Tatoeba ``fra.txt``. A seeded 90/10 split;
prints corpus BLEU (sacrebleu) of greedy and beam search (k = 5) on the held-out 10 %
and a few translations.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from . import translation_models as tm
from .decoding import translate
from .device import pick_device
from .evaluate import corpus_bleu
from .pairs import batches, build_vocabs, detokenize, read_pairs, split_pairs


def run(
    path: str,
    seconds: float = 300.0,
    max_len: int = 20,
    min_count: int = 2,
    hidden: int = 256,
    batch_size: int = 64,
    seed: int = 0,
    show: int = 5,
    max_steps: int = 10**9,
) -> dict:
    """Train on ``path`` for ``seconds`` (or ``max_steps``) and return the held-out BLEU
    scores."""
    pairs = read_pairs(path, max_len=max_len)
    train, test = split_pairs(pairs, 0.1, seed)
    src_vocab, tgt_vocab = build_vocabs(train, min_count=min_count)
    unk = sum(w not in tgt_vocab for _, t in test for w in t) / max(
        1, sum(len(t) for _, t in test)
    )
    print(
        f"{len(pairs):,} pairs ({len(train):,} train, {len(test):,} held out); "
        f"vocabularies {len(src_vocab):,} / {len(tgt_vocab):,} words (count >= "
        f"{min_count}); {unk:.1%} of held-out target words are <unk>"
    )
    device = pick_device()
    torch.manual_seed(seed)
    model = tm.Seq2Seq(
        len(src_vocab), len(tgt_vocab), emb=128, hidden=hidden, attention="dot"
    ).to(device)
    hist = tm.fit_translator(
        model,
        batches(train, src_vocab, tgt_vocab, batch_size, seed=seed),
        steps=max_steps,
        seconds=seconds,
        every=100,
        seed=seed,
        desc=f"training on {len(train):,} pairs",
    )
    print(
        f"trained {hist.steps[-1]:,} steps in {hist.seconds[-1]:.0f} s on {device}; "
        f"loss per sentence {hist.loss[0]:.2f} -> {hist.loss[-1]:.2f}"
    )
    sources, refs = [s for s, _ in test], [t for _, t in test]
    result = {"pairs": len(pairs), "steps": hist.steps[-1], "train_s": hist.seconds[-1]}
    for k in (1, 5):
        t0 = time.perf_counter()
        hyps = translate(model, sources, src_vocab, tgt_vocab, k=k)
        secs = time.perf_counter() - t0
        result[f"bleu_k{k}"] = corpus_bleu(hyps, refs)
        result[f"sent_per_s_k{k}"] = len(sources) / secs
        print(
            f"{'greedy' if k == 1 else f'beam k={k}':>10}: BLEU "
            f"{result[f'bleu_k{k}']:.1f} ({len(sources) / secs:,.0f} sentences/s)"
        )
    for s, r, h in list(zip(sources, refs, hyps))[:show]:
        print(
            f"  {detokenize(s)}\n    reference: {detokenize(r)}\n    model:     "
            f"{detokenize(h)}"
        )
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("pairs", help="tab-separated file: source<TAB>target a line")
    ap.add_argument(
        "--seconds", type=float, default=300.0, help="training time (default 300)"
    )
    ap.add_argument(
        "--max-len",
        type=int,
        default=20,
        help="drop pairs with a side longer than this (tokens)",
    )
    ap.add_argument("--min-count", type=int, default=2, help="rarer words become <unk>")
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        run(
            args.pairs,
            args.seconds,
            args.max_len,
            args.min_count,
            args.hidden,
            seed=args.seed,
        )
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
