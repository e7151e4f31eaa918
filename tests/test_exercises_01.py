"""Each lecture-01 check accepts the reference, says 'not attempted' for a stub, and
rejects plausible wrong answers."""

import numpy as np
import pytest

from helpers.exercises import ExerciseFailed
from helpers.exercises import lecture01 as ex


def stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check",
    [ex.check_context_pairs, ex.check_cbow, ex.check_glove_grad, ex.check_analogy],
)
def test_stub_is_not_attempted_and_never_raises(check, capsys):
    assert check(stub) is False
    assert "not attempted yet" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed):
        check(stub, strict=True)


def test_crashing_attempt_is_reported_not_raised(capsys):
    assert ex.check_cbow(lambda C, U, o: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


# 1. context pairs
def pairs_ok(tokens, window):
    return [
        (tokens[i], tokens[j])
        for i in range(len(tokens))
        for j in range(len(tokens))
        if i != j and abs(i - j) <= window
    ]


def pairs_off_by_one(tokens, window):
    return [
        (tokens[i], tokens[j])
        for i in range(len(tokens))
        for j in range(len(tokens))
        if i != j and abs(i - j) < window
    ]


def pairs_with_centre(tokens, window):
    return [
        (tokens[i], tokens[j])
        for i in range(len(tokens))
        for j in range(len(tokens))
        if abs(i - j) <= window
    ]


def pairs_right_only(tokens, window):
    return [
        (tokens[i], tokens[j])
        for i in range(len(tokens))
        for j in range(i + 1, min(len(tokens), i + window + 1))
    ]


def test_context_pairs():
    assert ex.check_context_pairs(pairs_ok, strict=True)
    for wrong in (pairs_off_by_one, pairs_with_centre, pairs_right_only):
        assert ex.check_context_pairs(wrong) is False, wrong.__name__


# 2. CBOW
def softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()


def cbow_ok(C, U, o):
    v = C.mean(0)
    p = softmax(U @ v)
    y = np.zeros(len(U))
    y[o] = 1
    return (
        -np.log(p[o]),
        np.tile(U.T @ (p - y) / len(C), (len(C), 1)),
        np.outer(p - y, v),
    )


def cbow_sum_not_mean(C, U, o):
    loss, dC, dU = cbow_ok(C, U, o)
    return loss, dC * len(C), dU


def cbow_sign_flipped(C, U, o):
    loss, dC, dU = cbow_ok(C, U, o)
    return loss, -dC, -dU


def cbow_no_softmax(C, U, o):
    v = C.mean(0)
    y = np.zeros(len(U))
    y[o] = 1
    s = U @ v
    return (
        -np.log(softmax(s)[o]),
        np.tile(U.T @ (s - y) / len(C), (len(C), 1)),
        np.outer(s - y, v),
    )


def test_cbow():
    assert ex.check_cbow(cbow_ok, strict=True)
    for wrong in (cbow_sum_not_mean, cbow_sign_flipped, cbow_no_softmax):
        assert ex.check_cbow(wrong) is False, wrong.__name__


# 3. GloVe
def glove_ok(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r


def glove_no_two(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    loss, *g = glove_ok(w, wt, b, bt, x, x_max, alpha)
    return (loss,) + tuple(v / 2 for v in g)


def glove_no_weight(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    r = w @ wt + b + bt - np.log(x)
    return r * r, 2 * r * wt, 2 * r * w, 2 * r, 2 * r


def glove_uncapped_weight(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    f = (x / x_max) ** alpha
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r


def glove_swapped(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    loss, dw, dwt, db, dbt = glove_ok(w, wt, b, bt, x, x_max, alpha)
    return loss, dwt, dw, db, dbt


def test_glove_grad():
    assert ex.check_glove_grad(glove_ok, strict=True)
    for wrong in (glove_no_two, glove_no_weight, glove_uncapped_weight, glove_swapped):
        assert ex.check_glove_grad(wrong) is False, wrong.__name__


# 4. analogies
def unit(E):
    return E / np.linalg.norm(E, axis=1, keepdims=True)


def analogy_ok(a, b, c, E, words):
    U, ix = unit(E), {w: i for i, w in enumerate(words)}
    s = U @ (U[ix[b]] - U[ix[a]] + U[ix[c]])
    s[[ix[a], ix[b], ix[c]]] = -np.inf
    return words[int(np.argmax(s))]


def analogy_no_exclusion(a, b, c, E, words):
    U, ix = unit(E), {w: i for i, w in enumerate(words)}
    return words[int(np.argmax(U @ (U[ix[b]] - U[ix[a]] + U[ix[c]])))]


def analogy_raw_vectors(a, b, c, E, words):
    ix = {w: i for i, w in enumerate(words)}
    s = E @ (E[ix[b]] - E[ix[a]] + E[ix[c]])
    s[[ix[a], ix[b], ix[c]]] = -np.inf
    return words[int(np.argmax(s))]


def analogy_wrong_direction(a, b, c, E, words):
    U, ix = unit(E), {w: i for i, w in enumerate(words)}
    s = U @ (U[ix[a]] - U[ix[b]] + U[ix[c]])
    s[[ix[a], ix[b], ix[c]]] = -np.inf
    return words[int(np.argmax(s))]


def test_analogy():
    assert ex.check_analogy(analogy_ok, strict=True)
    for wrong in (analogy_no_exclusion, analogy_raw_vectors, analogy_wrong_direction):
        assert ex.check_analogy(wrong) is False, wrong.__name__


# Constant answers and the hidden-reference loophole -----------------------------------
WORDS = sorted({w for p in ex._analogy_puzzles() for w in p[4]})


@pytest.mark.parametrize(
    "check, constant",
    [
        (ex.check_context_pairs, lambda tokens, window: []),
        (ex.check_context_pairs, lambda tokens, window: [("a", "b")]),
        (
            ex.check_context_pairs,
            lambda tokens, window: [
                (tokens[i], tokens[j])
                for i in range(len(tokens))
                # window ignored
                for j in range(len(tokens))
                if i != j
            ],
        ),
        (ex.check_cbow, lambda C, U, o: (0.0, np.zeros_like(C), np.zeros_like(U))),
        (
            ex.check_cbow,
            lambda C, U, o: (np.log(len(U)), np.zeros_like(C), np.zeros_like(U)),
        ),
        (
            ex.check_glove_grad,
            lambda w, wt, b, bt, x, x_max=100.0, alpha=0.75: (
                0.0,
                0 * w,
                0 * wt,
                0.0,
                0.0,
            ),
        ),
    ]
    + [
        (ex.check_analogy, (lambda word: lambda a, b, c, E, words: word)(w))
        for w in WORDS
    ]
    + [
        (ex.check_analogy, (lambda k: lambda a, b, c, E, words: words[k])(k))
        for k in range(25)
    ],
)
def test_constant_answers_fail(check, constant):
    assert check(constant) is False


def test_analogy_answers_differ_between_puzzles():
    puzzles = list(ex._analogy_puzzles())
    assert len(puzzles) >= 3 and len({p[5] for p in puzzles}) == len(puzzles)
    for a, b, c, E, words, digest in puzzles:
        # the stored digest is that of 3CosAdd's answer
        assert (
            ex._digest(analogy_ok(a, b, c, E, words)) == digest and digest not in words
        )


def test_no_reference_solver_to_call():
    assert not [name for name in dir(ex) if "reference" in name or "solution" in name]
    for name in dir(ex):
        if name.startswith("check_"):
            assert hasattr(getattr(ex, name), "__wrapped__"), (
                f"{name} is not built with @check"
            )
