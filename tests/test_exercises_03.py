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


def addk_ok(C, k):
    return (C + k) / (C.sum(1, keepdims=True) + k * C.shape[1])


def addk_no_kV(C, k):
    return (C + k) / np.maximum(C.sum(1, keepdims=True), 1)


def addk_columns(C, k):
    return (C + k) / (C.sum(0, keepdims=True) + k * C.shape[0])


def addk_only_seen(C, k):
    Ck = np.where(C > 0, C + k, 0)
    return Ck / np.maximum(Ck.sum(1, keepdims=True), 1e-12)


def test_add_k():
    assert ex.check_add_k(addk_ok, strict=True)
    for wrong in (addk_no_kV, addk_columns, addk_only_seen):
        assert ex.check_add_k(wrong) is False, wrong.__name__


def rnn_ok(x, h, W_e, W_h, b):
    return torch.tanh(x @ W_e.T + h @ W_h.T + b)


def rnn_sigmoid(x, h, W_e, W_h, b):
    return torch.sigmoid(x @ W_e.T + h @ W_h.T + b)


def rnn_no_recurrence(x, h, W_e, W_h, b):
    return torch.tanh(x @ W_e.T + b)


def rnn_wh_transposed(x, h, W_e, W_h, b):
    return torch.tanh(x @ W_e.T + h @ W_h + b)


def test_rnn_step():
    assert ex.check_rnn_step(rnn_ok, strict=True)
    for wrong in (rnn_sigmoid, rnn_no_recurrence, rnn_wh_transposed):
        assert ex.check_rnn_step(wrong) is False, wrong.__name__


def lstm_ok(x, h, c, W, U, b):
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_gate_order(x, h, c, W, U, b):
    # i, f, o, g: the order of many papers, not PyTorch's
    i, f, o, g = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def lstm_no_tanh_out(x, h, c, W, U, b):
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * c, c


def lstm_no_forget(x, h, c, W, U, b):
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c = c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def test_lstm_cell():
    assert ex.check_lstm_cell(lstm_ok, strict=True)
    for wrong in (lstm_gate_order, lstm_no_tanh_out, lstm_no_forget):
        assert ex.check_lstm_cell(wrong) is False, wrong.__name__


def samp_ok(logits, T, u):
    if T == 0:
        return int(np.argmax(logits))
    p = np.exp(logits / T - (logits / T).max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


def samp_times_T(logits, T, u):
    if T == 0:
        return int(np.argmax(logits))
    p = np.exp(logits * T - (logits * T).max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


def samp_ignores_T(logits, T, u):
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


def samp_greedy(logits, T, u):
    return int(np.argmax(logits))


def test_sample_temperature():
    assert ex.check_sample_temperature(samp_ok, strict=True)
    for wrong in (samp_times_T, samp_ignores_T, samp_greedy):
        assert ex.check_sample_temperature(wrong) is False, wrong.__name__


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
