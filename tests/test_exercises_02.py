"""Each lecture-02 check accepts a correct answer and rejects plausible wrong ones."""

import numpy as np
import pytest

from helpers.exercises import lecture02 as ex


def stub(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check",
    [
        ex.check_linear_backward,
        ex.check_dropout,
        ex.check_adam_step,
        ex.check_layernorm_backward,
    ],
)
def test_stub_not_attempted(check, capsys):
    assert check(stub) is False and "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    "check, constant",
    [
        (
            ex.check_linear_backward,
            lambda X, W, b, dY: (np.zeros_like(X), np.zeros_like(W), np.zeros_like(b)),
        ),
        (ex.check_linear_backward, lambda X, W, b, dY: (X, W, b)),
        (ex.check_dropout, lambda x, p, u, train: x),
        (ex.check_dropout, lambda x, p, u, train: np.zeros_like(x)),
        (ex.check_adam_step, lambda theta, g, m, v, t, **kw: (theta, m, v)),
        (
            ex.check_adam_step,
            lambda theta, g, m, v, t, lr=1e-3, **kw: (theta - lr * np.sign(g), m, v),
        ),
        (
            ex.check_layernorm_backward,
            lambda x, gamma, dy, eps=1e-5: (
                np.zeros_like(x),
                np.zeros_like(gamma),
                np.zeros_like(gamma),
            ),
        ),
        # no normalisation
        (
            ex.check_layernorm_backward,
            lambda x, gamma, dy, eps=1e-5: (dy * gamma, (dy * x).sum(0), dy.sum(0)),
        ),
    ],
)
def test_constant_answers_fail(check, constant):
    assert check(constant) is False


def test_checks_use_the_decorator_and_hide_no_solver():
    assert not [name for name in dir(ex) if "reference" in name or "solution" in name]
    assert all(
        hasattr(getattr(ex, n), "__wrapped__")
        for n in dir(ex)
        if n.startswith("check_")
    )
