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


# 2. Dropout as the 2014 paper did it -----------------------------------------------
@check("dropout, scaled at evaluation")
def check_dropout(fn: Callable) -> None:
    """``fn(x, p, u, train) -> y``: the original, non-inverted dropout. With uniform
    draws u (same shape as x), training keeps the units with u >= p and zeroes the
    others, without scaling; evaluation uses every unit, scaled so that its output is
    the expected training output."""
    rng = np.random.default_rng(1)
    for p in (0.5, 0.2, 0.0, 0.75):
        x, u = rng.normal(size=(8, 5)), rng.random(size=(8, 5))
        # draws exactly at the threshold are kept (u >= p)
        u[0, :2] = p
        expect_close(
            call(fn, x, p, u, True),
            np.where(u >= p, x, 0.0),
            f"training output with p={p} (keep u >= p, no scaling)",
        )
        expect_close(
            call(fn, x, p, u, False),
            x * (1 - p),
            f"evaluation output with p={p} (it must equal the expected training "
            "output)",
        )
    # The point of the scaling: the same mean in training and in evaluation.
    x = np.ones((200, 200))
    y = call(fn, x, 0.3, rng.random(size=x.shape), True)
    z = call(fn, x, 0.3, rng.random(size=x.shape), False)
    expect(
        abs(float(np.mean(y)) - float(np.mean(z))) < 0.02,
        f"mean output {np.mean(y):.3f} in training but {np.mean(z):.3f} in evaluation",
    )


# 3. Adam with decoupled weight decay (AdamW) ------------------------------------------
@check("AdamW step")
def check_adam_step(fn: Callable) -> None:
    """``fn(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
    weight_decay=1e-2) -> (theta, m, v)``: one step of Adam with decoupled weight decay;
    ``t`` counts steps from 1. Compared with torch.optim.AdamW over five steps, with the
    arguments at their defaults and at other values, and with tiny gradients."""
    rng = np.random.default_rng(2)
    # a large first gradient, then small ones; gradients so tiny that where the
    # epsilon goes matters; every argument at a value of its own
    for scale, kw in [
        (lambda t: 10.0 if t == 1 else 0.1, {}),
        (
            lambda t: 3e-8,
            dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1),
        ),
        (
            lambda t: 1e-2 * t,
            dict(lr=0.05, beta1=0.5, beta2=0.9, eps=1e-6, weight_decay=0.5),
        ),
    ]:
        a = {**dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2), **kw}
        theta0 = rng.normal(size=6)
        p = torch.tensor(theta0.copy(), requires_grad=True)
        opt = torch.optim.AdamW(
            [p],
            lr=a["lr"],
            betas=(a["beta1"], a["beta2"]),
            eps=a["eps"],
            weight_decay=a["weight_decay"],
        )
        theta, m, v = theta0.copy(), np.zeros(6), np.zeros(6)
        how = ", ".join(f"{k}={x}" for k, x in kw.items()) or "default arguments"
        for t in range(1, 6):
            g = rng.normal(size=6) * scale(t)
            p.grad = torch.tensor(g.copy())
            opt.step()
            out = call(fn, theta, g, m, v, t, **kw)
            theta, m, v = (
                np.asarray(x, dtype=np.float64)
                for x in expect_tuple(out, "theta, m, v")
            )
            expect_close(
                theta,
                p.detach().numpy(),
                f"parameters after step {t} ({how}; gradients of size {scale(t):.0e})",
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


# 5. An initialisation scale (an experiment) -------------------------------------------
def _layer_grad_norms(std: float, width: int, depth: int = 20, seed: int = 0):
    """The norms of the gradient of a fixed linear read-out with respect to each layer's
    output (what backpropagation carries down), first layer first."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(64, width, generator=g, dtype=torch.float64).requires_grad_()
    r = torch.randn(64, width, generator=g, dtype=torch.float64)
    hs, h = [], x
    for _ in range(depth):
        W = torch.randn(width, width, generator=g, dtype=torch.float64) * std
        h = torch.tanh(h @ W.T)
        h.retain_grad()
        hs.append(h)
    (h * r).sum().backward()
    return [float(h.grad.norm()) for h in hs]


@check("initialisation scale")
def check_init_scale(fn: Callable) -> None:
    """``fn(width) -> std``: the standard deviation of the weights of a (width, width)
    layer such that in a 20-layer tanh network (no biases) the gradient norms at the
    first and the last layer's outputs stay within a factor of 10 of each other, for
    widths 32 to 512."""
    for width in (32, 128, 512):
        std = call(fn, width)
        expect(
            isinstance(std, (int, float, np.floating)) and float(std) > 0,
            f"width {width}: return a positive number, got {std!r}",
        )
        norms = _layer_grad_norms(float(std), width)
        first, last = norms[0], norms[-1]
        expect(
            np.isfinite(first) and first > 1e-30,
            f"width {width}, std {float(std):.3g}: the first layer's gradient vanished "
            f"(norm {first:.2g}; last layer {last:.2g})",
        )
        ratio = max(first, last) / min(first, last)
        expect(
            ratio <= 10,
            f"width {width}, std {float(std):.3g}: gradient norm {first:.3g} at the "
            f"first layer, {last:.3g} at the last: a factor of {ratio:.3g} "
            f"({'vanishing' if first < last else 'exploding'} towards the input)",
        )


# 6. Adam's first step (a prediction) --------------------------------------------------
@check("Adam's first step")
def check_adam_first_step(fn: Callable) -> None:
    """``fn(grad, lr, eps) -> update``: the change Adam makes to the parameters at its
    very first step (t = 1, m = v = 0), as a closed form of the gradient, for any betas:
    compared with torch.optim.Adam, with ordinary, huge and tiny gradients."""
    rng = np.random.default_rng(6)
    for scale, lr, eps, betas in [
        (1.0, 0.1, 1e-8, (0.9, 0.999)),
        (1e4, 0.01, 1e-8, (0.8, 0.99)),
        (1e-8, 0.1, 1e-8, (0.9, 0.999)),
        (1e-3, 0.5, 1e-3, (0.5, 0.9)),
    ]:
        grad = rng.normal(size=7) * scale
        p = torch.zeros(7, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr, eps=eps, betas=betas)
        p.grad = torch.tensor(grad)
        opt.step()
        got = call(fn, grad, lr, eps)
        expect_close(
            got,
            p.detach().numpy(),
            f"the first update for gradients of size {scale:g}, lr={lr}, eps={eps}",
            atol=1e-12,
            rtol=1e-6,
        )
