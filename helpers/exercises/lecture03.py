"""Checks for the exercises of lecture 03 (language models and recurrent networks)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from . import check, expect, expect_close


@check("add-k smoothing")
def check_add_k(fn: Callable) -> None:
    """``fn(C, k) -> P``: add-k smoothed bigram probabilities from a count matrix C (V,
    V), row h the history, column w the next word: P[h, w] = (C[h, w] + k) / (C[h].sum()
    + k V)."""
    rng = np.random.default_rng(0)
    for V, k in [(5, 1.0), (7, 0.1), (4, 0.01)]:
        C = rng.integers(0, 4, size=(V, V)).astype(float)
        C[1] = 0  # a history never seen
        want = (C + k) / (C.sum(1, keepdims=True) + k * V)
        got = np.asarray(fn(C.copy(), k), dtype=float)
        expect_close(got, want, f"P for V={V}, k={k}")


@check("one RNN step")
def check_rnn_step(fn: Callable) -> None:
    """``fn(x, h, W_e, W_h, b) -> h_new`` = tanh(x W_e^T + h W_h^T + b) for a batch: x
    (B, d), h (B, H), W_e (H, d), W_h (H, H), b (H,)."""
    g = torch.Generator().manual_seed(1)
    for B, d, H in [(3, 5, 4), (1, 2, 6)]:
        x, h = torch.randn(B, d, generator=g), torch.randn(B, H, generator=g)
        W_e, W_h, b = (
            torch.randn(H, d, generator=g),
            torch.randn(H, H, generator=g),
            torch.randn(H, generator=g),
        )
        cell = torch.nn.RNNCell(d, H)
        with torch.no_grad():
            cell.weight_ih.copy_(W_e)
            cell.weight_hh.copy_(W_h)
            cell.bias_ih.copy_(b)
            cell.bias_hh.zero_()
            want = cell(x, h)
        got = fn(x.clone(), h.clone(), W_e.clone(), W_h.clone(), b.clone())
        expect_close(
            torch.as_tensor(got).detach(),
            want,
            f"h_new for B={B}, d={d}, H={H}",
            atol=1e-5,
        )


@check("LSTM cell")
def check_lstm_cell(fn: Callable) -> None:
    """``fn(x, h, c, W, U, b) -> (h_new, c_new)`` with the gates stacked as PyTorch
    does, in the order input, forget, candidate, output: W (4H, d), U (4H, H), b (4H,).
    Compared with nn.LSTMCell."""
    g = torch.Generator().manual_seed(2)
    for B, d, H in [(2, 3, 4), (1, 5, 2)]:
        x, h, c = (torch.randn(B, n, generator=g) for n in (d, H, H))
        W, U, b = (
            torch.randn(4 * H, d, generator=g),
            torch.randn(4 * H, H, generator=g),
            torch.randn(4 * H, generator=g),
        )
        cell = torch.nn.LSTMCell(d, H)
        with torch.no_grad():
            cell.weight_ih.copy_(W)
            cell.weight_hh.copy_(U)
            cell.bias_ih.copy_(b)
            cell.bias_hh.zero_()
            want_h, want_c = cell(x, (h, c))
        out = fn(x.clone(), h.clone(), c.clone(), W.clone(), U.clone(), b.clone())
        expect(
            isinstance(out, tuple) and len(out) == 2, "return a tuple (h_new, c_new)"
        )
        expect_close(
            torch.as_tensor(out[1]).detach(),
            want_c,
            f"c_new for B={B}, d={d}, H={H}",
            atol=1e-5,
        )
        expect_close(
            torch.as_tensor(out[0]).detach(),
            want_h,
            f"h_new for B={B}, d={d}, H={H}",
            atol=1e-5,
        )


@check("sampling with temperature")
def check_sample_temperature(fn: Callable) -> None:
    """``fn(logits, T, u) -> index``: sample from softmax(logits / T) by inverse CDF
    with the uniform number u in [0, 1): the smallest i whose cumulative probability
    exceeds u; T = 0 means argmax."""
    logits = np.array([2.0, 0.5, 1.0, -1.0, 1.5])
    for T in (1.0, 0.5, 2.0, 0.1):
        p = np.exp(logits / T - (logits / T).max())
        p /= p.sum()
        cdf = np.cumsum(p)
        for u in (0.0, 0.3, 0.55, 0.8, 0.97, 0.999):
            want = int(np.searchsorted(cdf, u, side="right"))
            got = fn(logits.copy(), T, u)
            expect(
                int(got) == want,
                f"T={T}, u={u}: expected index {want}, got {got} "
                f"(probabilities {np.round(p, 3).tolist()})",
            )
    expect(
        int(fn(logits.copy(), 0.0, 0.9)) == 0,
        "T=0 must return the argmax (index 0 here)",
    )
