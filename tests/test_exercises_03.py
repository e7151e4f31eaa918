"""Each lecture-03 check accepts a correct answer and rejects plausible wrong ones."""

import numpy as np
import pytest
import torch

from helpers.exercises import lecture03 as ex


def stub(*a, **k):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check",
    [
        ex.check_add_k,
        ex.check_rnn_step,
        ex.check_lstm_cell,
        ex.check_sample_temperature,
    ],
)
def test_stub_not_attempted(check, capsys):
    assert check(stub) is False and "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    "check, constant",
    [
        (ex.check_add_k, lambda C, k: np.full_like(C, 1.0 / C.shape[1])),
        # unsmoothed
        (ex.check_add_k, lambda C, k: C / np.maximum(C.sum(1, keepdims=True), 1)),
        (ex.check_rnn_step, lambda x, h, W_e, W_h, b: h),
        (ex.check_rnn_step, lambda x, h, W_e, W_h, b: torch.zeros_like(h)),
        (ex.check_lstm_cell, lambda x, h, c, W, U, b: (h, c)),
        (
            ex.check_lstm_cell,
            lambda x, h, c, W, U, b: (torch.zeros_like(h), torch.zeros_like(c)),
        ),
    ]
    + [
        (ex.check_sample_temperature, (lambda k: lambda logits, T, u: k)(k))
        for k in range(5)
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
