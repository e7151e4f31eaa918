"""Checks for the exercises of lecture 01 (word vectors). Each ``check_*`` takes the
student's function, compares it with what autograd (or the definition) gives on several
inputs, and prints a verdict. The expected values are computed inside the checks: there
is no reference solver here to call instead of writing one."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Callable

import numpy as np
import torch

from . import call, check, expect, expect_close, expect_tuple


# 1. Context windows -------------------------------------------------------------------
@check("context pairs")
def check_context_pairs(fn: Callable) -> None:
    """``fn(tokens, window) -> [(centre, context), ...]`` with every context within
    ``window``."""
    cases = [
        ("problems turning into banking crises as".split(), 2),
        ("a b c d e f g".split(), 1),
        ("the cat sat".split(), 5),
        (["alone"], 3),
        # repeated words: a word can be its own context, and a pair can occur twice
        ("a rose is a rose is a rose".split(), 3),
        ("the cat saw the cat".split(), 2),
        ([], 2),
    ]
    for tokens, window in cases:
        got = call(fn, list(tokens), window)
        expect(
            all(isinstance(p, (tuple, list)) and len(p) == 2 for p in got),
            f"for tokens={tokens}: return a list of (centre, context) pairs",
        )
        want = [
            (tokens[i], tokens[j])
            for i in range(len(tokens))
            for j in range(len(tokens))
            if 0 < abs(i - j) <= window
        ]
        got_c = Counter(tuple(p) for p in got)
        expect(
            got_c == Counter(want),
            f"for tokens={tokens}, window={window}: expected {len(want)} pairs, got "
            f"{len(got)}; missing {sorted((Counter(want) - got_c).elements())[:3]}, "
            f"unexpected {sorted((got_c - Counter(want)).elements())[:3]}",
        )


# 2. CBOW with the full softmax --------------------------------------------------------
@check("CBOW loss and gradients")
def check_cbow(fn: Callable) -> None:
    """``fn(C, U, o) -> (loss, dC, dU)``: CBOW loss -log softmax(U v_hat)[o], v_hat =
    mean of the context vectors C (2m, d); gradients with respect to C and U."""
    rng = np.random.default_rng(1)
    for m2, V, d, o in [(4, 7, 5, 3), (2, 4, 3, 0), (6, 10, 8, 9)]:
        C, U = rng.normal(size=(m2, d)), rng.normal(size=(V, d))
        loss, dC, dU = expect_tuple(call(fn, C, U, o), "loss, dC, dU")
        Ct, Ut = (
            torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (C, U)
        )
        # autograd gives the gradients
        want = -torch.log_softmax(Ut @ Ct.mean(0), 0)[o]
        want.backward()
        expect_close(loss, want.item(), f"loss (context {m2}x{d}, V={V})")
        expect_close(dC, Ct.grad.numpy(), f"dC (context {m2}x{d}, V={V})")
        expect_close(dU, Ut.grad.numpy(), f"dU (context {m2}x{d}, V={V})")


# 3. GloVe's loss and gradient for one cell --------------------------------------------
@check("GloVe loss and gradient")
def check_glove_grad(fn: Callable) -> None:
    """``fn(w, wt, b, bt, x, x_max=100, alpha=0.75) -> (loss, dw, dwt, db, dbt)`` for
    one cell of the co-occurrence matrix: f(x) (w.wt + b + bt - log x)^2, with x_max
    and alpha at their defaults and at other values."""
    rng = np.random.default_rng(2)
    for x, x_max, alpha in [
        (3.0, None, None),
        (250.0, None, None),
        (0.5, None, None),
        (40.0, 10.0, 0.5),
        (40.0, 300.0, 1.0),
        (7.0, 20.0, 0.25),
    ]:
        w, wt = rng.normal(size=5) * 0.5, rng.normal(size=5) * 0.5
        b, bt = float(rng.normal()), float(rng.normal())
        if x_max is None:
            out = call(fn, w, wt, b, bt, x)
            x_max, alpha, how = 100.0, 0.75, f"x={x} (x_max, alpha by default)"
        else:
            out = call(fn, w, wt, b, bt, x, x_max, alpha)
            how = f"x={x}, x_max={x_max}, alpha={alpha}"
        out = expect_tuple(out, "loss, dw, dwt, db, dbt")
        t = [
            torch.tensor(v, dtype=torch.float64, requires_grad=True)
            for v in (w, wt, b, bt)
        ]
        f = min(1.0, (x / x_max) ** alpha)
        loss = f * ((t[0] @ t[1]) + t[2] + t[3] - np.log(x)) ** 2
        loss.backward()
        want = (loss.item(),) + tuple(v.grad.numpy() for v in t)
        for name, g, r in zip(("loss", "dw", "dwt", "db", "dbt"), out, want):
            expect_close(g, r, f"{name} at {how}")


# 4. Analogies by vector arithmetic ----------------------------------------------------
def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _digest(word) -> str:
    return hashlib.sha256(str(word).encode()).hexdigest()


def _analogy_puzzles(n: int = 4, seed: int = 0):
    """Small synthetic vocabularies where each shortcut gives another answer than
    3CosAdd: forgetting to exclude one or more of the question words (a, b or c),
    forgetting to normalise the vectors, or taking a - b + c; every shortcut is beaten
    by at least one puzzle. Rows and names are shuffled so that the right answer
    is a different word in every puzzle. Yields ``(a, b, c, E, words, answer_digest)``:
    the answer's SHA-256, not the answer."""
    rng = np.random.default_rng(seed)
    d, V = 12, 25
    names = [
        "bank",
        "river",
        "money",
        "shore",
        "lamp",
        "cat",
        "dog",
        "tree",
        "king",
        "queen",
        "city",
        "paris",
        "rome",
        "train",
        "car",
        "sea",
        "sun",
        "moon",
        "red",
        "blue",
        "gold",
        "iron",
        "wind",
        "snow",
        "rain",
    ]
    # each shortcut: (exclude which question words, unit vectors?, b - a + c?)
    shortcuts = {
        "no exclusion": ((), True, True),
        "a not excluded": (("b", "c"), True, True),
        "only c excluded": (("c",), True, True),
        "b not excluded": (("a", "c"), True, True),
        "c not excluded": (("a", "b"), True, True),
        "raw vectors": (("a", "b", "c"), False, True),
        "a - b + c": (("a", "b", "c"), True, False),
    }
    defeated: set[str] = set()
    answers: set[str] = set()
    for attempt in range(2000):
        if len(answers) >= n and defeated == set(shortcuts):
            break
        mode = attempt % 3
        a = _unit(rng.normal(size=d))
        if mode == 0:  # b close to a: the target is near c
            b = _unit(a + 0.3 * _unit(rng.normal(size=d)))
            c = _unit(rng.normal(size=d))
        elif mode == 1:  # c close to a: the target is near b
            b = _unit(rng.normal(size=d))
            c = _unit(a + 0.3 * _unit(rng.normal(size=d)))
        else:  # all three close: the target is near a as well
            b = _unit(a + 0.25 * _unit(rng.normal(size=d)))
            c = _unit(a + 0.25 * _unit(rng.normal(size=d)))
        t = _unit(b - a + c)
        # the answer: close to the target
        dd = _unit(t + rng.uniform(0.2, 0.6) * _unit(rng.normal(size=d)))
        # long, but a worse direction
        loud = 30 * _unit(t + 1.2 * _unit(rng.normal(size=d)))
        rows = np.vstack(
            [a * 3.0, b * 0.5, c, dd * 0.3, loud]
            + [_unit(rng.normal(size=d)) for _ in range(V - 5)]
        )
        # row k of E is rows[order[k]]
        order = rng.permutation(V)
        E = rows[order]
        words = [names[i] for i in rng.permutation(V)]
        # where each construction row went
        pos = {int(r): k for k, r in enumerate(order)}
        qa, qb, qc, ans = (words[pos[r]] for r in (0, 1, 2, 3))
        if ans in answers:
            continue
        query = {"a": qa, "b": qb, "c": qc}
        ix = {w: k for k, w in enumerate(words)}

        def best(exclude, unit, offset):
            M = _unit(E) if unit else E
            target = (
                M[ix[qb]] - M[ix[qa]] + M[ix[qc]]
                if offset
                else M[ix[qa]] - M[ix[qb]] + M[ix[qc]]
            )
            scores = M @ target
            for q in exclude:
                scores[ix[query[q]]] = -np.inf
            return words[int(np.argmax(scores))]

        if best(("a", "b", "c"), True, True) != ans:
            continue
        beaten = {name for name, how in shortcuts.items() if best(*how) != ans}
        # keep a puzzle that beats every shortcut, or one not yet beaten
        if beaten == set(shortcuts) or beaten - defeated:
            defeated |= beaten
            answers.add(ans)
            yield qa, qb, qc, E, words, _digest(ans)


@check("analogy solver")
def check_analogy(fn: Callable) -> None:
    """``fn(a, b, c, E, words) -> word``: 3CosAdd, argmax over d of cos(d, b - a + c)
    with unit vectors, never answering a, b or c."""
    for k, (a, b, c, E, words, want) in enumerate(_analogy_puzzles()):
        got = call(fn, a, b, c, E, list(words))
        expect(
            got in words,
            f"puzzle {k}: the answer must be one of the words, got {got!r}",
        )
        expect(
            got not in (a, b, c),
            f"puzzle {k} ({a} : {b} :: {c} : ?): got {got!r}, one of the question "
            "words",
        )
        expect(
            _digest(got) == want,
            f"puzzle {k} ({a} : {b} :: {c} : ?): {got!r} is not the word whose unit "
            "vector is closest to b - a + c (hint: use unit-length vectors)",
        )


# 5. How many training pairs? (a counting argument) ------------------------------------
@check("number of context pairs")
def check_n_pairs(fn: Callable) -> None:
    """``fn(n, window) -> int``: how many (centre, context) pairs a sentence of ``n``
    tokens gives with a window of ``window`` words each side, by a formula (no loop over
    the tokens): compared with counting for every n up to 40 and window up to 12,
    including sentences shorter than the window."""
    for window in range(0, 13):
        for n in range(0, 41):
            want = sum(
                1 for i in range(n) for j in range(n) if 0 < abs(i - j) <= window
            )
            got = call(fn, n, window)
            expect(
                isinstance(got, (int, np.integer)) or float(got) == int(got),
                f"n={n}, window={window}: a count is a whole number, got {got!r}",
            )
            expect(
                int(got) == want,
                f"n={n} tokens, window={window}: expected {want} pairs, got {got}"
                + (" (the sentence is shorter than the window)" if n <= window else ""),
            )


# 6. Cosine against dot product (a design) --------------------------------------------
@check("cosine against dot product")
def check_cosine_vs_dot(fn: Callable) -> None:
    """``fn() -> {"cat": v, "dog": v, "the": v}``, three 2-D vectors such that "dog" is
    the nearest to "cat" by cosine but "the" is the nearest by dot product."""
    vecs = call(fn)
    expect(
        isinstance(vecs, dict) and {"cat", "dog", "the"} <= set(vecs),
        'return a dict with the vectors of "cat", "dog" and "the"',
    )
    v = {w: np.asarray(vecs[w], dtype=np.float64) for w in ("cat", "dog", "the")}
    for w, x in v.items():
        expect(x.shape == (2,), f"{w!r}: a 2-D vector, got shape {x.shape}")
        expect(bool(np.isfinite(x).all()), f"{w!r}: finite numbers, got {x}")
        expect(float(np.linalg.norm(x)) > 1e-6, f"{w!r}: the zero vector has no cosine")

    def cos(a, b):
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

    c_dog, c_the = cos(v["cat"], v["dog"]), cos(v["cat"], v["the"])
    d_dog, d_the = float(v["cat"] @ v["dog"]), float(v["cat"] @ v["the"])
    expect(
        c_dog > c_the + 1e-6,
        f'by cosine "dog" must be nearer to "cat" than "the" is: cos(cat, dog) = '
        f"{c_dog:.3f}, cos(cat, the) = {c_the:.3f}",
    )
    expect(
        d_the > d_dog + 1e-6,
        f'by dot product "the" must be nearer to "cat" than "dog" is: cat . the = '
        f"{d_the:.3f}, cat . dog = {d_dog:.3f} (what does a dot product have that a "
        "cosine does not?)",
    )
