"""Character-level neural language models and their training (lecture 03, reused in 05).

* ``WindowLM`` (fixed window of previous characters), ``RecurrentLM`` (RNN or LSTM):
  ``forward(x (B, T), state) -> (logits (B, T, V), state)``.
* ``fit_lm``: the book's training loop (``helpers.train.train``) on parallel streams
  (``streams``, ``chunks``) for these models and lecture 05's GPT: truncated backprop
  through time for the recurrent ones (``lm_step``: the state carried across chunks but
  detached, ``detach_state``), a wall-clock or step budget, gradient clipping, and
  validation bits per character over time.

Sampling lives in ``helpers.decoding``, bits per character in ``helpers.evaluate``.
"""

from __future__ import annotations

import copy
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .device import model_device
from .evaluate import evaluate_bits
from .text import streams
from .train import History, constant, cosine, train
from .transformer import GPT

__all__ = [
    "WindowLM",
    "RecurrentLM",
    "streams",
    "detach_state",
    "chunks",
    "lm_step",
    "steps_in",
    "fit_lm",
]


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
        full = torch.cat([state, x], 1)  # (B, window - 1 + T)
        ctx = full.unfold(1, self.window, 1)  # (B, T, window)
        h = torch.tanh(self.hidden(self.emb(ctx).flatten(2)))  # (B, T, hidden)
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


def detach_state(state):
    """The recurrent state cut from the graph (a tensor, a tuple of them, or None)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def chunks(
    data: torch.Tensor, seq_len: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor, bool]]:
    """Endless (x, y, restart) from streams (B, N): consecutive chunks x (B, seq_len),
    their targets y (B, seq_len) one symbol ahead, and restart, True when a new pass
    over the text begins (the carried state is then dropped)."""
    pos = 0
    while True:
        restart = pos + seq_len + 1 > data.shape[1]
        if restart:
            pos = 0
        yield (
            data[:, pos : pos + seq_len],
            data[:, pos + 1 : pos + 1 + seq_len],
            restart,
        )
        pos += seq_len


def lm_step(model: nn.Module) -> Callable[[tuple], torch.Tensor]:
    """The training step of a language model on a chunk (x, y, restart): the mean
    cross-entropy (nats). A recurrent model carries its state from chunk to chunk,
    detached (truncated backprop through time); a GPT reads each chunk as a sequence of
    its own."""
    state = None

    def step(batch: tuple) -> torch.Tensor:
        nonlocal state
        x, y, restart = batch  # (B, T), (B, T), bool
        if isinstance(model, GPT):
            logits = model(x)  # (B, T, V)
        else:
            logits, state = model(x, None if restart else state)  # (B, T, V)
            state = detach_state(state)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))

    return step


def steps_in(
    seconds: float, model: nn.Module, data: torch.Tensor, seq_len: int, lr: float
) -> int:
    """How many training steps of ``model`` on streams ``data`` fit in ``seconds``,
    timed on a copy of it (25 steps after 5 of warm-up): the step budget over which a
    time-budgeted run decays its learning rate."""
    twin = copy.deepcopy(model)
    opt = torch.optim.Adam(twin.parameters(), lr=lr)
    h = train(
        lm_step(twin),
        chunks(data, seq_len),
        steps=30,
        schedule=constant(lr),
        optimizer=opt,
        model=twin,
        clip=1.0,
        every=5,
        show_progress=False,
    )
    per_step = (h.seconds[-1] - h.seconds[0]) / (h.steps[-1] - h.steps[0])
    return max(1, round(seconds / per_step))


def fit_lm(
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
    """Adam on ``batch`` parallel streams of ``train_ids``, chunks of ``seq_len``
    (``lm_step``: truncated BPTT for the recurrent models), gradients clipped at
    ``clip``, for ``seconds`` of training or ``steps`` steps, whichever comes first (one
    is required). Evaluates ``evals`` times (``hist.val_bits``) on the first
    ``val_chars`` validation symbols, outside the time budget. ``decay=True``: the
    learning rate follows a cosine from ``lr`` down to ``lr / 10`` over the steps; with
    a time budget only, over the steps estimated to fit in it (``steps_in``), then stays
    at ``lr / 10`` until the time is up; otherwise it stays at ``lr``. Batches go to the
    model's device; the model is left in the train/eval mode it came in."""
    if seconds is None and steps is None:
        raise ValueError("give a budget: seconds=..., steps=... or both")
    data = streams(train_ids, batch).to(model_device(model))  # (batch, N // batch)
    val = val_ids[:val_chars]
    schedule = constant(lr)
    if decay:
        total = (
            steps if steps is not None else steps_in(seconds, model, data, seq_len, lr)
        )
        schedule = cosine(lr, total)
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    return train(
        lm_step(model),
        chunks(data, seq_len),
        steps=steps,
        seconds=seconds,
        schedule=schedule,
        optimizer=opt,
        model=model,
        clip=clip,
        evaluate=lambda: {"val_bits": evaluate_bits(model, val)},
        evals=evals,
        desc=desc,
    )
