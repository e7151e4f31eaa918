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


def lin_ok(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.sum(0)


def lin_dw_transposed(X, W, b, dY):
    return dY @ W, X.T @ dY, dY.sum(0)


def lin_db_mean(X, W, b, dY):
    return dY @ W, dY.T @ X, dY.mean(0)


def lin_dx_wrong(X, W, b, dY):
    return dY @ W / len(X), dY.T @ X, dY.sum(0)


def test_linear_backward():
    assert ex.check_linear_backward(lin_ok, strict=True)
    for wrong in (lin_dw_transposed, lin_db_mean, lin_dx_wrong):
        assert ex.check_linear_backward(wrong) is False, wrong.__name__


def drop_ok(x, p, u, train):
    return np.where(u >= p, x / (1 - p), 0.0) if train else x


def drop_unscaled(x, p, u, train):
    return np.where(u >= p, x, 0.0) if train else x


def drop_scaled_by_p(x, p, u, train):
    return np.where(u >= p, x / max(p, 1e-9), 0.0) if train else x


def drop_in_eval_too(x, p, u, train):
    return np.where(u >= p, x / (1 - p), 0.0)


def drop_classic(x, p, u, train):
    # old-style dropout: no scaling in training, scale in evaluation
    return np.where(u >= p, x, 0.0) if train else x * (1 - p)


def test_dropout():
    assert ex.check_dropout(drop_ok, strict=True)
    for wrong in (drop_unscaled, drop_scaled_by_p, drop_in_eval_too, drop_classic):
        assert ex.check_dropout(wrong) is False, wrong.__name__


def adam_ok(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * mh / (np.sqrt(vh) + eps), m, v


def adam_no_bias_correction(
    theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8
):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    mh, vh = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * mh / np.sqrt(vh + 1e-2), m, v


def adam_raw_grad(theta, g, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # RMSprop-like
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    vh = v / (1 - beta2**t)
    return theta - lr * g / (np.sqrt(vh) + eps), m, v


def test_adam():
    assert ex.check_adam_step(adam_ok, strict=True)
    for wrong in (adam_no_bias_correction, adam_eps_inside, adam_raw_grad):
        assert ex.check_adam_step(wrong) is False, wrong.__name__


def ln_ok(x, gamma, dy, eps=1e-5):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    xh = (x - mu) / np.sqrt(var + eps)
    dxh = dy * gamma
    dx = (
        dxh - dxh.mean(-1, keepdims=True) - xh * (dxh * xh).mean(-1, keepdims=True)
    ) / np.sqrt(var + eps)
    return dx, (dy * xh).sum(0), dy.sum(0)


def ln_ignores_stats(x, gamma, dy, eps=1e-5):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    xh = (x - mu) / np.sqrt(var + eps)
    return dy * gamma / np.sqrt(var + eps), (dy * xh).sum(0), dy.sum(0)


def ln_ignores_var(x, gamma, dy, eps=1e-5):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    xh = (x - mu) / np.sqrt(var + eps)
    dxh = dy * gamma
    return (
        (dxh - dxh.mean(-1, keepdims=True)) / np.sqrt(var + eps),
        (dy * xh).sum(0),
        dy.sum(0),
    )


def ln_unbiased(x, gamma, dy, eps=1e-5):
    mu, var = x.mean(-1, keepdims=True), x.var(-1, ddof=1, keepdims=True)
    xh = (x - mu) / np.sqrt(var + eps)
    dxh = dy * gamma
    dx = (
        dxh - dxh.mean(-1, keepdims=True) - xh * (dxh * xh).mean(-1, keepdims=True)
    ) / np.sqrt(var + eps)
    return dx, (dy * xh).sum(0), dy.sum(0)


def test_layernorm_backward():
    assert ex.check_layernorm_backward(ln_ok, strict=True)
    for wrong in (ln_ignores_stats, ln_ignores_var, ln_unbiased):
        assert ex.check_layernorm_backward(wrong) is False, wrong.__name__


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
