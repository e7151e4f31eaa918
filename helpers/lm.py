"""Character-level neural language models and their training (lecture 03, reused in 05).

* ``WindowLM`` (fixed window of previous characters), ``RecurrentLM`` (RNN or LSTM):
  ``forward(x (B, T), state) -> (logits (B, T, V), state)``.
* ``train_lm``: truncated backprop through time on parallel streams (``streams``), the
  state carried across chunks but detached (``detach_state``), with a wall-clock or step
  budget, gradient clipping, a progress bar, and validation bits per character over
  time.

Sampling lives in ``helpers.decoding``, bits per character in ``helpers.evaluate``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .device import model_device
from .evaluate import evaluate_bits
from .text import streams
from .train import progress

__all__ = [
    "WindowLM",
    "RecurrentLM",
    "streams",
    "detach_state",
    "cosine_lr",
    "History",
    "train_lm",
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


def cosine_lr(lr: float, done: float, decay: bool = True) -> float:
    """The learning rate after a share ``done`` (0..1) of the budget: a cosine from
    ``lr`` down to ``lr / 10`` with ``decay``, else ``lr`` throughout. Shares outside
    0..1 are clipped."""
    if not decay:
        return lr
    done = min(1.0, max(0.0, done))
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * done)))


def detach_state(state):
    """The recurrent state cut from the graph (a tensor, a tuple of them, or None)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


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
