"""Translate with the book's models on your own sentence pairs, from a shell:

    python -m helpers.translate download fra            # Tatoeba's fra.txt, cached
    python -m helpers.translate train fra.txt --seconds 300 --save fr.pt
    python -m helpers.translate apply fr.pt "I am cold."   # or sentences on stdin
    python -m helpers.translate train fra.txt --seconds 300 --resume fr.pt --save fr.pt

``train`` reads ``source<TAB>target`` lines (extra columns, such as Tatoeba's
attribution, are ignored), holds out a seeded 10 % of the sources (every translation of
a held-out source is held out with it), trains lecture 04's LSTM encoder-decoder with
attention (``--model transformer``: lecture 05's encoder-decoder Transformer) for the
time given, on the GPU when there is one, and prints corpus BLEU (sacrebleu, against
all the references of each source) for greedy and beam search, and a few
translations. Ctrl-C stops after the current step, evaluates, saves, and exits with
status 130. ``python -m helpers.translate FILE ...`` (no command) means ``train FILE
...``.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Sequence

import torch
import torch.nn as nn

from . import checkpoint as ck
from . import translation_models as tm
from .cli import (
    INTERRUPTED,
    Interrupted,
    Parser,
    StopOnCtrlC,
    add_budget,
    device_line,
    int_at_least,
)
from .decoding import translate
from .device import pick_device
from .download import DownloadError
from .evaluate import corpus_bleu
from .pairs import (
    batches,
    build_vocabs,
    detokenize,
    group_references,
    read_pairs,
    split_pairs,
    words_and_marks,
)
from .text import Vocab

COMMANDS = ("train", "apply", "download")
TOO_FEW_STEPS = 200  # below this, a score says little about the model
HELD_OUT = 0.1


def build_model(config: dict) -> nn.Module:
    """The model a checkpoint's ``config`` describes (untrained)."""
    kw = {k: v for k, v in config.items() if k != "model"}
    if config["model"] == "lstm":
        return tm.Seq2Seq(**kw)
    if config["model"] == "transformer":
        return tm.TransformerTranslator(**kw)
    raise ck.CheckpointError(f"unknown model {config['model']!r} in the checkpoint")


def model_config(kind: str, n_src: int, n_tgt: int, hidden: int) -> dict:
    """The configuration of a new model of ``kind`` ("lstm" or "transformer")."""
    if kind == "lstm":
        return dict(
            model="lstm",
            src_vocab=n_src,
            tgt_vocab=n_tgt,
            emb=128,
            hidden=hidden,
            attention="dot",
        )
    return dict(
        model="transformer",
        src_vocab=n_src,
        tgt_vocab=n_tgt,
        d_model=128,
        n_heads=4,
        layers=2,
    )


def _plain_history(history) -> dict:
    """A ``History`` (or a dict of lists) as plain lists of numbers."""
    if history is None:
        return {}
    if isinstance(history, dict):
        return {k: list(v) for k, v in history.items()}
    out = {"steps": history.steps, "seconds": history.seconds, "loss": history.loss}
    return {**out, **getattr(history, "metrics", {})}


def save_model(
    path: str | Path,
    model: nn.Module,
    config: dict,
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    history=None,
    seed: int = 0,
    split_seed: int = 0,
    **extra,
) -> Path:
    """Write a translation model to one checkpoint file (``helpers.checkpoint``): its
    weights, ``config`` (``model_config``'s keys: ``build_model(config)`` rebuilds it),
    both vocabularies, the training ``history``, the seeds and any plain ``extra``."""
    return ck.save(
        ck.Checkpoint(
            tool="translate",
            config=config,
            weights=model.state_dict(),
            vocabs={"source": src_vocab.to_dict(), "target": tgt_vocab.to_dict()},
            history=_plain_history(history),
            seed=seed,
            split_seed=split_seed,
            extra=extra,
        ),
        path,
    )


def load_model(path: str | Path, device: torch.device):
    """(model in eval mode on ``device``, source vocab, target vocab, checkpoint)."""
    c = ck.load(path, tool="translate")
    model = build_model(c.config)
    model.load_state_dict(c.weights)
    src, tgt = Vocab.from_dict(c.vocabs["source"]), Vocab.from_dict(c.vocabs["target"])
    return model.to(device).eval(), src, tgt, c


def score(
    model: nn.Module,
    sources: Sequence[list[str]],
    refs: Sequence[list[list[str]]],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    beam: int = 5,
) -> tuple[dict, list[list[str]]]:
    """Held-out BLEU of greedy and beam search (each source against all its
    references) and sentences a second; returns them and the greedy translations."""
    result: dict = {}
    greedy_hyps: list[list[str]] = []
    for k in dict.fromkeys((1, beam)):
        t0 = time.perf_counter()
        hyps = translate(model, list(sources), src_vocab, tgt_vocab, k=k)
        secs = time.perf_counter() - t0
        result[f"bleu_k{k}"] = corpus_bleu(hyps, refs)
        result[f"sent_per_s_k{k}"] = len(sources) / secs
        if k == 1:
            greedy_hyps = hyps
    return result, greedy_hyps


def _same_model(args, config: dict) -> None:
    if args.model and args.model != config["model"]:
        raise ValueError(
            f"--model {args.model}, but {args.resume} holds a {config['model']} model: "
            "leave --model out to resume it"
        )


def command_train(args) -> int:
    device = pick_device()
    resumed = ck.load(args.resume, tool="translate") if args.resume else None
    if resumed:
        max_len = resumed.extra.get("max_len", args.max_len)
        min_count = resumed.extra.get("min_count", args.min_count)
        split_seed = resumed.split_seed
    else:
        max_len, min_count, split_seed = args.max_len, args.min_count, args.seed
    pairs = read_pairs(args.pairs, max_len=max_len)
    train, test = split_pairs(pairs, HELD_OUT, split_seed)
    sources, refs = group_references(test)
    if resumed and resumed.extra.get("pairs") not in (None, len(pairs)):
        print(
            f"note: {args.resume} was trained on {resumed.extra.get('pairs_file')} "
            f"({resumed.extra['pairs']:,} pairs), this file gives {len(pairs):,}: its "
            "held-out sentences may have been seen in training, so BLEU may flatter it"
        )
    if resumed:
        src_vocab = Vocab.from_dict(resumed.vocabs["source"])
        tgt_vocab = Vocab.from_dict(resumed.vocabs["target"])
        config = resumed.config
        _same_model(args, config)
    else:
        src_vocab, tgt_vocab = build_vocabs(train, min_count=min_count)
        config = model_config(
            args.model or "lstm", len(src_vocab), len(tgt_vocab), args.hidden
        )
    unk = sum(w not in tgt_vocab for rs in refs for r in rs for w in r) / max(
        1, sum(len(r) for rs in refs for r in rs)
    )
    print(
        f"{len(pairs):,} pairs ({len(train):,} train; {len(test):,} held out: "
        f"{len(sources):,} sources with {len(test) / len(sources):.2f} references "
        f"each on average); vocabularies {len(src_vocab):,} / {len(tgt_vocab):,} "
        f"words (count >= {min_count}); {unk:.1%} of held-out target words are <unk>"
    )
    torch.manual_seed(args.seed)
    model = build_model(config).to(device)
    done_steps, done_s = 0, 0.0
    history: dict = {"steps": [], "seconds": [], "loss": []}
    if resumed:
        model.load_state_dict(resumed.weights)
        history = {k: list(v) for k, v in resumed.history.items()}
        done_steps = history["steps"][-1] if history.get("steps") else 0
        done_s = history["seconds"][-1] if history.get("seconds") else 0.0
        print(f"resuming {args.resume}: {done_steps:,} steps done ({done_s:.0f} s)")
    n_params = sum(p.numel() for p in model.parameters())
    print(
        f"device: {device_line(device)}; {config['model']} model, {n_params:,} "
        f"parameters; training for {args.seconds:g} s"
        + (f" or {args.steps:,} steps" if args.steps else ""),
        flush=True,
    )
    transformer = config["model"] == "transformer"
    t0 = time.perf_counter()
    with StopOnCtrlC(model) as stop:
        try:
            hist = tm.fit_translator(
                model,
                batches(train, src_vocab, tgt_vocab, args.batch_size, seed=args.seed),
                steps=args.steps,
                seconds=args.seconds,
                lr=1e-3 if transformer else 3e-3,
                warmup=200 if transformer and not resumed else 0,
                every=100,
                seed=args.seed,
                desc=f"training on {len(train):,} pairs",
            )
            steps, secs = hist.steps[-1], hist.seconds[-1]
            new = {"steps": hist.steps, "seconds": hist.seconds, "loss": hist.loss}
        except Interrupted:
            steps, secs = stop.steps, time.perf_counter() - t0
            new = {"steps": [steps], "seconds": [secs], "loss": [math.nan]}
    model.eval()
    for key in ("steps", "seconds", "loss"):
        offset = {"steps": done_steps, "seconds": done_s, "loss": 0}[key]
        history.setdefault(key, []).extend(v + offset for v in new[key])
    total = done_steps + steps
    how = "stopped by Ctrl-C after" if stop.requested else "trained"
    print(
        f"{how} {steps:,} steps in {secs:.0f} s on {device}"
        + (f" ({total:,} in all)" if resumed else "")
    )
    result, hyps = score(model, sources, refs, src_vocab, tgt_vocab, args.beam)
    short = (
        f"  <- only {total:,} training steps: too few to learn; this score says "
        "little about the model"
        if total < TOO_FEW_STEPS
        else ""
    )
    for k in dict.fromkeys((1, args.beam)):
        name = "greedy" if k == 1 else f"beam k={k}"
        print(
            f"{name:>10}: BLEU {result[f'bleu_k{k}']:.1f} "
            f"({result[f'sent_per_s_k{k}']:,.0f} sentences/s){short}"
        )
    for s, rs, h in list(zip(sources, refs, hyps))[: args.show]:
        print(f"  {detokenize(s)}\n    reference: {detokenize(rs[0])}", end="")
        print(f" (+{len(rs) - 1} more)" if len(rs) > 1 else "")
        print(f"    model:     {detokenize(h)}")
    if args.save:
        save_model(
            args.save,
            model,
            config,
            src_vocab,
            tgt_vocab,
            history=history,
            seed=args.seed,
            split_seed=split_seed,
            pairs_file=Path(args.pairs).name,
            pairs=len(pairs),
            max_len=max_len,
            min_count=min_count,
            held_out_bleu={k: round(v, 2) for k, v in result.items()},
            device=str(device),
        )
        print(
            f"saved {args.save} (apply it: python -m helpers.translate apply "
            f'{args.save} "...")'
        )
    else:
        print("not saved: give --save FILE to keep the model")
    return INTERRUPTED if stop.requested else 0


def command_apply(args) -> int:
    device = pick_device()
    model, src_vocab, tgt_vocab, c = load_model(args.checkpoint, device)
    print(
        f"{args.checkpoint}: {c.config['model']} model, device: {device_line(device)}",
        file=sys.stderr,
    )
    lines = args.sentences or [line.rstrip("\n") for line in sys.stdin]
    for line in lines:
        tokens = words_and_marks(line)
        if not tokens:
            print()
            continue
        unknown = [w for w in tokens if w not in src_vocab]
        if unknown:
            print(
                f"(unknown words, read as <unk>: {' '.join(unknown)})", file=sys.stderr
            )
        out = translate(
            model, [tokens], src_vocab, tgt_vocab, k=args.beam, max_len=args.max_len
        )[0]
        print(detokenize(out), flush=True)
    return 0


def command_download(args) -> int:
    from .download import fra_eng

    path = fra_eng(sha256=args.sha256, url=args.url)
    print(path)
    print(
        f"train on it: python -m helpers.translate train {path} --seconds 300 "
        "--save fr.pt",
        file=sys.stderr,
    )
    return 0


def parser() -> Parser:
    ap = Parser(
        prog="python -m helpers.translate",
        description=__doc__.split("\n\n")[0],
        epilog="python -m helpers.translate COMMAND --help: that command's options",
    )
    sub = ap.add_subparsers(dest="command", required=True, parser_class=Parser)
    t = sub.add_parser("train", help="train on a pairs file, report BLEU, save")
    t.add_argument("pairs", help="tab-separated file: source<TAB>target a line")
    add_budget(t, seconds=300.0)
    t.add_argument(
        "--model",
        choices=["lstm", "transformer"],
        default=None,
        help="lecture 04's LSTM with attention (default) or lecture 05's "
        "encoder-decoder Transformer",
    )
    t.add_argument("--save", help="write the checkpoint here (e.g. fr.pt)")
    t.add_argument(
        "--resume",
        help="continue training this checkpoint (same pairs "
        "file: its split, vocabularies and model are kept)",
    )
    t.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the split, the initial weights and the batch order (default 0)",
    )
    t.add_argument(
        "--beam",
        type=int_at_least(1),
        default=5,
        help="beam width scored next to greedy (default 5)",
    )
    t.add_argument(
        "--max-len",
        type=int_at_least(1),
        default=20,
        help="drop pairs with a side longer than this (tokens)",
    )
    t.add_argument(
        "--min-count", type=int_at_least(1), default=2, help="rarer words become <unk>"
    )
    t.add_argument("--hidden", type=int_at_least(1), default=256)
    t.add_argument("--batch-size", type=int_at_least(1), default=64)
    t.add_argument(
        "--show", type=int_at_least(0), default=5, help="held-out translations to print"
    )
    a = sub.add_parser("apply", help="translate sentences with a saved model")
    a.add_argument("checkpoint", help="a file written by train --save")
    a.add_argument(
        "sentences",
        nargs="*",
        help="sentences to translate (none: one a line from stdin)",
    )
    a.add_argument(
        "--beam", type=int_at_least(1), default=1, help="beam width (default 1: greedy)"
    )
    a.add_argument(
        "--max-len",
        type=int_at_least(1),
        default=40,
        help="longest translation, in tokens",
    )
    d = sub.add_parser("download", help="fetch a real pairs file into the cache")
    d.add_argument(
        "name",
        choices=["fra"],
        help="fra: Tatoeba's English-French pairs (manythings.org/anki)",
    )
    d.add_argument("--sha256", help="the zip's expected SHA-256 (pins it)")
    d.add_argument("--url", help="a mirror of fra-eng.zip")
    return ap


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["train", *argv]  # the command line of earlier versions
    args = parser().parse_args(argv)
    run = {
        "train": command_train,
        "apply": command_apply,
        "download": command_download,
    }[args.command]
    try:
        return run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except (OSError, ValueError, DownloadError) as e:
        msg = " ".join(str(e).split()) or type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
