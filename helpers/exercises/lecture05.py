"""Checks for the exercises of lecture 05 (self-attention and Transformers)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import call, check, expect, expect_close


def _reference_attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, -1) @ v


def _tensor(x, what):
    expect(
        isinstance(x, torch.Tensor),
        f"{what}: return a torch tensor, got {type(x).__name__}",
    )
    return x.detach()


@check("scaled dot-product attention")
def check_attention(fn):
    """``fn(q, k, v, mask) -> out``: softmax(q k^T / sqrt(d_k)) v with q (..., T, d_k),
    k (..., S, d_k), v (..., S, d_v); ``mask`` is None or a boolean (T, S) tensor, True
    where attending is allowed."""
    g = torch.Generator().manual_seed(5)
    for shape_q, S, d_v, masked in [
        ((2, 4, 8), 4, 8, False),
        ((3, 5, 16), 5, 6, True),
        ((2, 2, 3, 16), 7, 4, True),
    ]:
        *lead, T, d_k = shape_q
        q = torch.randn(*shape_q, generator=g) * 2
        k, v = (
            torch.randn(*lead, S, d_k, generator=g) * 2,
            torch.randn(*lead, S, d_v, generator=g),
        )
        mask = None
        if masked:
            mask = torch.rand(T, S, generator=g) > 0.4
            # every query may see at least one key
            mask[:, 0] = True
        want = _reference_attention(q, k, v, mask)
        got = _tensor(
            call(fn, q, k, v, mask),
            "output",
        )
        what = f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}" + (
            ", with a mask" if masked else ""
        )
        expect(
            got.shape == want.shape,
            f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}",
        )
        expect(not torch.isnan(got).any(), f"{what}: the output has NaNs")
        expect_close(got, want, what, atol=1e-5, rtol=1e-4)


@check("causal mask")
def check_causal_mask(fn):
    """``fn(T) -> mask``: a boolean (T, T) tensor, True where query i may attend to key
    j (j <= i)."""
    for T in (1, 2, 5, 9):
        want = torch.tril(torch.ones(T, T, dtype=torch.bool))
        got = call(fn, T)
        expect(
            isinstance(got, torch.Tensor) and got.dtype == torch.bool,
            f"T={T}: return a boolean tensor (True = may attend), got "
            f"{getattr(got, 'dtype', type(got).__name__)}",
        )
        expect(
            got.shape == (T, T),
            f"T={T}: expected shape {(T, T)}, got {tuple(got.shape)}",
        )
        if not torch.equal(got, want):
            bad = (got != want).nonzero()[0].tolist()
            expect(
                False,
                f"T={T}: entry (query {bad[0]}, key {bad[1]}) should be "
                f"{bool(want[bad[0], bad[1]])} "
                "(a query sees itself and every earlier key, nothing later)",
            )


@check("sinusoidal positional encoding")
def check_sinusoidal(fn):
    """``fn(n, d) -> P``: (n, d) with P[t, 2i] = sin(t / 10000^(2i/d)), P[t, 2i+1] =
    cos(t / 10000^(2i/d))."""
    for n, d in ((10, 8), (50, 32), (3, 2)):
        t = torch.arange(n, dtype=torch.float64)[:, None]
        w = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
        want = torch.zeros(n, d, dtype=torch.float64)
        want[:, 0::2], want[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
        got = _tensor(torch.as_tensor(call(fn, n, d)), f"P for n={n}, d={d}")
        expect_close(got, want, f"P for n={n}, d={d}", atol=1e-4)


@check("layer normalisation over several dimensions")
def check_layer_norm(fn):
    """``fn(x, gamma, beta, eps) -> y``: normalise x over its trailing dimensions, as
    many as gamma has (gamma and beta share their shape with those dimensions), as
    ``F.layer_norm(x, gamma.shape, gamma, beta, eps)``: the variance with 1/n."""
    g = torch.Generator().manual_seed(6)
    for shape, norm, spread, eps in (
        ((4, 6), (6,), 3.0, 1e-5),
        ((2, 3, 5), (5,), 1.0, 1e-5),
        ((3, 8), (8,), 1e-3, 1e-4),
        ((4, 3, 5), (3, 5), 2.0, 1e-5),
        ((2, 2, 3, 4), (3, 4), 1e-2, 1e-3),
        ((3, 2, 4), (2, 4), 1.0, 0.5),
    ):
        x = torch.randn(*shape, generator=g) * spread + 2
        gamma, beta = (
            torch.rand(norm, generator=g) + 0.5,
            torch.randn(norm, generator=g),
        )
        want = F.layer_norm(x, norm, gamma, beta, eps)
        got = _tensor(call(fn, x, gamma, beta, eps), "output")
        expect_close(
            got,
            want,
            f"x {tuple(shape)}, gamma {tuple(norm)}, spread {spread}, eps {eps}",
            atol=1e-4,
            rtol=1e-4,
        )


@check("merging the heads")
def check_merge_heads(fn):
    """``fn(heads) -> x``: (B, h, T, d / h) back to (B, T, d), the inverse of the
    notebook's split: feature l*d/h + j of position t is heads[b, l, t, j]."""
    for B, T, d, h in ((2, 3, 8, 2), (1, 5, 12, 3), (3, 4, 8, 4), (2, 4, 6, 1)):
        x = torch.arange(B * T * d, dtype=torch.float32).view(B, T, d)
        heads = x.view(B, T, h, d // h).transpose(1, 2)
        got = _tensor(call(fn, heads), "x")
        expect(
            got.shape == x.shape,
            f"B={B}, h={h}, T={T}, d/h={d // h}: expected shape {tuple(x.shape)}, "
            f"got {tuple(got.shape)}",
        )
        expect_close(
            got, x, f"B={B}, h={h}, T={T}, d/h={d // h} (x[b, t, f] = its own index)"
        )


# 6. The scale of the scores (a design) ------------------------------------------------
def _mean_entropy(c: float, d: int, S: int = 32, n: int = 64) -> float:
    g = torch.Generator().manual_seed(d)
    q = torch.randn(n, d, generator=g, dtype=torch.float64)
    k = torch.randn(S, d, generator=g, dtype=torch.float64)
    p = torch.softmax(c * (q @ k.T), -1)
    return float(-(p * p.clamp_min(1e-300).log()).sum(-1).mean())


@check("the scale of the scores")
def check_score_scale(fn):
    """``fn(d) -> c``: a factor for the dot products q . k of d-dimensional queries and
    keys with independent unit-variance entries such that the softmax over 32 keys
    keeps the same entropy (within 10 %) for d from 16 to 1024, neither uniform nor
    one-hot (between 10 % and 97 % of the uniform's)."""
    S = 32
    H = {}
    for d in (16, 64, 256, 1024):
        c = call(fn, d)
        expect(
            isinstance(c, (int, float)) or (hasattr(c, "item") and c.numel() == 1),
            f"d={d}: return a number, got {c!r}",
        )
        H[d] = _mean_entropy(float(c), d, S)
        expect(
            0.1 * math.log(S) <= H[d] <= 0.97 * math.log(S),
            f"d={d}, c={float(c):.3g}: the attention's entropy is {H[d]:.3f} nats, "
            f"{H[d] / math.log(S):.0%} of the uniform's: "
            + ("nearly uniform" if H[d] > 0.97 * math.log(S) else "nearly one-hot"),
        )
    lo, hi = min(H.values()), max(H.values())
    expect(
        hi <= 1.1 * lo,
        "the entropy changes with d: "
        + ", ".join(f"d={d}: {h:.3f}" for d, h in H.items())
        + " nats",
    )


# 7. The mask for a KV cache (a design) ------------------------------------------------
@check("the causal mask with a cache")
def check_cache_mask(fn):
    """``fn(T_past, T_new) -> mask``: a boolean (T_new, T_past + T_new) tensor for
    T_new new queries against the T_past cached keys followed by the new ones: True
    where the query may attend."""
    for T_past, T_new in [(0, 1), (0, 4), (3, 1), (3, 2), (5, 4), (1, 6)]:
        T = T_past + T_new
        want = torch.ones(T_new, T, dtype=torch.bool).tril(diagonal=T_past)
        got = call(fn, T_past, T_new)
        expect(
            isinstance(got, torch.Tensor) and got.dtype == torch.bool,
            f"T_past={T_past}, T_new={T_new}: return a boolean tensor, got "
            f"{getattr(got, 'dtype', type(got).__name__)}",
        )
        expect(
            tuple(got.shape) == (T_new, T),
            f"T_past={T_past}, T_new={T_new}: expected shape {(T_new, T)} (one row "
            f"a new query, one column a key), got {tuple(got.shape)}",
        )
        if not torch.equal(got, want):
            i, j = (got != want).nonzero()[0].tolist()
            expect(
                False,
                f"T_past={T_past}, T_new={T_new}: new query {i} (position "
                f"{T_past + i}) and key {j} should be {bool(want[i, j])}",
            )
