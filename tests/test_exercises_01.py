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


def unit(E):
    return E / np.linalg.norm(E, axis=1, keepdims=True)


def analogy_ok(a, b, c, E, words):
    U, ix = unit(E), {w: i for i, w in enumerate(words)}
    s = U @ (U[ix[b]] - U[ix[a]] + U[ix[c]])
    s[[ix[a], ix[b], ix[c]]] = -np.inf
    return words[int(np.argmax(s))]


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
