"""Self-attention and the Transformer, as built in lecture 05 (reused by later lectures
and commands).

* ``attention``: softmax(q k^T / sqrt(d_k) + mask) v, the from-scratch reference.
* ``MultiHeadAttention``: heads reshaped into a batch dimension; self- or
  cross-attention, an optional causal mask, padding masks, a key/value cache for
  sampling, and torch's fused kernel (``F.scaled_dot_product_attention``) as an option.
  Its weights are laid out as ``nn.MultiheadAttention``'s (one (3d, d) input projection,
  then an output projection).
* ``Block``: attention and a position-wise feed-forward layer, each with a residual
  connection and layer norm, pre-norm (default) or post-norm; encoder (bidirectional) or
  decoder (causal, with optional cross-attention to an encoder's output).
* ``GPT``: a decoder-only character language model (learned positions, pre-norm blocks),
  ``forward(idx) -> logits``; trained by ``helpers.lm.fit_lm``, evaluated by
  ``helpers.evaluate.evaluate_bits`` and sampled by ``helpers.decoding.sample`` like
  the recurrent models (``helpers.decoding.generate`` samples with or without a
  key/value cache).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = [
    "GPT",
    "Block",
    "FeedForward",
    "MultiHeadAttention",
    "attention",
    "causal_mask",
    "sinusoidal_positions",
]


def causal_mask(T: int, S: int | None = None, device=None) -> torch.Tensor:
    """(T, S) boolean mask, True where query i may look at key j: j <= i + (S - T) (the
    last T of S positions are the queries, so with a cache of S - T earlier keys every
    query sees all of them)."""
    S = T if S is None else S
    i = torch.arange(T, device=device)[:, None] + (S - T)
    return torch.arange(S, device=device)[None, :] <= i


def attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    scale: float | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention from scratch.

    q (..., T, d_k), k (..., S, d_k), v (..., S, d_v); ``mask`` broadcastable to (...,
    T, S), True where attending is allowed (False scores become -inf before the
    softmax). Returns the output (..., T, d_v) and the attention weights (..., T, S).
    ``scale`` defaults to 1 / sqrt(d_k).
    """
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(
            "q (..., T, d_k), k (..., S, d_k), v (..., S, d_v) expected; got q "
            f"{tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}"
        )
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale  # (..., T, S)
    if mask is not None:
        if not mask.any(-1).all():
            raise ValueError(
                "mask: a query row is all False (no position to attend to): its "
                "softmax would be NaN; every query needs at least one True"
            )
        scores = scores.masked_fill(~mask, float("-inf"))
    # rows sum to 1
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights  # (..., T, d_v)


def sinusoidal_positions(n: int, d: int, base: float = 10000.0) -> torch.Tensor:
    """(n, d) sinusoidal encodings (Vaswani et al.): P[t, 2i] = sin(t w_i), P[t, 2i+1] =
    cos(t w_i), w_i = 1 / base ** (2i / d)."""
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    t = torch.arange(n, dtype=torch.float32)[:, None]  # (n, 1)
    w = base ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)  # (d/2,)
    P = torch.zeros(n, d)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P


class MultiHeadAttention(nn.Module):
    """Multi-head attention, d_model split into ``n_heads`` heads of d_model / n_heads.

    ``forward(x, memory=None, causal=False, key_padding_mask=None, cache=None)``: x (B,
    T, d) gives the queries; the keys and values come from ``memory`` (B, S, d) for
    cross-attention, else from x. ``key_padding_mask`` (B, S) is True at padding keys
    (torch's convention). ``cache`` (a dict, self-attention only) holds the keys and
    values of earlier positions and is extended in place. Returns (B, T, d); after a
    call, ``self.last_weights`` holds (B, h, T, S) when ``fused`` is False.
    """

    def __init__(
        self, d_model: int, n_heads: int, bias: bool = True, fused: bool = False
    ):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(
                f"d_model ({d_model}) must be divisible by n_heads ({n_heads})"
            )
        self.d_model, self.n_heads, self.fused = d_model, n_heads, fused
        # rows: W_q, W_k, W_v, as nn.MultiheadAttention
        self.in_proj = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.last_weights: torch.Tensor | None = None

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        # (B, T, d) -> (B, h, T, d / h)
        B, T, _ = x.shape
        return x.view(B, T, self.n_heads, self.d_model // self.n_heads).transpose(1, 2)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        causal: bool = False,
        key_padding_mask: torch.Tensor | None = None,
        cache: dict | None = None,
    ) -> torch.Tensor:
        B, T, d = x.shape
        if d != self.d_model:
            raise ValueError(
                f"expected inputs (B, T, {self.d_model}), got {tuple(x.shape)}"
            )
        W, b = self.in_proj.weight, self.in_proj.bias
        if memory is None:
            # 3 x (B, T, d)
            q, k, v = self.in_proj(x).split(d, dim=-1)
        else:
            # queries from the decoder
            q = F.linear(x, W[:d], None if b is None else b[:d])
            # keys, values: encoder
            k, v = F.linear(memory, W[d:], None if b is None else b[d:]).split(
                d, dim=-1
            )
        q, k, v = (self.split_heads(t) for t in (q, k, v))  # (B, h, T or S, d / h)
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        S = k.shape[2]
        mask = None
        if causal:
            mask = causal_mask(T, S, device=x.device)  # (T, S)
        if key_padding_mask is not None:
            if key_padding_mask.shape != (B, S):
                raise ValueError(
                    f"key_padding_mask must be (B, S) = {(B, S)}, got "
                    f"{tuple(key_padding_mask.shape)}"
                )
            keep = ~key_padding_mask[:, None, None, :]  # (B, 1, 1, S)
            mask = keep if mask is None else mask & keep
        if self.fused:
            if mask is None or (causal and key_padding_mask is None and T == S):
                out = F.scaled_dot_product_attention(
                    q, k, v, is_causal=causal and T > 1
                )
            else:
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            self.last_weights = None
        else:
            out, self.last_weights = attention(q, k, v, mask)  # (B, h, T, d / h)
        # heads concatenated
        out = out.transpose(1, 2).reshape(B, T, d)
        return self.out_proj(out)


class FeedForward(nn.Module):
    """Position-wise MLP: W_2 relu(W_1 x + b_1) + b_2 (GELU optional), d -> hidden ->
    d."""

    def __init__(
        self, d_model: int, hidden: int, activation: str = "gelu", dropout: float = 0.0
    ):
        super().__init__()
        act = {"relu": nn.ReLU(), "gelu": nn.GELU()}
        if activation not in act:
            raise ValueError(f"activation must be 'relu' or 'gelu', got {activation!r}")
        self.net = nn.Sequential(
            nn.Linear(d_model, hidden),
            act[activation],
            nn.Linear(hidden, d_model),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, T, d) -> (B, T, d)


class Block(nn.Module):
    """A Transformer block. Pre-norm: x + f(LN(x)); post-norm (the 2017 paper): LN(x +
    f(x)).

    ``causal=False`` is an encoder block; ``causal=True`` a decoder block, and
    ``cross=True`` adds cross-attention to an encoder's output ``memory`` between
    self-attention and the FFN.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        ffn_mult: int = 4,
        causal: bool = True,
        cross: bool = False,
        prenorm: bool = True,
        dropout: float = 0.0,
        fused: bool = False,
        activation: str = "gelu",
    ):
        super().__init__()
        self.causal, self.prenorm = causal, prenorm
        self.ln1, self.attn = (
            nn.LayerNorm(d_model),
            MultiHeadAttention(d_model, n_heads, fused=fused),
        )
        self.cross = (
            MultiHeadAttention(d_model, n_heads, fused=fused) if cross else None
        )
        self.ln_cross = nn.LayerNorm(d_model) if cross else None
        self.ln2, self.ffn = (
            nn.LayerNorm(d_model),
            FeedForward(d_model, ffn_mult * d_model, activation),
        )
        self.drop = nn.Dropout(dropout)

    def _sub(self, x, ln, f):
        return x + self.drop(f(ln(x))) if self.prenorm else ln(x + self.drop(f(x)))

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        key_padding_mask=None,
        memory_padding_mask=None,
        cache: dict | None = None,
    ) -> torch.Tensor:
        x = self._sub(
            x,
            self.ln1,
            lambda h: self.attn(
                h, causal=self.causal, key_padding_mask=key_padding_mask, cache=cache
            ),
        )
        if self.cross is not None:
            if memory is None:
                raise ValueError(
                    "this decoder block has cross-attention: pass the encoder's output "
                    "as memory"
                )
            x = self._sub(
                x,
                self.ln_cross,
                lambda h: self.cross(h, memory, key_padding_mask=memory_padding_mask),
            )
        return self._sub(x, self.ln2, self.ffn)  # (B, T, d)


class GPT(nn.Module):
    """Decoder-only Transformer language model: token + learned position embeddings,
    ``n_layer`` pre-norm causal blocks, a final layer norm and a linear layer to the
    vocabulary. ``forward(idx (B, T)) -> logits (B, T, V)``, T at most ``block_size``,
    in any mode; ``helpers.lm.fit_lm`` trains it on chunks read as sequences of their
    own, ``helpers.evaluate.lm_logits`` reads a longer text in windows.
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int = 128,
        n_layer: int = 4,
        n_head: int = 4,
        d_model: int = 128,
        dropout: float = 0.0,
        fused: bool = True,
    ):
        super().__init__()
        self.block_size = block_size
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(block_size, d_model)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(d_model, n_head, causal=True, dropout=dropout, fused=fused)
            for _ in range(n_layer)
        )
        self.ln_f = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        self.apply(self._init)
        for name, p in self.named_parameters():
            # GPT-2: scaled residual projections
            if name.endswith(("out_proj.weight", "net.2.weight")):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if getattr(m, "bias", None) is not None:
                nn.init.zeros_(m.bias)

    def forward(
        self, idx: torch.Tensor, caches: list[dict] | None = None
    ) -> torch.Tensor:
        """idx (B, T) -> logits (B, T, V). With ``caches`` (one dict a layer, extended
        in place), idx continues the cached positions."""
        T = idx.shape[1]
        start = 0 if not caches or "k" not in caches[0] else caches[0]["k"].shape[2]
        if start + T > self.block_size:
            raise ValueError(
                f"{start + T} positions exceed the context of {self.block_size}"
            )
        pos = torch.arange(start, start + T, device=idx.device)
        x = self.drop(self.tok(idx) + self.pos(pos))  # (B, T, d)
        for i, block in enumerate(self.blocks):
            x = block(x, cache=None if caches is None else caches[i])
        return self.head(self.ln_f(x))  # (B, T, V)
