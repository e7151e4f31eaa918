"""Translation models (lectures 04, 05) and their training: ``Attention`` (three scores
and mean pooling), ``Seq2Seq`` (a bidirectional LSTM encoder, an LSTM decoder that is a
conditional language model, with or without attention), ``TransformerTranslator`` (the
encoder-decoder Transformer, with the same interface), ``loss_fn`` and
``fit_translator`` (the book's training loop on them). Built
step by step in ``notebooks/04_seq2seq_attention.ipynb``, which checks these against
what it builds there. Greedy and beam decoding are in ``helpers.decoding``.

Shapes: B batch, S source length, T target length, H decoder size (the encoder's two
directions of H/2 each are concatenated to H), V target vocabulary.
"""

from __future__ import annotations

from typing import Iterator

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .device import model_device
from .pairs import Batch
from .train import History, linear_warmup, train

ATTENTION = (None, "mean", "dot", "multiplicative", "additive")


class Attention(nn.Module):
    """Scores e_i of a query s (B, H) against keys h_i (B, S, H), softmax over the
    unpadded positions, and the weighted sum of the values (the keys themselves here).

    dot: e_i = s . h_i;  multiplicative: e_i = s^T W h_i;
    additive: e_i = v^T tanh(W1 h_i + W2 s);
    mean: e_i = 0, every position weighs the same (mean pooling, whatever the query).
    """

    def __init__(self, kind: str, H: int):
        super().__init__()
        if kind not in ATTENTION[1:]:
            raise ValueError(f"attention must be one of {ATTENTION[1:]}, got {kind!r}")
        self.kind = kind
        if kind == "multiplicative":
            self.W = nn.Linear(H, H, bias=False)
        elif kind == "additive":
            self.W1, self.W2 = nn.Linear(H, H, bias=False), nn.Linear(H, H, bias=False)
            self.v = nn.Linear(H, 1, bias=False)

    def scores(self, s: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        if self.kind == "mean":
            return h.new_zeros(h.shape[:2])  # (B, S)
        if self.kind == "dot":
            return torch.bmm(h, s[:, :, None]).squeeze(2)  # (B, S)
        if self.kind == "multiplicative":
            return torch.bmm(self.W(h), s[:, :, None]).squeeze(2)  # (B, S): s^T W h_i
        return self.v(torch.tanh(self.W1(h) + self.W2(s)[:, None, :])).squeeze(
            2
        )  # (B, S)

    def forward(
        self, s: torch.Tensor, h: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """s (B, H), h (B, S, H), mask (B, S) True at real tokens -> context (B, H),
        weights (B, S)."""
        e = self.scores(s, h).masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(e, dim=1)  # (B, S)
        return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha  # (B, H), (B, S)


class Seq2Seq(nn.Module):
    """Encoder: embeddings -> bidirectional LSTM (H/2 a direction, padding packed away).
    Decoder: an LSTM started from the encoder's final states; at each step its state s_t
    queries the encoder states (``attention``), and softmax(U tanh(W [s_t; a_t]))
    predicts the next word. With ``attention=None`` the decoder sees the source only
    through its initial state: the bottleneck."""

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        emb: int = 64,
        hidden: int = 128,
        attention: str | None = "dot",
        pad_id: int = 0,
    ):
        super().__init__()
        if hidden % 2:
            raise ValueError(
                "hidden must be even (two encoder directions of hidden/2), got "
                f"{hidden}"
            )
        if attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {attention!r}")
        self.pad_id, self.hidden = pad_id, hidden
        self.src_emb = nn.Embedding(src_vocab, emb, padding_idx=pad_id)
        self.tgt_emb = nn.Embedding(tgt_vocab, emb, padding_idx=pad_id)
        self.encoder = nn.LSTM(emb, hidden // 2, batch_first=True, bidirectional=True)
        self.decoder = nn.LSTMCell(emb, hidden)
        self.attn = Attention(attention, hidden) if attention else None
        self.combine = nn.Linear(2 * hidden if attention else hidden, hidden)
        self.out = nn.Linear(hidden, tgt_vocab)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor):
        """src (B, S) -> encoder states (B, S, H), mask (B, S) and the decoder's start
        state ((B, H), (B, H))."""
        packed = pack_padded_sequence(
            self.src_emb(src), src_len.cpu(), batch_first=True, enforce_sorted=False
        )
        out, (h, c) = self.encoder(packed)
        enc, _ = pad_packed_sequence(
            out, batch_first=True, total_length=src.shape[1]
        )  # (B, S, H)
        start = (torch.cat([h[0], h[1]], 1), torch.cat([c[0], c[1]], 1))  # (B, H) each
        return enc, src != self.pad_id, start

    def step(self, y_prev: torch.Tensor, state, enc: torch.Tensor, mask: torch.Tensor):
        """One decoder step: previous word ids (B,) -> log-probabilities (B, V), new
        state, attention weights (B, S) (None without attention)."""
        s, c = self.decoder(self.tgt_emb(y_prev), state)  # (B, H)
        if self.attn is None:
            hidden, alpha = s, None
        else:
            a, alpha = self.attn(s, enc, mask)  # (B, H), (B, S)
            hidden = torch.cat([s, a], 1)  # (B, 2H)
        logits = self.out(torch.tanh(self.combine(hidden)))  # (B, V)
        return torch.log_softmax(logits, -1), (s, c), alpha

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor):
        """Teacher forcing: log-probabilities (B, T, V) and attention weights (B, T, S)
        or None."""
        enc, mask, state = self.encode(src, src_len)
        logps, alphas = [], []
        for t in range(tgt_in.shape[1]):
            logp, state, alpha = self.step(tgt_in[:, t], state, enc, mask)
            logps.append(logp)
            alphas.append(alpha)
        return torch.stack(logps, 1), (
            torch.stack(alphas, 1) if self.attn is not None else None
        )


def loss_fn(logp: torch.Tensor, tgt_out: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """Cross-entropy summed over each sentence's target words (padding ignored),
    averaged over sentences. logp (B, T, V), tgt_out (B, T)."""
    nll = F.nll_loss(
        logp.transpose(1, 2), tgt_out, ignore_index=pad_id, reduction="sum"
    )
    return nll / tgt_out.shape[0]


def fit_translator(
    model: nn.Module,
    batches: Iterator[Batch],
    steps: int | None = None,
    lr: float = 3e-3,
    clip: float = 1.0,
    every: int = 50,
    seed: int = 0,
    desc: str = "training",
    seconds: float | None = None,
    warmup: int = 0,
) -> History:
    """Adam on the summed cross-entropy with teacher forcing (``loss_fn``), one step a
    batch, for ``steps`` batches or ``seconds`` of training, whichever comes first (one
    is required), gradients clipped at ``clip``; batches move to the model's device.
    ``warmup``: the learning rate climbs linearly to ``lr`` over the first ``warmup``
    steps (what a Transformer trained with Adam usually needs). Records the training
    loss (per sentence) every ``every`` steps (``hist.loss``)."""
    if steps is None and seconds is None:
        raise ValueError("give a budget: steps=..., seconds=... or both")
    torch.manual_seed(seed)
    device = model_device(model)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(b: Batch) -> torch.Tensor:
        logp, _ = model(b.src, b.src_len, b.tgt_in)  # (B, T, V)
        return loss_fn(logp, b.tgt_out, model.pad_id)

    return train(
        step,
        (Batch(*(x.to(device) for x in b)) for b in batches),
        steps=steps,
        seconds=seconds,
        schedule=linear_warmup(lr, warmup),
        optimizer=opt,
        model=model,
        clip=clip,
        every=every,
        desc=desc,
    )


class TransformerTranslator(nn.Module):
    """An encoder-decoder Transformer (lecture 05) with the interface of ``Seq2Seq``
    (``encode``, ``step``, ``forward``), so that the same training loop, greedy and beam
    search serve both. Encoder: embeddings + sinusoidal positions, ``layers`` pre-norm
    blocks with padding masked. Decoder: causal self-attention, cross-attention to the
    encoder, FFN. A decoding step runs the new position only: its state is each decoder
    layer's key/value cache (lecture 05), a tuple of (B, h, t, d / h) tensors that beam
    search reorders like the LSTM's states."""

    def __init__(
        self,
        src_vocab: int,
        tgt_vocab: int,
        d_model: int = 128,
        n_heads: int = 4,
        layers: int = 2,
        pad_id: int = 0,
        max_len: int = 64,
    ):
        super().__init__()
        from .transformer import Block, sinusoidal_positions

        self.pad_id, self.d_model = pad_id, d_model
        self.src_emb = nn.Embedding(src_vocab, d_model, padding_idx=pad_id)
        self.tgt_emb = nn.Embedding(tgt_vocab, d_model, padding_idx=pad_id)
        self.register_buffer(
            "pos", sinusoidal_positions(max_len, d_model), persistent=False
        )  # (max_len, d)
        self.encoder = nn.ModuleList(
            Block(d_model, n_heads, causal=False) for _ in range(layers)
        )
        self.decoder = nn.ModuleList(
            Block(d_model, n_heads, causal=True, cross=True) for _ in range(layers)
        )
        self.ln_enc, self.ln_dec = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, tgt_vocab)

    def _embed(
        self, emb: nn.Embedding, ids: torch.Tensor, start: int = 0
    ) -> torch.Tensor:
        """ids (B, T) at positions start .. start + T - 1 -> (B, T, d)."""
        end = start + ids.shape[1]
        if end > self.pos.shape[0]:
            raise ValueError(
                f"sequences of up to {self.pos.shape[0]} tokens, got {end}"
            )
        return emb(ids) * self.d_model**0.5 + self.pos[start:end]  # (B, T, d)

    def encode(self, src: torch.Tensor, src_len: torch.Tensor):
        """src (B, S) -> memory (B, S, d), mask (B, S) True at real tokens, start state
        (empty prefix)."""
        mask = src != self.pad_id
        x = self._embed(self.src_emb, src)
        for block in self.encoder:
            x = block(x, key_padding_mask=~mask)
        blk = self.decoder[0].attn
        empty = x.new_zeros(
            src.shape[0], blk.n_heads, 0, blk.d_model // blk.n_heads
        )  # (B, h, 0, d/h)
        return self.ln_enc(x), mask, (empty,) * (2 * len(self.decoder))

    def _decode(
        self, tgt_in: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        y = self._embed(self.tgt_emb, tgt_in)
        for block in self.decoder:
            y = block(y, memory, memory_padding_mask=~mask)
        return torch.log_softmax(self.out(self.ln_dec(y)), -1)  # (B, T, V)

    def _cross_weights(self) -> torch.Tensor | None:
        w = self.decoder[-1].cross.last_weights  # (B, h, T, S)
        return None if w is None else w.mean(1)  # (B, T, S)

    def step(self, y_prev: torch.Tensor, state, enc: torch.Tensor, mask: torch.Tensor):
        """Decode one position, y_prev (B,), against the cached keys and values of the
        earlier ones: log-probabilities (B, V) of the next word, the extended caches,
        and the last layer's cross-attention (B, S), averaged over heads."""
        t = state[0].shape[2]  # positions so far
        y = self._embed(self.tgt_emb, y_prev[:, None], start=t)  # (B, 1, d)
        caches = []
        for i, block in enumerate(self.decoder):
            cache = {"k": state[2 * i], "v": state[2 * i + 1]}  # extended in place
            y = block(y, enc, memory_padding_mask=~mask, cache=cache)
            caches += [cache["k"], cache["v"]]
        logp = torch.log_softmax(self.out(self.ln_dec(y)), -1)[:, -1]  # (B, V)
        w = self._cross_weights()
        return logp, tuple(caches), (None if w is None else w[:, -1])

    def forward(self, src: torch.Tensor, src_len: torch.Tensor, tgt_in: torch.Tensor):
        """Teacher forcing in one pass: log-probabilities (B, T, V) and cross-attention
        (B, T, S)."""
        memory, mask, _ = self.encode(src, src_len)
        return self._decode(tgt_in, memory, mask), self._cross_weights()
