"""Checks for the exercises of lecture 03 (language models and recurrent networks)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from . import call, check, expect, expect_close, expect_tuple


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
        got = call(fn, C, k)
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
        got = call(fn, x, h, W_e, W_h, b)
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
        out = expect_tuple(call(fn, x, h, c, W, U, b), "h_new, c_new")
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
    exceeds u, as an integer; T = 0 means argmax."""
    logits = np.array([1.0, 0.5, 2.0, -1.0, 1.5])
    for T in (1.0, 0.5, 2.0, 0.1):
        p = np.exp(logits / T - (logits / T).max())
        p /= p.sum()
        cdf = np.cumsum(p)
        for u in (0.0, 0.3, 0.55, 0.8, 0.97, 0.999):
            want = int(np.searchsorted(cdf, u, side="right"))
            got = call(fn, logits, T, u)
            _expect_index(got, f"T={T}, u={u}")
            expect(
                int(got) == want,
                f"T={T}, u={u}: expected index {want}, got {got} "
                f"(probabilities {np.round(p, 3).tolist()})",
            )
    # T = 0 is greedy: the argmax, whatever u is (index 2 here, not 0)
    for u in (0.0, 0.5, 0.9):
        got = call(fn, logits, 0.0, u)
        _expect_index(got, f"T=0, u={u}")
        expect(
            int(got) == 2,
            f"T=0, u={u}: must return the argmax of the logits (index 2), got {got}",
        )
    # large logits at a low temperature: exp overflows unless the maximum is
    # subtracted first
    big = np.array([400.0, 410.0, 405.0])
    got = call(fn, big, 0.5, 0.5)
    _expect_index(got, "logits [400, 410, 405], T=0.5")
    expect(
        int(got) == 1,
        f"logits [400, 410, 405], T=0.5, u=0.5: expected index 1 (probability "
        f"0.99995), got {got} (subtract the largest logit before exp)",
    )


def _expect_index(got, what: str) -> None:
    is_int = isinstance(got, (int, np.integer)) and not isinstance(got, bool)
    if isinstance(got, (np.ndarray, torch.Tensor)):
        is_int = got.ndim == 0 and not (
            got.dtype.is_floating_point
            if isinstance(got, torch.Tensor)
            else np.issubdtype(got.dtype, np.floating)
        )
    expect(
        is_int,
        f"{what}: return an integer index, got {got!r} ({type(got).__name__})",
    )


# 5. Choosing k on held-out data (an experiment) ---------------------------------------
def _bigram_data(V: int, n_train: int, n_val: int, seed: int):
    """Counts of a seeded Zipf-like bigram source, and held-out (h, w) pairs."""
    rng = np.random.default_rng(seed)
    zipf = 1.0 / np.arange(1, V + 1) ** 1.1
    P = rng.dirichlet(zipf * 3, size=V)
    P = P[:, rng.permutation(V)]

    def draw(n):
        h = rng.choice(V, size=n, p=zipf / zipf.sum())
        w = np.array([rng.choice(V, p=P[i]) for i in h])
        return h, w

    h, w = draw(n_train)
    C = np.zeros((V, V))
    np.add.at(C, (h, w), 1)
    hv, wv = draw(n_val)
    return C, list(zip(hv.tolist(), wv.tolist()))


@check("choosing k")
def check_best_k(fn: Callable) -> None:
    """``fn(C, val_pairs, ks) -> k``: the k of ``ks`` whose add-k bigram model,
    estimated from the counts C (V, V), gives the held-out (history, word) pairs the
    lowest perplexity."""
    for V, n_train, n_val, ks, seed in [
        (30, 400, 300, [0.001, 0.01, 0.05, 0.2, 1.0, 5.0], 0),
        (30, 5000, 300, [0.001, 0.01, 0.05, 0.2, 1.0, 5.0], 1),
        (60, 300, 300, [5.0, 1.0, 0.2, 0.05, 0.01], 2),
    ]:
        C, val = _bigram_data(V, n_train, n_val, seed)
        h = np.array([p[0] for p in val])
        w = np.array([p[1] for p in val])
        ppl = {
            k: float(
                np.exp(
                    -np.mean(
                        np.log(((C + k) / (C.sum(1, keepdims=True) + k * V))[h, w])
                    )
                )
            )
            for k in ks
        }
        want = min(ks, key=ppl.get)
        got = call(fn, C, val, list(ks))
        expect(
            any(got == k for k in ks),
            f"return one of the ks {ks}, got {got!r}",
        )
        expect(
            got == want,
            f"{n_train} training bigrams, V={V}: k={got} gives a held-out perplexity "
            f"of {ppl[got]:.2f}, k={want} gives {ppl[want]:.2f} "
            f"(all: { {k: round(v, 2) for k, v in ppl.items()} })",
        )


# 6. A temperature for a given entropy (a design) --------------------------------------
def _entropy_bits(logits, T):
    z = np.asarray(logits, dtype=np.float64) / T
    p = np.exp(z - z.max())
    p /= p.sum()
    return float(-(p * np.log2(np.where(p > 0, p, 1))).sum())


@check("temperature for an entropy")
def check_temperature_for_entropy(fn: Callable) -> None:
    """``fn(logits, H) -> T``: the temperature at which softmax(logits / T) has an
    entropy of H bits (0 < H < log2 of the number of logits), to within 0.001 bits."""
    rng = np.random.default_rng(3)
    for V, spread, H in [
        (5, 1.0, 1.0),
        (5, 1.0, 2.0),
        (50, 3.0, 0.5),
        (50, 3.0, 5.0),
        (1000, 2.0, 8.0),
        (8, 0.1, 2.5),
    ]:
        logits = rng.normal(size=V) * spread
        T = call(fn, logits, H)
        expect(
            isinstance(T, (int, float, np.floating)) and float(T) > 0,
            f"V={V}, H={H}: return a positive temperature, got {T!r}",
        )
        got = _entropy_bits(logits, float(T))
        expect(
            abs(got - H) < 1e-3,
            f"{V} logits, target {H} bits: at T={float(T):.4g} the entropy is "
            f"{got:.4f} bits"
            + (
                " (bits: log base 2)"
                if abs(got - H / np.log(2)) < 0.01 or abs(got * np.log(2) - H) < 0.01
                else ""
            ),
        )
