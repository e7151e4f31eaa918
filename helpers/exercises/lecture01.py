"""Checks for the exercises of lecture 01 (word vectors). Each ``check_*`` takes the student's
function, compares it with a reference on several inputs, and prints a verdict."""
from __future__ import annotations

from collections import Counter
from typing import Callable

import numpy as np
import torch

from . import expect, expect_close, run_check


# 1. Context windows -------------------------------------------------------------------------
def _pairs_reference(tokens: list[str], window: int) -> list[tuple[str, str]]:
    return [(tokens[i], tokens[j]) for i in range(len(tokens))
            for j in range(max(0, i - window), min(len(tokens), i + window + 1)) if j != i]


def check_context_pairs(fn: Callable, strict: bool = False) -> bool:
    """``fn(tokens, window) -> [(centre, context), ...]`` with every context within ``window``."""
    def test():
        cases = [("problems turning into banking crises as".split(), 2),
                 ("a b c d e f g".split(), 1),
                 ("the cat sat".split(), 5),
                 (["alone"], 3)]
        for tokens, window in cases:
            got = fn(list(tokens), window)
            want = _pairs_reference(tokens, window)
            got_c = Counter(tuple(p) for p in got)
            expect(got_c == Counter(want),
                   f"for tokens={tokens}, window={window}: expected {len(want)} pairs, got {len(got)}; "
                   f"missing {sorted((Counter(want) - got_c).elements())[:3]}, "
                   f"unexpected {sorted((got_c - Counter(want)).elements())[:3]}")
    return run_check("context pairs", test, strict)


# 2. CBOW with the full softmax --------------------------------------------------------------
def _cbow_reference(C: np.ndarray, U: np.ndarray, o: int):
    Ct = torch.tensor(C, dtype=torch.float64, requires_grad=True)
    Ut = torch.tensor(U, dtype=torch.float64, requires_grad=True)
    loss = -torch.log_softmax(Ut @ Ct.mean(0), 0)[o]
    loss.backward()
    return loss.item(), Ct.grad.numpy(), Ut.grad.numpy()


def check_cbow(fn: Callable, strict: bool = False) -> bool:
    """``fn(C, U, o) -> (loss, dC, dU)``: CBOW loss -log softmax(U v_hat)[o], v_hat = mean of the
    context vectors C (2m, d); gradients with respect to C and U."""
    def test():
        rng = np.random.default_rng(1)
        for m2, V, d, o in [(4, 7, 5, 3), (2, 4, 3, 0), (6, 10, 8, 9)]:
            C, U = rng.normal(size=(m2, d)), rng.normal(size=(V, d))
            out = fn(C.copy(), U.copy(), o)
            expect(isinstance(out, tuple) and len(out) == 3, "return a tuple (loss, dC, dU)")
            loss, dC, dU = out
            want = _cbow_reference(C, U, o)
            expect_close(loss, want[0], f"loss (context {m2}x{d}, V={V})")
            expect_close(dC, want[1], f"dC (context {m2}x{d}, V={V})")
            expect_close(dU, want[2], f"dU (context {m2}x{d}, V={V})")
    return run_check("CBOW loss and gradients", test, strict)


# 3. GloVe's loss and gradient for one cell --------------------------------------------------
def _glove_reference(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    t = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w, wt, b, bt)]
    f = min(1.0, (x / x_max) ** alpha)
    loss = f * ((t[0] @ t[1]) + t[2] + t[3] - np.log(x)) ** 2
    loss.backward()
    return (loss.item(),) + tuple(v.grad.numpy() for v in t)


def check_glove_grad(fn: Callable, strict: bool = False) -> bool:
    """``fn(w, wt, b, bt, x, x_max=100, alpha=0.75) -> (loss, dw, dwt, db, dbt)`` for one cell of
    the co-occurrence matrix: f(x) (w.wt + b + bt - log x)^2."""
    def test():
        rng = np.random.default_rng(2)
        for x in [3.0, 250.0, 0.5, 40.0]:
            w, wt = rng.normal(size=5) * 0.5, rng.normal(size=5) * 0.5
            b, bt = float(rng.normal()), float(rng.normal())
            out = fn(w.copy(), wt.copy(), b, bt, x)
            expect(isinstance(out, tuple) and len(out) == 5, "return a tuple (loss, dw, dwt, db, dbt)")
            want = _glove_reference(w, wt, b, bt, x)
            for name, g, r in zip(("loss", "dw", "dwt", "db", "dbt"), out, want):
                expect_close(g, r, f"{name} at x={x}")
    return run_check("GloVe loss and gradient", test, strict)


# 4. Analogies by vector arithmetic ----------------------------------------------------------
def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _analogy_reference(a: str, b: str, c: str, E: np.ndarray, words: list[str]) -> str:
    U = _unit(E)
    ix = {w: i for i, w in enumerate(words)}
    scores = U @ (U[ix[b]] - U[ix[a]] + U[ix[c]])
    for w in (a, b, c):
        scores[ix[w]] = -np.inf
    return words[int(np.argmax(scores))]


def analogy_puzzles(seed: int = 0):
    """Small synthetic vocabularies where each shortcut gives a different answer than 3CosAdd:
    forgetting to exclude the question words, or to normalise the vectors."""
    rng = np.random.default_rng(seed)
    d = 12
    words = ["a", "b", "c", "d", "loud"] + [f"w{i}" for i in range(20)]
    puzzles = []
    for _ in range(3):
        a = _unit(rng.normal(size=d))
        b = _unit(a + 0.3 * _unit(rng.normal(size=d)))           # b close to a: c wins if not excluded
        c = _unit(rng.normal(size=d))
        t = _unit(b - a + c)
        dd = _unit(t + 0.5 * _unit(rng.normal(size=d)))          # the answer: cosine ~0.9 with the target
        loud = 30 * _unit(t + 1.2 * _unit(rng.normal(size=d)))   # long, but a worse direction
        # Rows of different lengths: a is long, the answer d is short.
        E = np.vstack([a * 3.0, b * 0.5, c, dd * 0.3, loud] + [_unit(rng.normal(size=d)) for _ in range(20)])
        puzzles.append(("a", "b", "c", E, words))
    return puzzles


def check_analogy(fn: Callable, strict: bool = False) -> bool:
    """``fn(a, b, c, E, words) -> word``: 3CosAdd, argmax over d of cos(d, b - a + c) with unit
    vectors, never answering a, b or c."""
    def test():
        for k, (a, b, c, E, words) in enumerate(analogy_puzzles()):
            want = _analogy_reference(a, b, c, E, words)
            got = fn(a, b, c, E.copy(), list(words))
            expect(got == want, f"puzzle {k}: expected {want!r}, got {got!r} "
                   "(hints: use unit-length vectors, and never answer one of the three question words)")
    return run_check("analogy solver", test, strict)
