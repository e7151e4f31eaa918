"""Checks for the exercises of lecture 02 (neural networks and backpropagation)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from . import call, check, expect, expect_close, expect_tuple


def _t(a) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)


# 1. The backward pass of a linear layer -----------------------------------------------
@check("linear layer backward")
def check_linear_backward(fn: Callable) -> None:
    """``fn(X, W, b, dY) -> (dX, dW, db)`` for Y = X W^T + b with X (B, n_in), W (n_out,
    n_in), b (n_out,), dY (B, n_out) the upstream gradient."""
    rng = np.random.default_rng(0)
    for B, n_in, n_out in [(4, 3, 2), (1, 5, 5), (6, 2, 7)]:
        X, W, b, dY = (
            rng.normal(size=(B, n_in)),
            rng.normal(size=(n_out, n_in)),
            rng.normal(size=n_out),
            rng.normal(size=(B, n_out)),
        )
        Xt, Wt, bt = _t(X), _t(W), _t(b)
        ((Xt @ Wt.T + bt) * torch.tensor(dY)).sum().backward()
        out = expect_tuple(call(fn, X, W, b, dY), "dX, dW, db")
        for name, got, want in zip(
            ("dX", "dW", "db"), out, (Xt.grad, Wt.grad, bt.grad)
        ):
            expect_close(
                got, want.numpy(), f"{name} for B={B}, n_in={n_in}, n_out={n_out}"
            )


# 2. Inverted dropout ------------------------------------------------------------------
@check("inverted dropout")
def check_dropout(fn: Callable) -> None:
    """``fn(x, p, u, train) -> y``: with uniform draws u (same shape as x), keep the
    units with u >= p and scale them by 1/(1-p) in training; the identity in
    evaluation."""
    rng = np.random.default_rng(1)
    for p in (0.5, 0.2, 0.0, 0.75):
        x, u = rng.normal(size=(8, 5)), rng.random(size=(8, 5))
        # draws exactly at the threshold are kept (u >= p)
        u[0, :2] = p
        want = np.where(u >= p, x / (1 - p), 0.0)
        expect_close(call(fn, x, p, u, True), want, f"training output with p={p}")
        expect_close(call(fn, x, p, u, False), x, f"evaluation output with p={p}")
    # The point of the scaling: the expected output equals the input.
    x = np.ones((200, 200))
    y = call(fn, x, 0.3, rng.random(size=x.shape), True)
    expect(
        abs(float(np.mean(y)) - 1.0) < 0.02,
        f"mean output should stay near 1 in training, got {np.mean(y):.3f}",
    )


# 3. One Adam step ---------------------------------------------------------------------
@check("Adam step")
def check_adam_step(fn: Callable) -> None:
    """``fn(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8) -> (theta,
    m, v)`` with bias-corrected moments; ``t`` counts steps from 1. Compared with
    torch.optim.Adam."""
    rng = np.random.default_rng(2)
    # a large first gradient, then small ones; then gradients so tiny that where the
    # epsilon goes matters (sqrt(v_hat) is of the order of eps)
    for scale, lr, betas, eps in [
        (lambda t: 10.0 if t == 1 else 0.1, 0.1, (0.8, 0.99), 1e-8),
        (lambda t: 3e-8, 0.01, (0.9, 0.999), 1e-8),
        (lambda t: 1e-6 * t, 0.05, (0.5, 0.9), 1e-6),
    ]:
        theta0 = rng.normal(size=6)
        p = torch.tensor(theta0.copy(), requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr, betas=betas, eps=eps)
        theta, m, v = theta0.copy(), np.zeros(6), np.zeros(6)
        for t in range(1, 6):
            g = rng.normal(size=6) * scale(t)
            p.grad = torch.tensor(g.copy())
            opt.step()
            out = call(
                fn, theta, g, m, v, t, lr=lr, beta1=betas[0], beta2=betas[1], eps=eps
            )
            theta, m, v = (
                np.asarray(a, dtype=np.float64)
                for a in expect_tuple(out, "theta, m, v")
            )
            expect_close(
                theta,
                p.detach().numpy(),
                f"parameters after step {t} (lr={lr}, betas={betas}, eps={eps}, "
                f"gradients of size {scale(t):.0e})",
                atol=1e-9,
                rtol=1e-7,
            )


# 4. Layer norm backward ---------------------------------------------------------------
@check("layer norm backward")
def check_layernorm_backward(fn: Callable) -> None:
    """``fn(x, gamma, dy, eps=1e-5) -> (dx, dgamma, dbeta)`` for y = gamma * (x - mean)
    / sqrt(var + eps) + beta over the last axis (biased variance), x (B, D), gamma (D,),
    dy (B, D)."""
    rng = np.random.default_rng(3)
    for B, D, spread, eps in [
        (3, 4, 2, 1e-5),
        (1, 6, 2, 1e-5),
        (5, 2, 2, 1e-5),
        (4, 5, 0.05, 1e-2),
    ]:
        x, gamma, beta, dy = (
            rng.normal(size=(B, D)) * spread,
            rng.normal(size=D),
            rng.normal(size=D),
            rng.normal(size=(B, D)),
        )
        xt, gt, bt = _t(x), _t(gamma), _t(beta)
        (
            torch.nn.functional.layer_norm(xt, (D,), gt, bt, eps=eps) * torch.tensor(dy)
        ).sum().backward()
        out = expect_tuple(call(fn, x, gamma, dy, eps), "dx, dgamma, dbeta")
        for name, got, want in zip(
            ("dx", "dgamma", "dbeta"), out, (xt.grad, gt.grad, bt.grad)
        ):
            expect_close(
                got,
                want.numpy(),
                f"{name} for x of shape ({B}, {D}), eps={eps}",
                atol=1e-7,
            )
