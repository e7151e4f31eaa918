"""helpers.transformer equals the from-scratch formulas of lecture 05 and PyTorch's
built-ins."""

import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers import decoding, evaluate, lm, text
from helpers import transformer as tfm


def mha_pair(d=32, h=4, seed=0):
    torch.manual_seed(seed)
    ours = tfm.MultiHeadAttention(d, h)
    ref = nn.MultiheadAttention(d, h, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(ours.in_proj.weight)
        ref.in_proj_bias.copy_(ours.in_proj.bias)
        ref.out_proj.weight.copy_(ours.out_proj.weight)
        ref.out_proj.bias.copy_(ours.out_proj.bias)
    return ours, ref


def test_attention_matches_formula_and_sdpa():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    out, w = tfm.attention(q, k, v)
    want = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), -1) @ v
    assert torch.allclose(out, want, atol=1e-6) and torch.allclose(
        w.sum(-1), torch.ones(2, 3, 5)
    )
    assert torch.allclose(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5)
    mask = tfm.causal_mask(5, 7)
    assert torch.allclose(
        tfm.attention(q, k, v, mask)[0],
        F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
        atol=1e-5,
    )


def test_attention_shape_error():
    with pytest.raises(ValueError, match="d_k"):
        tfm.attention(torch.randn(3, 4), torch.randn(3, 5), torch.randn(3, 2))


def test_causal_mask_with_offset():
    assert torch.equal(
        tfm.causal_mask(3), torch.tril(torch.ones(3, 3, dtype=torch.bool))
    )
    # two new queries after three cached keys
    m = tfm.causal_mask(2, 5)
    assert m.tolist() == [
        [True, True, True, True, False],
        [True, True, True, True, True],
    ]


@pytest.mark.parametrize("fused", [False, True])
def test_mha_equals_torch(fused):
    ours, ref = mha_pair()
    ours.fused = fused
    x, mem = torch.randn(3, 6, 32), torch.randn(3, 9, 32)
    pad = torch.zeros(3, 9, dtype=torch.bool)
    pad[1, 5:] = True
    with torch.no_grad():
        assert (ours(x) - ref(x, x, x)[0]).abs().max() < 1e-5
        assert (
            ours(x, causal=True) - ref(x, x, x, attn_mask=~tfm.causal_mask(6))[0]
        ).abs().max() < 1e-5
        assert (
            ours(x, mem, key_padding_mask=pad)
            - ref(x, mem, mem, key_padding_mask=pad)[0]
        ).abs().max() < 1e-5


def test_mha_per_head_loop():
    ours, _ = mha_pair(d=16, h=2)
    x = torch.randn(2, 5, 16)
    d, h, dh = 16, 2, 8
    Wq, Wk, Wv = ours.in_proj.weight.split(d)
    bq, bk, bv = ours.in_proj.bias.split(d)
    heads = []
    for head in range(h):
        s = slice(head * dh, (head + 1) * dh)
        q, k, v = x @ Wq[s].T + bq[s], x @ Wk[s].T + bk[s], x @ Wv[s].T + bv[s]
        heads.append(torch.softmax(q @ k.transpose(1, 2) / math.sqrt(dh), -1) @ v)
    want = ours.out_proj(torch.cat(heads, -1))
    assert (ours(x) - want).abs().max() < 1e-5


def test_no_leak_from_the_future():
    ours, _ = mha_pair(d=8, h=2)
    x = torch.randn(5, 8)
    J = (
        torch.autograd.functional.jacobian(lambda x: ours(x[None], causal=True)[0], x)
        .abs()
        .sum((1, 3))
    )
    lower = torch.tril(torch.ones(5, 5, dtype=torch.bool))
    assert (J[~lower] == 0).all() and (J[lower] > 0).all()


def copy_block(ours, theirs, cross):
    def mha(a, b):
        b.in_proj_weight.copy_(a.in_proj.weight)
        b.in_proj_bias.copy_(a.in_proj.bias)
        b.out_proj.weight.copy_(a.out_proj.weight)
        b.out_proj.bias.copy_(a.out_proj.bias)

    with torch.no_grad():
        mha(ours.attn, theirs.self_attn)
        theirs.linear1.load_state_dict(ours.ffn.net[0].state_dict())
        theirs.linear2.load_state_dict(ours.ffn.net[2].state_dict())
        norms = (ours.ln1, ours.ln_cross, ours.ln2) if cross else (ours.ln1, ours.ln2)
        for n, name in zip(norms, ("norm1", "norm2", "norm3")):
            getattr(theirs, name).load_state_dict(n.state_dict())
        if cross:
            mha(ours.cross, theirs.multihead_attn)


@pytest.mark.parametrize("prenorm", [False, True])
def test_blocks_equal_torch_layers(prenorm):
    torch.manual_seed(0)
    d, h = 16, 4
    enc = tfm.Block(d, h, causal=False, prenorm=prenorm, activation="relu").eval()
    dec = tfm.Block(
        d, h, causal=True, cross=True, prenorm=prenorm, activation="relu"
    ).eval()
    t_enc = nn.TransformerEncoderLayer(
        d, h, 4 * d, dropout=0.0, batch_first=True, norm_first=prenorm
    ).eval()
    t_dec = nn.TransformerDecoderLayer(
        d, h, 4 * d, dropout=0.0, batch_first=True, norm_first=prenorm
    ).eval()
    copy_block(enc, t_enc, False)
    copy_block(dec, t_dec, True)
    src, tgt = torch.randn(2, 7, d), torch.randn(2, 4, d)
    with torch.no_grad():
        mem = enc(src)
        assert (mem - t_enc(src)).abs().max() < 1e-5
        causal = nn.Transformer.generate_square_subsequent_mask(4)
        assert (dec(tgt, mem) - t_dec(tgt, mem, tgt_mask=causal)).abs().max() < 1e-5
    with pytest.raises(ValueError, match="memory"):
        dec(tgt)


def test_sinusoidal_positions():
    P = tfm.sinusoidal_positions(50, 16)
    t, i = 7, 3
    assert abs(P[t, 2 * i] - math.sin(t / 10000 ** (2 * i / 16))) < 1e-6
    assert abs(P[t, 2 * i + 1] - math.cos(t / 10000 ** (2 * i / 16))) < 1e-6
    with pytest.raises(ValueError):
        tfm.sinusoidal_positions(4, 5)


def small_gpt(seed=0, fused=True):
    torch.manual_seed(seed)
    return tfm.GPT(11, block_size=16, n_layer=2, n_head=2, d_model=32, fused=fused)


def test_gpt_fused_equals_from_scratch():
    a, b = small_gpt(fused=True), small_gpt(fused=False)
    x = torch.randint(0, 11, (3, 16))
    assert (a(x) - b(x)).abs().max() < 1e-5


def test_gpt_is_causal():
    g = small_gpt()
    x = torch.randint(0, 11, (1, 12))
    y = x.clone()
    y[0, 8:] = (y[0, 8:] + 1) % 11
    assert torch.allclose(g(x)[:, :8], g(y)[:, :8], atol=1e-6)


def test_gpt_long_text_windows():
    g = small_gpt().eval()
    x = torch.randint(0, 11, (2, 50))
    logits, state = evaluate.lm_logits(g, x)
    assert logits.shape == (2, 50, 11) and state.shape == (2, 16)
    # first window
    assert torch.allclose(logits[:, :16], g(x[:, :16]), atol=1e-5)
    # window advanced by 8
    assert torch.allclose(logits[:, 16:24], g(x[:, 8:24])[:, 8:], atol=1e-5)
    with pytest.raises(ValueError, match="exceed"):
        g(torch.zeros(1, 17, dtype=torch.long))


def test_gpt_with_the_lm_loop():
    rng = np.random.default_rng(0)
    ids = np.tile(np.arange(11), 300)  # a periodic text: easy to learn
    ids = np.where(rng.random(len(ids)) < 0.02, rng.integers(0, 11, len(ids)), ids)
    g = small_gpt()
    hist = lm.fit_lm(
        g, ids[:3000], ids[3000:], steps=60, batch=8, seq_len=16, lr=3e-3, evals=2
    )
    assert hist.val_bits[-1] < hist.val_bits[0] and hist.val_bits[-1] < 2.0
    assert abs(evaluate.evaluate_bits(g, ids[3000:]) - hist.val_bits[-1]) < 1e-6
    vocab = text.Vocab.of_chars("abcdefghijk")
    assert len(decoding.sample(g, vocab, "abc", length=40)) == 43


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_kv_cache_same_tokens(temperature):
    g = small_gpt()
    prompt = torch.randint(0, 11, (2, 5))
    a = decoding.generate(g, prompt, 60, temperature=temperature, seed=3, cache=False)
    b = decoding.generate(g, prompt, 60, temperature=temperature, seed=3, cache=True)
    assert a.shape == (2, 65) and torch.equal(a, b) and torch.equal(a[:, :5], prompt)
    long_prompt = torch.randint(0, 11, (1, 40))  # longer than the context
    assert torch.equal(
        decoding.generate(g, long_prompt, 20, cache=False),
        decoding.generate(g, long_prompt, 20, cache=True),
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="divisible"):
        tfm.MultiHeadAttention(10, 3)
    m = tfm.MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match="expected inputs"):
        m(torch.randn(1, 3, 6))
    with pytest.raises(ValueError, match="key_padding_mask"):
        m(torch.randn(1, 3, 8), key_padding_mask=torch.zeros(1, 4, dtype=torch.bool))
