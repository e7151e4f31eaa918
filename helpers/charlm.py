"""Character-level neural language models and their training loop (lecture 03, reused in
05).

* ``CharVocab``: characters to ids and back.
* ``WindowLM`` (fixed window of previous characters), ``RecurrentLM`` (RNN or LSTM).
* ``train_lm``: truncated backprop through time on parallel streams, with a wall-clock
  or step budget, gradient clipping, a progress bar, and validation bits per character
  over time.
* ``train_on_text_file``: the same on any plain-text file of the reader's, with the LSTM
  or lecture 05's Transformer; ``python -m helpers.charlm FILE --model {lstm,gpt}
  --seconds N`` from a shell.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .text import SPECIALS, UNK, Vocab, read_utf8  # noqa: F401  (SPECIALS re-exported)
from .train import progress


class CharVocab(Vocab):
    """The sorted set of characters of a text (the book's one ``Vocab`` class, with
    characters as tokens, in sorted order after any ``specials``). ``encode(str) -> (N,)
    int64``, ``decode(ids) -> str``."""

    def __init__(self, text: str, specials: Sequence[str] = ()):
        if not text:
            raise ValueError("cannot build a character vocabulary from an empty text")
        super().__init__(Counter(text), min_count=1, specials=specials, by_count=False)

    def encode(self, text: str) -> np.ndarray:
        """(N,) int64 ids; unknown characters become ``<unk>`` if it is a special, else
        a KeyError names them."""
        unknown = sorted(set(text) - set(self.stoi))
        if unknown and UNK not in self.specials:
            raise KeyError(
                f"{len(unknown)} character(s) not in the vocabulary: {unknown[:10]}"
            )
        unk = self.stoi.get(UNK, -1)
        return np.fromiter(
            (self.stoi.get(c, unk) for c in text), dtype=np.int64, count=len(text)
        )

    def decode(self, ids) -> str:
        """The characters of ``ids``, joined (specials included as written, e.g.
        ``<eos>``)."""
        return "".join(self.itos[int(i)] for i in ids)


class WindowLM(nn.Module):
    """Fixed-window neural LM (Bengio et al., 2003): the previous ``window`` characters'
    embeddings, concatenated, through a tanh hidden layer, to a softmax. Its state is
    the last window - 1 inputs."""

    def __init__(
        self, vocab_size: int, window: int = 8, emb: int = 32, hidden: int = 256
    ):
        super().__init__()
        self.window = window
        self.emb = nn.Embedding(vocab_size, emb)
        self.hidden = nn.Linear(window * emb, hidden)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, x: torch.Tensor, state: torch.Tensor | None = None):
        # x: (B, T) ids
        B, T = x.shape
        if state is None:
            state = torch.zeros(B, self.window - 1, dtype=torch.long, device=x.device)
        # (B, window - 1 + T)
        full = torch.cat([state, x], 1)
        # (B, T, window)
        ctx = full.unfold(1, self.window, 1)
        # (B, T, hidden)
        h = torch.tanh(self.hidden(self.emb(ctx).flatten(2)))
        # logits (B, T, V), state (B, window - 1)
        return self.out(h), full[:, full.shape[1] - (self.window - 1) :]


class RecurrentLM(nn.Module):
    """Embedding -> RNN (tanh) or LSTM -> linear softmax layer."""

    def __init__(
        self,
        vocab_size: int,
        cell: str = "lstm",
        emb: int = 32,
        hidden: int = 256,
        layers: int = 1,
    ):
        super().__init__()
        if cell not in ("rnn", "lstm"):
            raise ValueError(f"cell must be 'rnn' or 'lstm', got {cell!r}")
        self.emb = nn.Embedding(vocab_size, emb)
        rnn = nn.LSTM if cell == "lstm" else nn.RNN
        self.rnn = rnn(emb, hidden, num_layers=layers, batch_first=True)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, x: torch.Tensor, state=None):
        # h: (B, T, hidden)
        h, state = self.rnn(self.emb(x), state)
        return self.out(h), state


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's parameters: batches are moved there (CPU when it has
    none)."""
    p = next(model.parameters(), None)
    return p.device if p is not None else torch.device("cpu")


def cosine_lr(lr: float, done: float, decay: bool = True) -> float:
    """The learning rate after a share ``done`` (0..1) of the budget: a cosine from
    ``lr`` down to ``lr / 10`` with ``decay``, else ``lr`` throughout. Shares outside
    0..1 are clipped."""
    if not decay:
        return lr
    done = min(1.0, max(0.0, done))
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * done)))


def detach_state(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def streams(ids: np.ndarray, batch: int) -> torch.Tensor:
    """Cut a sequence into ``batch`` parallel streams (batch, N // batch), for truncated
    BPTT. The result is on the CPU; the trainers move it to their model's device."""
    n = len(ids) // batch
    if n < 2:
        raise ValueError(
            f"a text of {len(ids)} symbols is too short for {batch} parallel streams"
        )
    return torch.as_tensor(ids[: n * batch]).view(batch, n)


@torch.no_grad()
def evaluate_bits(
    model: nn.Module, ids: np.ndarray, batch: int = 16, seq_len: int = 256
) -> float:
    """Bits per symbol of ``model`` on ``ids``, reading it as ``batch`` streams with
    carried state. Runs on the model's device, in eval mode, and leaves the model in the
    mode it found it in."""
    was_training = model.training
    model.eval()
    # (batch, N // batch)
    data = streams(ids, batch).to(model_device(model))
    state, total, count = None, 0.0, 0
    for i in range(0, data.shape[1] - 1, seq_len):
        x, y = data[:, i : i + seq_len], data[:, i + 1 : i + 1 + seq_len]
        x = x[:, : y.shape[1]]
        logits, state = model(x, state)
        total += F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
        ).item()
        count += y.numel()
    model.train(was_training)
    return total / count / math.log(2)


@dataclass
class History:
    # wall-clock training time at each evaluation
    seconds: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    val_bits: list[float] = field(default_factory=list)
    # running mean since the last evaluation
    train_bits: list[float] = field(default_factory=list)


def train_lm(
    model: nn.Module,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    *,
    seconds: float | None = None,
    steps: int | None = None,
    batch: int = 32,
    seq_len: int = 64,
    lr: float = 3e-3,
    clip: float = 1.0,
    evals: int = 10,
    val_chars: int = 50_000,
    seed: int = 0,
    desc: str = "training",
    decay: bool = False,
) -> History:
    """Truncated BPTT: ``batch`` parallel streams, chunks of ``seq_len``, the state
    carried across chunks but not differentiated through (detached). Stops after
    ``seconds`` of training or ``steps`` steps, whichever comes first (one is required);
    evaluates ``evals`` times, on the first ``val_chars`` validation symbols (evaluation
    time is not counted as training time). ``decay=True``: the learning rate follows a
    cosine from ``lr`` down to ``lr / 10`` over the budget (the time budget when both
    are given; see ``cosine_lr``); otherwise it stays at ``lr``. Batches go to the
    model's device; the model is left in the train/eval mode it came in."""
    if seconds is None and steps is None:
        raise ValueError("give a budget: seconds=..., steps=... or both")
    torch.manual_seed(seed)
    was_training = model.training
    model.train()
    # (batch, N // batch)
    data = streams(train_ids, batch).to(model_device(model))
    val = val_ids[:val_chars]
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist = History()
    state, pos, step, trained, run = None, 0, 0, 0.0, []
    max_steps = steps if steps is not None else 10**9
    next_eval = (seconds / evals) if seconds is not None else None
    eval_steps = max(1, max_steps // evals) if steps is not None else None
    bar = progress(total=steps, desc=desc, iterable=None)
    while step < max_steps and (seconds is None or trained < seconds):
        if pos + seq_len + 1 > data.shape[1]:
            pos, state = 0, None  # next epoch
        x, y = data[:, pos : pos + seq_len], data[:, pos + 1 : pos + 1 + seq_len]
        t0 = time.perf_counter()
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        if decay:
            # share of the budget used
            done = trained / seconds if seconds is not None else step / max_steps
            for group in opt.param_groups:
                group["lr"] = cosine_lr(lr, done)
        opt.step()
        state = detach_state(state)
        trained += time.perf_counter() - t0
        pos += seq_len
        step += 1
        run.append(loss.item() / math.log(2))
        bar.update(1)
        due = (next_eval is not None and trained >= next_eval) or (
            eval_steps is not None and step % eval_steps == 0
        )
        if due or step >= max_steps or (seconds is not None and trained >= seconds):
            hist.seconds.append(trained)
            hist.steps.append(step)
            hist.val_bits.append(evaluate_bits(model, val))
            hist.train_bits.append(float(np.mean(run)))
            run = []
            if next_eval is not None:
                next_eval += seconds / evals
            bar.set_postfix(val_bits=f"{hist.val_bits[-1]:.3f}")
    bar.close()
    model.train(was_training)
    return hist


@torch.no_grad()
def sample(
    model: nn.Module,
    vocab: CharVocab,
    prompt: str,
    length: int = 200,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """Continue ``prompt`` by sampling from softmax(logits / temperature); 0 means
    greedy. Runs on the model's device (the draws on the CPU, so a seed gives the same
    text everywhere) and leaves the model in the train/eval mode it found it in."""
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if not prompt:
        raise ValueError("give a prompt of at least one character")
    was_training = model.training
    model.eval()
    device = model_device(model)
    g = torch.Generator().manual_seed(seed)
    # (1, len(prompt))
    x = torch.as_tensor(vocab.encode(prompt))[None].to(device)
    logits, state = model(x)
    out = []
    for _ in range(length):
        last = logits[0, -1].float().cpu()  # (V,)
        if temperature == 0:
            nxt = int(last.argmax())
        else:
            nxt = int(
                torch.multinomial(torch.softmax(last / temperature, -1), 1, generator=g)
            )
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]]).to(device), state)  # (1, 1)
    model.train(was_training)
    return prompt + vocab.decode(out)


def read_text_file(path: str | Path, min_chars: int = 10_000) -> str:
    """Read a plain-text (UTF-8) file for language modelling, with clear errors for a
    missing, empty, binary or too-short file."""
    text = read_utf8(
        path, "text file", "plain UTF-8 text for a language model to learn from"
    )
    if len(text) < min_chars:
        raise ValueError(
            f"{path} has {len(text):,} characters; at least {min_chars:,} are needed "
            "to train and validate a language model"
        )
    return text


# The Transformer of lecture 05 for ``train_on_text_file(model="gpt")``: the ladder's
# rung, 3 pre-norm blocks of 64 dimensions, 4 heads, a context of 64 characters; Adam at
# 3e-3, decayed along a cosine over the budget; evaluated 4 times on 20,000 held-out
# characters along the way (its windowed evaluation is slow on a CPU). At a budget of
# minutes on a CPU this small model beats a larger one (4 x 128, nanoGPT's CPU recipe):
# it takes more steps in the same time (benchmarks/lecture05.py nanogpt).
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
    hist = train_lm(
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
