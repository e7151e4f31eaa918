"""Run the benchmarks of every lecture (or those named) and print JSON lines.

Usage:

    python benchmarks/run.py                      # all
    python benchmarks/run.py 01                   # lecture 01 only
    python benchmarks/run.py --out results.jsonl  # also append the lines to a file
    python benchmarks/run.py 03 --seconds 1200    # training seconds per ladder rung
    python benchmarks/run.py 03 --decay           # ... the learning rate decayed
    python benchmarks/run.py 04 --pairs fra.txt   # lecture 04 on a real pairs file
                                                  # (--seconds per model)
    python benchmarks/run.py 05                   # attention speed, KV cache,
                                                  # nanoGPT's recipe (lecture05.py)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lecture01_word_vectors  # noqa: E402
import lecture02_neural_networks  # noqa: E402
import lecture03_ladder  # noqa: E402
import lecture04_translation  # noqa: E402
import lecture05  # noqa: E402
from record import emit  # noqa: E402

LECTURES = ["01", "02", "03", "04", "05"]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "lectures",
        nargs="*",
        help=f"which lectures (default all: {', '.join(LECTURES)})",
    )
    ap.add_argument("--out", type=Path, help="append the JSON lines to this file too")
    ap.add_argument(
        "--seconds",
        type=float,
        default=600.0,
        help="lecture 03: training seconds per neural rung (<= 1200)",
    )
    ap.add_argument(
        "--decay",
        action="store_true",
        help="lecture 03: cosine learning-rate decay over the budget",
    )
    ap.add_argument(
        "--pairs",
        help="lecture 04: a tab-separated pairs file instead of the number task",
    )
    ap.add_argument(
        "--steps", type=int, default=2000, help="lecture 04: training steps per model"
    )
    args = ap.parse_args()
    runs = {
        "01": lecture01_word_vectors.run,
        "02": lecture02_neural_networks.run,
        "03": lambda: lecture03_ladder.run(args.seconds, args.decay),
        "04": lambda: lecture04_translation.run(
            args.steps, args.pairs, args.seconds if args.pairs else None
        ),
        "05": lambda: (
            lecture05.mha_speed()
            + lecture05.cache_speed()
            + lecture05.nanogpt_comparison()
        ),
    }
    unknown = [k for k in args.lectures if k not in LECTURES]
    if unknown:
        ap.error(f"unknown lecture(s) {unknown}; expected some of {list(LECTURES)}")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    for name in args.lectures or LECTURES:
        emit(runs[name](), args.out, stamp)


if __name__ == "__main__":
    main()
