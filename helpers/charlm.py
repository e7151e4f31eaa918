"""Character language models on any plain-text file of the reader's, from a shell:

    python -m helpers.charlm train my_text.txt --model lstm --seconds 300 --save lm.pt
    python -m helpers.charlm sample lm.pt --prompt "The " --length 300 --temperature 0.8
    python -m helpers.charlm train my_text.txt --seconds 300 --resume lm.pt --save lm.pt

``train`` holds out the file's last 5 %, trains lecture 03's LSTM (``--model gpt``:
lecture 05's Transformer) for the time given, on the GPU when there is one, prints the
held-out bits per character and a sample, and saves a checkpoint. Ctrl-C stops after
the current step, evaluates, saves, and exits with status 130. ``python -m
helpers.charlm FILE ...`` (no command) means ``train FILE ...``. From Python:
``fit_text_file``; ``save_model`` / ``load_model`` write and read the checkpoint.

The models are in ``helpers.lm`` and ``helpers.transformer``, the training loop in
``helpers.lm`` (``fit_lm``), sampling in ``helpers.decoding``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from . import checkpoint as ck
from .cli import (
    INTERRUPTED,
    Interrupted,
    Parser,
    StopOnCtrlC,
    add_budget,
    device_line,
    int_at_least,
    non_negative,
)
from .decoding import sample
from .device import pick_device
from .evaluate import evaluate_bits
from .lm import RecurrentLM, fit_lm
from .text import Vocab, read_text_file

# The Transformer of lecture 05 for ``fit_text_file(model="gpt")``: the ladder's
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


def fit_text_file(
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
    vocab = Vocab.of_chars(text)
    ids = np.asarray(vocab.encode(text))  # (N,)
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


MODELS = ("lstm", "gpt")
TOO_FEW_STEPS = 100  # below this, a score says little about the model


def build_model(config: dict) -> nn.Module:
    """The (untrained) model a checkpoint's ``config`` describes."""
    kw = {k: v for k, v in config.items() if k != "model"}
    if config["model"] == "gpt":
        from .transformer import GPT  # lecture 05

        return GPT(**kw)
    if config["model"] == "lstm":
        return RecurrentLM(**kw)
    raise ck.CheckpointError(f"unknown model {config['model']!r} in the checkpoint")


def model_config(kind: str, vocab_size: int, hidden: int = 256) -> dict:
    """The configuration of a new model of ``kind`` ("lstm" or "gpt")."""
    if kind == "gpt":
        return {"model": "gpt", "vocab_size": vocab_size, **GPT_TEXT_CONFIG}
    return {"model": "lstm", "vocab_size": vocab_size, "cell": "lstm", "hidden": hidden}


def save_model(
    path: str | Path,
    model: nn.Module,
    config: dict,
    vocab: Vocab,
    history=None,
    seed: int = 0,
    **extra,
) -> Path:
    """Write a character language model to one checkpoint file
    (``helpers.checkpoint``): its weights, ``config`` (``model_config``'s keys:
    ``build_model(config)`` rebuilds it), its vocabulary, the training ``history`` (a
    ``History`` or a dict of lists), the seed and any plain ``extra``."""
    if history is not None and not isinstance(history, dict):
        history = {
            "steps": history.steps,
            "seconds": history.seconds,
            "loss": history.loss,
            **getattr(history, "metrics", {}),
        }
    return ck.save(
        ck.Checkpoint(
            tool="charlm",
            config=config,
            weights=model.state_dict(),
            vocabs={"chars": vocab.to_dict()},
            history={k: list(v) for k, v in (history or {}).items()},
            seed=seed,
            extra=extra,
        ),
        path,
    )


def load_model(path: str | Path, device: torch.device):
    """(model in eval mode on ``device``, its character vocabulary, the checkpoint)."""
    c = ck.load(path, tool="charlm")
    model = build_model(c.config)
    model.load_state_dict(c.weights)
    return model.to(device).eval(), char_vocab(c), c


def char_vocab(c: ck.Checkpoint) -> Vocab:
    """The checkpoint's character vocabulary (files written before ``Vocab`` recorded
    its tokenizer hold characters under "chars" all the same)."""
    return Vocab.from_dict({"chars": True, **c.vocabs["chars"]})


def _train(args) -> int:
    device = pick_device()
    resumed = ck.load(args.resume, tool="charlm") if args.resume else None
    text = read_text_file(args.file)
    if resumed:
        vocab = char_vocab(resumed)
        unseen = sorted(set(text) - set(vocab.stoi))
        if unseen:
            raise ValueError(
                f"{args.file} has {len(unseen)} character(s) that {args.resume} was "
                f"not trained on ({''.join(unseen[:10])!r}): resume on the same text"
            )
        config = resumed.config
        if args.model and args.model != config["model"]:
            raise ValueError(
                f"--model {args.model}, but {args.resume} holds a {config['model']} "
                "model: leave --model out to resume it"
            )
    else:
        vocab = Vocab.of_chars(text)
        config = model_config(args.model or "lstm", len(vocab), args.hidden)
    ids = np.asarray(vocab.encode(text))  # (N,)
    cut = int(0.95 * len(ids))
    torch.manual_seed(args.seed)
    model = build_model(config).to(device)
    history: dict = {}
    done_steps, done_s = 0, 0.0
    if resumed:
        model.load_state_dict(resumed.weights)
        history = {k: list(v) for k, v in resumed.history.items()}
        done_steps = history["steps"][-1] if history.get("steps") else 0
        done_s = history["seconds"][-1] if history.get("seconds") else 0.0
        print(f"resuming {args.resume}: {done_steps:,} steps done ({done_s:.0f} s)")
    gpt = config["model"] == "gpt"
    name = "Transformer" if gpt else "LSTM"
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"device: {device_line(device)}; {name}, {n_params:,} parameters, "
        f"{len(vocab)} characters; training for {args.seconds:g} s"
        + (f" or {args.steps:,} steps" if args.steps else ""),
        flush=True,
    )
    kwargs = dict(GPT_TEXT_TRAINING) if gpt else {}
    t0 = time.perf_counter()
    with StopOnCtrlC(model) as stop:
        try:
            hist = fit_lm(
                model,
                ids[:cut],
                ids[cut:],
                seconds=args.seconds,
                steps=args.steps,
                seed=args.seed,
                desc=f"{name} on {Path(args.file).name}",
                **kwargs,
            )
            new = {
                "steps": hist.steps,
                "seconds": hist.seconds,
                "val_bits": hist.val_bits,
                "loss": hist.loss,
            }
        except Interrupted:
            new = {"steps": [stop.steps], "seconds": [time.perf_counter() - t0]}
    model.eval()
    steps, secs = new["steps"][-1], new["seconds"][-1]
    offsets = {"steps": done_steps, "seconds": done_s}
    for key, values in new.items():
        history.setdefault(key, []).extend(v + offsets.get(key, 0) for v in values)
    total = done_steps + steps
    held_out = ids[cut:]
    bits = evaluate_bits(model, held_out)
    how = "stopped by Ctrl-C after" if stop.requested else "trained"
    short = (
        f", after only {total:,} training steps (too few to learn: read it as an "
        "untrained model's)"
        if total < TOO_FEW_STEPS
        else ""
    )
    print(
        f"{config['model']}: {how} {steps:,} steps in "
        f"{secs:.0f} s on {device}" + (f" ({total:,} in all)" if resumed else "")
    )
    print(
        f"validation on the last 5% ({len(held_out):,} characters){short}: "
        f"{bits:.3f} bits per character ({bits * math.log(2):.3f} nats)"
    )
    prompt = args.prompt if args.prompt is not None else text[cut:][:20]
    prompt = "".join(c for c in prompt if c in vocab.stoi) or vocab.itos[0]
    print(
        sample(model, vocab, prompt, length=args.length, temperature=args.temperature)
    )
    if args.save:
        save_model(
            args.save,
            model,
            config,
            vocab,
            history=history,
            seed=args.seed,
            file=Path(args.file).name,
            chars=len(text),
            held_out="last 5%",
            val_bits=round(bits, 4),
            device=str(device),
        )
        print(
            f"saved {args.save} (sample it: python -m helpers.charlm sample "
            f'{args.save} --prompt "...")'
        )
    else:
        print("not saved: give --save FILE to keep the model")
    return INTERRUPTED if stop.requested else 0


def _sample(args) -> int:
    device = pick_device()
    model, vocab, c = load_model(args.checkpoint, device)
    if args.prompt is None:
        args.prompt = "\n" if "\n" in vocab.stoi else vocab.itos[0]
    unseen = sorted(set(args.prompt) - set(vocab.stoi))
    if unseen:
        raise ValueError(
            f"the prompt has character(s) the model never saw: {''.join(unseen)!r}"
        )
    print(
        f"{args.checkpoint}: {c.config['model']} trained on "
        f"{c.extra.get('file', '?')}; device: {device_line(device)}",
        file=sys.stderr,
    )
    print(
        sample(
            model,
            vocab,
            args.prompt,
            length=args.length,
            temperature=args.temperature,
            seed=args.seed,
        )
    )
    return 0


def add_sampling(p: Parser) -> None:
    """``--length`` and ``--temperature``: train's closing sample and sample."""
    p.add_argument(
        "--length",
        type=int_at_least(1),
        default=300,
        help="characters to sample (default 300)",
    )
    p.add_argument(
        "--temperature",
        type=non_negative,
        default=0.8,
        help="sampling temperature, 0 = greedy (default 0.8)",
    )


def parser() -> Parser:
    ap = Parser(
        prog="python -m helpers.charlm",
        description=__doc__.split("\n\n")[0],
        epilog="python -m helpers.charlm COMMAND --help: that command's options",
    )
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)
    t = sub.add_parser("train", help="train on a text file, report bits/char, save")
    t.add_argument("file", help="a plain-text UTF-8 file of at least 10,000 characters")
    t.add_argument(
        "--model",
        choices=MODELS,
        default=None,
        help="lecture 03's LSTM (default) or lecture 05's Transformer",
    )
    add_budget(t, seconds=60.0)
    t.add_argument("--save", help="write the checkpoint here (e.g. lm.pt)")
    t.add_argument("--resume", help="continue training this checkpoint")
    t.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the initial weights and the sample (default 0)",
    )
    t.add_argument(
        "--hidden", type=int_at_least(1), default=256, help="LSTM units (default 256)"
    )
    t.add_argument(
        "--prompt",
        default=None,
        help="start of the sample printed at the "
        "end (default: the held-out text's first characters)",
    )
    add_sampling(t)
    s = sub.add_parser("sample", help="continue a prompt with a saved model")
    s.add_argument("checkpoint", help="a file written by train --save")
    s.add_argument(
        "--prompt", default=None, help="the text to continue (default: a new line)"
    )
    add_sampling(s)
    s.add_argument("--seed", type=int, default=0, help="seed of the draws")
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in ("train", "sample", "-h", "--help"):
        argv = ["train", *argv]  # the command line of earlier versions
    args = parser().parse_args(argv)
    try:
        return (_train if args.command == "train" else _sample)(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except (OSError, ValueError) as e:
        msg = " ".join(str(e).split()) or type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
