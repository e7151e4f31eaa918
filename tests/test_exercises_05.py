"""Each lecture-05 check accepts the reference and rejects plausible wrong answers."""

import math

import pytest
import torch

from helpers import transformer as tfm
from helpers.exercises import lecture05 as ex


def stub(*a, **k):
    raise NotImplementedError


CHECKS = [
    ex.check_attention,
    ex.check_causal_mask,
    ex.check_sinusoidal,
    ex.check_layer_norm,
    ex.check_split_heads,
]


@pytest.mark.parametrize("check", CHECKS)
def test_stub_not_attempted(check, capsys):
    assert check(stub) is False and "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", CHECKS)
def test_crashing_attempt_is_reported(check, capsys):
    def crash(*a, **k):
        raise RuntimeError("boom")

    assert check(crash) is False and "failed" in capsys.readouterr().out


# --- attention
def attn_ok(q, k, v, mask):
    return tfm.attention(q, k, v, mask)[0]


def attn_no_scale(q, k, v, mask):
    s = q @ k.transpose(-2, -1)
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    return torch.softmax(s, -1) @ v


def attn_transposed_mask(q, k, v, mask):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        m = (
            mask.T
            if mask.shape[0] == mask.shape[1]
            else mask.T[: mask.shape[0], : mask.shape[1]]
        )
        s = s.masked_fill(~m, float("-inf")) if m.shape == mask.shape else s
    return torch.softmax(s, -1) @ v


def attn_ignores_mask(q, k, v, mask):
    return tfm.attention(q, k, v)[0]


def attn_softmax_wrong_dim(q, k, v, mask):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, -1e9)
    return torch.softmax(s, -2) @ v


def attn_constant(q, k, v, mask):
    return torch.zeros(*q.shape[:-1], v.shape[-1])


def attn_mean_pool(q, k, v, mask):
    return v.mean(-2, keepdim=True).expand(*q.shape[:-1], v.shape[-1])


def attn_sqrt_d_v(q, k, v, mask):  # scaled by the value width instead of d_k
    return tfm.attention(q, k, v, mask, scale=1 / math.sqrt(v.shape[-1]))[0]


def test_attention():
    assert ex.check_attention(attn_ok, strict=True)
    for wrong in (
        attn_no_scale,
        attn_transposed_mask,
        attn_ignores_mask,
        attn_softmax_wrong_dim,
        attn_constant,
        attn_mean_pool,
        attn_sqrt_d_v,
    ):
        assert ex.check_attention(wrong) is False, wrong.__name__


# --- causal mask
def test_causal_mask():
    assert ex.check_causal_mask(
        lambda T: torch.tril(torch.ones(T, T, dtype=torch.bool)), strict=True
    )
    assert ex.check_causal_mask(lambda T: tfm.causal_mask(T), strict=True)
    wrongs = {
        "strict (j < i), off by one": lambda T: torch.tril(
            torch.ones(T, T, dtype=torch.bool), diagonal=-1
        ),
        "one step into the future": lambda T: torch.tril(
            torch.ones(T, T, dtype=torch.bool), diagonal=1
        ),
        "transposed": lambda T: torch.triu(torch.ones(T, T, dtype=torch.bool)),
        "constant, all allowed": lambda T: torch.ones(T, T, dtype=torch.bool),
        "additive float mask": lambda T: torch.triu(
            torch.full((T, T), float("-inf")), 1
        ),
        "wrong shape": lambda T: torch.ones(T, dtype=torch.bool),
    }
    for name, wrong in wrongs.items():
        assert ex.check_causal_mask(wrong) is False, name


# --- sinusoidal positions
def sin_base(base=10000.0, swap=False, exponent=2.0):
    def fn(n, d):
        t = torch.arange(n, dtype=torch.float32)[:, None]
        w = base ** (-exponent * torch.arange(d // 2, dtype=torch.float32) / d)
        P = torch.zeros(n, d)
        a, b = (torch.cos, torch.sin) if swap else (torch.sin, torch.cos)
        P[:, 0::2], P[:, 1::2] = a(t * w), b(t * w)
        return P

    return fn


def sin_halves(n, d):
    # sines in the first half, cosines in the second (another layout)
    P = sin_base()(n, d)
    return torch.cat([P[:, 0::2], P[:, 1::2]], 1)


def test_sinusoidal():
    assert ex.check_sinusoidal(sin_base(), strict=True)
    assert ex.check_sinusoidal(lambda n, d: tfm.sinusoidal_positions(n, d), strict=True)
    for name, wrong in {
        "base 1000 (the notes)": sin_base(1000.0),
        "sin and cos swapped": sin_base(swap=True),
        "exponent i/d": sin_base(exponent=1.0),
        "halves layout": sin_halves,
        "constant": lambda n, d: torch.zeros(n, d),
        "plain index": lambda n, d: torch.arange(n, dtype=torch.float32)[
            :, None
        ].expand(n, d),
    }.items():
        assert ex.check_sinusoidal(wrong) is False, name


# --- layer norm
def ln_ok(x, g, b, eps):
    mu, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=False, keepdim=True)
    return g * (x - mu) / torch.sqrt(var + eps) + b


def ln_notes(x, g, b, eps):  # (x - mu) / (sigma - eps): the notes' formula
    mu, sd = x.mean(-1, keepdim=True), x.std(-1, unbiased=False, keepdim=True)
    return g * (x - mu) / (sd - eps) + b


def ln_unbiased(x, g, b, eps):
    mu, var = x.mean(-1, keepdim=True), x.var(-1, unbiased=True, keepdim=True)
    return g * (x - mu) / torch.sqrt(var + eps) + b


def ln_eps_outside(x, g, b, eps):
    mu, sd = x.mean(-1, keepdim=True), x.std(-1, unbiased=False, keepdim=True)
    return g * (x - mu) / (sd + eps) + b


def ln_wrong_axis(x, g, b, eps):
    mu, var = x.mean(0, keepdim=True), x.var(0, unbiased=False, keepdim=True)
    return g * (x - mu) / torch.sqrt(var + eps) + b


def ln_no_affine(x, g, b, eps):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], eps=eps)


def test_layer_norm():
    assert ex.check_layer_norm(ln_ok, strict=True)
    for wrong in (
        ln_notes,
        ln_unbiased,
        ln_eps_outside,
        ln_wrong_axis,
        ln_no_affine,
        lambda x, g, b, eps: torch.zeros_like(x),
    ):
        assert ex.check_layer_norm(wrong) is False, getattr(
            wrong, "__name__", "constant"
        )


# --- split heads
def test_split_heads():
    assert ex.check_split_heads(
        lambda x, h: x.view(x.shape[0], x.shape[1], h, -1).transpose(1, 2), strict=True
    )
    wrongs = {
        "plain view, no transpose": lambda x, h: x.reshape(
            x.shape[0], h, x.shape[1], -1
        ),
        "interleaved features": lambda x, h: x.view(
            x.shape[0], x.shape[1], -1, h
        ).permute(0, 3, 1, 2),
        "no split": lambda x, h: x[:, None].expand(x.shape[0], h, *x.shape[1:]),
        "constant": lambda x, h: torch.zeros(
            x.shape[0], h, x.shape[1], x.shape[2] // h
        ),
    }
    for name, wrong in wrongs.items():
        assert ex.check_split_heads(wrong) is False, name
