"""Train a character language model on any plain-text file of the reader's, from Python
or a shell: ``train_on_text_file`` with lecture 03's LSTM or lecture 05's Transformer;
``python -m helpers.charlm FILE --model {lstm,gpt} --seconds N``.

The models are in ``helpers.lm`` and ``helpers.transformer``, the training loop in
``helpers.lm`` (``fit_lm``), sampling in ``helpers.decoding``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

from .decoding import sample
from .evaluate import evaluate_bits
from .lm import RecurrentLM, fit_lm
from .text import CharVocab, read_text_file

# The Transformer of lecture 05 for ``train_on_text_file(model="gpt")``: the ladder's
# rung, 3 pre-norm blocks of 64 dimensions, 4 heads, a context of 64 characters; Adam
# at 3e-3, decayed along a cosine over the steps estimated to fit in the budget (then
# at 3e-4 to its end); evaluated 4 times on 20,000 held-out characters along the way
# (its windowed evaluation is slow on a CPU). At a budget of minutes on a CPU this
# small model beats a larger one (4 x 128, nanoGPT's CPU recipe): it takes more steps
# in the same time (benchmarks/lecture05.py nanogpt).
GPT_TEXT_CONFIG = {"block_size": 64, "n_layer": 3, "n_head": 4, "d_model": 64}
GPT_TEXT_TRAINING = {
    "batch": 32,
    "seq_len": 64,
    "lr": 3e-3,
    "decay": True,
    "evals": 4,
    "val_chars": 20_000,
}


def train_on_text_file(
    path: str | Path,
    seconds: float = 60.0,
    hidden: int = 256,
    seed: int = 0,
    device: str | torch.device | None = None,
    model: str = "lstm",
    **train_kwargs,
):
    """Train a character language model on any plain-text file: the last 5% is held out
    for validation. ``model``: ``"lstm"`` (lecture 03, ``hidden`` units) or ``"gpt"``
    (lecture 05's decoder-only Transformer, ``GPT_TEXT_CONFIG`` trained as
    ``GPT_TEXT_TRAINING`` says unless ``train_kwargs`` override it). ``device`` (e.g.
    the one ``helpers.setup()`` returns): where to train; the CPU by default.

    Returns ``(model, vocab, history)``; ``sample(model, vocab, "The ")`` then writes in
    its style.
    """
    if model not in ("lstm", "gpt"):
        raise ValueError(f"model must be 'lstm' or 'gpt', got {model!r}")
    text = read_text_file(path)
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    cut = int(0.95 * len(ids))
    torch.manual_seed(seed)
    if model == "gpt":
        from .transformer import GPT  # lecture 05

        net = GPT(len(vocab), **GPT_TEXT_CONFIG).to(device or "cpu")
        train_kwargs = {**GPT_TEXT_TRAINING, **train_kwargs}
    else:
        net = RecurrentLM(len(vocab), "lstm", hidden=hidden).to(device or "cpu")
    name = "Transformer" if model == "gpt" else "LSTM"
    hist = fit_lm(
        net,
        ids[:cut],
        ids[cut:],
        seconds=seconds,
        seed=seed,
        desc=f"{name} on {Path(path).name}",
        **train_kwargs,
    )
    return net, vocab, hist


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.charlm FILE --model {lstm,gpt} --seconds N``: train on FILE,
    print the validation bits per character on its last 5% and a sample."""
    ap = argparse.ArgumentParser(
        prog="python -m helpers.charlm",
        description=(
            "Train a character language model on a plain-text (UTF-8) file for a time "
            "budget; its last 5%% "
            "is held out. Prints the validation bits per character there, and a sample."
        ),
    )
    ap.add_argument(
        "file", help="a plain-text UTF-8 file of at least 10,000 characters"
    )
    ap.add_argument(
        "--model",
        choices=["lstm", "gpt"],
        default="lstm",
        help="lecture 03's LSTM or lecture 05's Transformer",
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="training time budget in seconds (default 60)",
    )
    ap.add_argument(
        "--prompt",
        default=None,
        help="start of the sample (default: the held-out text's first characters)",
    )
    ap.add_argument(
        "--length", type=int, default=300, help="characters to sample (default 300)"
    )
    ap.add_argument("--temperature", type=float, default=0.8)
    args = ap.parse_args(argv)
    if args.seconds <= 0:
        ap.error(f"--seconds must be positive, got {args.seconds}")
    try:
        text = read_text_file(args.file)
        model, vocab, hist = train_on_text_file(
            args.file, seconds=args.seconds, model=args.model
        )
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    held_out = vocab.encode(text[int(0.95 * len(text)) :])
    bits = evaluate_bits(model, held_out)
    print(
        f"{args.model}: {hist.steps[-1]:,} steps in {hist.seconds[-1]:.0f} s; "
        f"validation on the last 5% ({len(held_out):,} characters): {bits:.3f} bits "
        f"per character ({bits * math.log(2):.3f} nats)"
    )
    prompt = (
        args.prompt if args.prompt is not None else text[int(0.95 * len(text)) :][:20]
    )
    prompt = "".join(c for c in prompt if c in vocab.stoi) or vocab.itos[0]
    print(
        sample(model, vocab, prompt, length=args.length, temperature=args.temperature)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
