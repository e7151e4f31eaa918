"""Decoding: turning a trained model's distributions into text.

* ``sample``: continue a prompt with a character language model (``helpers.lm``'s
  recurrent models or the GPT), by temperature sampling or greedily.
* ``generate``: the GPT's sampling loop, with or without a key/value cache (the same
  tokens either way).
* ``greedy``, ``beam_search`` (with ``length_penalty``), ``translate``: decoders of the
  translation models (``helpers.translation_models``), batched.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .device import model_device
from .evaluate import lm_logits
from .pairs import pad
from .text import Vocab
from .transformer import GPT
from .translation_models import Seq2Seq

__all__ = ["sample", "generate", "greedy", "length_penalty", "beam_search", "translate"]


def _check_positive(**values: int) -> None:
    """A clear error naming the argument that is below 1."""
    for name, v in values.items():
        if v < 1:
            raise ValueError(f"{name} must be >= 1, got {v}")


@torch.no_grad()
def sample(
    model: nn.Module,
    vocab: Vocab,
    prompt: str,
    length: int = 200,
    temperature: float = 1.0,
    seed: int = 0,
) -> str:
    """Continue ``prompt`` by sampling from softmax(logits / temperature); 0 means
    greedy. Runs on the model's device (the draws on the CPU, so a seed gives the same
    text everywhere) and leaves the model in the train/eval mode it found it in."""
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if not prompt:
        raise ValueError("give a prompt of at least one character")
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    was_training = model.training
    model.eval()
    device = model_device(model)
    g = torch.Generator().manual_seed(seed)
    x = torch.as_tensor(vocab.encode(prompt))[None].to(device)  # (1, len(prompt))
    logits, state = lm_logits(model, x)  # (1, len(prompt), V)
    out = []
    for _ in range(length):
        last = logits[0, -1].float().cpu()  # (V,)
        if temperature == 0:
            nxt = int(last.argmax())
        else:
            nxt = int(
                torch.multinomial(torch.softmax(last / temperature, -1), 1, generator=g)
            )
        out.append(nxt)
        x = torch.tensor([[nxt]]).to(device)  # (1, 1)
        logits, state = lm_logits(model, x, state)
    model.train(was_training)
    return prompt + vocab.text(out)


@torch.no_grad()
def generate(
    model: GPT,
    idx: torch.Tensor,
    length: int,
    temperature: float = 1.0,
    seed: int = 0,
    cache: bool = True,
) -> torch.Tensor:
    """Append ``length`` sampled symbols to idx (B, T0); temperature 0 is greedy.

    The context is the text since the last reset: when it reaches ``block_size``, it
    restarts from its last half. Without a cache every step recomputes the whole
    context; with one, each step computes only the new position's queries, keys and
    values (a reset recomputes the kept half). Both follow the same rule, so they give
    the same tokens.
    """
    if length < 0:
        raise ValueError(f"length must be >= 0, got {length}")
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0 (0: greedy), got {temperature}")
    if idx.dim() != 2 or idx.shape[1] == 0:
        raise ValueError(
            f"idx must be a (B, T0) prompt with T0 >= 1, got shape {tuple(idx.shape)}"
        )
    was_training = model.training
    model.eval()
    g = torch.Generator(device=idx.device).manual_seed(seed)
    seq, ctx_start = idx, 0
    caches = [{} for _ in model.blocks] if cache else None
    feed = idx[:, -model.block_size :]
    if idx.shape[1] > model.block_size:
        ctx_start = idx.shape[1] - model.block_size
    for _ in range(length):
        if cache:
            logits = model(feed, caches)[:, -1]
        else:
            logits = model(seq[:, ctx_start:])[:, -1]  # (B, V)
        if temperature == 0:
            nxt = logits.argmax(-1, keepdim=True)
        else:
            # (B, 1)
            nxt = torch.multinomial(
                torch.softmax(logits / temperature, -1), 1, generator=g
            )
        seq = torch.cat([seq, nxt], 1)
        if seq.shape[1] - ctx_start > model.block_size:
            # context full: keep its last half
            ctx_start = seq.shape[1] - model.block_size // 2
            if cache:
                caches = [{} for _ in model.blocks]
                feed = seq[:, ctx_start:]
                continue
        feed = nxt
    model.train(was_training)
    return seq


@torch.no_grad()
def greedy(
    model: Seq2Seq,
    src: torch.Tensor,
    src_len: torch.Tensor,
    bos: int,
    eos: int,
    max_len: int = 40,
) -> tuple[list[list[int]], torch.Tensor, list[torch.Tensor]]:
    """Batched greedy decoding: the most probable word at each step, until ``<eos>``.
    Returns the ids (without ``<eos>``), their summed log-probabilities (B,), and each
    sentence's attention weights (T_b, S) (empty without attention)."""
    _check_positive(max_len=max_len)
    model.eval()
    enc, mask, state = model.encode(src, src_len)
    B = src.shape[0]
    y = torch.full((B,), bos, dtype=torch.long, device=src.device)
    done = torch.zeros(B, dtype=torch.bool, device=src.device)
    score = torch.zeros(B, device=src.device)
    out, alphas = [], []
    for _ in range(max_len):
        logp, state, alpha = model.step(y, state, enc, mask)
        y = logp.argmax(-1)  # (B,)
        score += torch.where(
            done, torch.zeros_like(score), logp.gather(1, y[:, None]).squeeze(1)
        )
        out.append(torch.where(done, torch.full_like(y, eos), y))
        alphas.append(alpha)
        done |= y == eos
        if done.all():
            break
    ids = torch.stack(out, 1).tolist()  # (B, steps)
    seqs = [row[: row.index(eos)] if eos in row else row for row in ids]
    att = (
        []
        if alphas[0] is None
        else [
            torch.stack([a[b] for a in alphas[: len(s) + 1]])
            for b, s in enumerate(seqs)
        ]
    )
    return seqs, score, att


def length_penalty(n: torch.Tensor | int, alpha: float) -> torch.Tensor | float:
    """The score of a hypothesis is its log-probability divided by length ** alpha
    (words + <eos>); alpha = 0 is the raw log-probability, alpha = 1 the mean per
    word."""
    return n**alpha


@torch.no_grad()
def beam_search(
    model: Seq2Seq,
    src: torch.Tensor,
    src_len: torch.Tensor,
    bos: int,
    eos: int,
    k: int = 5,
    max_len: int = 40,
    alpha: float = 1.0,
) -> tuple[list[list[int]], torch.Tensor]:
    """Batched beam search: the ``k`` most probable partial translations of every
    sentence, all sentences at once (B * k decoder states). A hypothesis that has
    produced ``<eos>`` is frozen: it can only be followed by ``<eos>`` at no cost, so it
    keeps its score and its slot. At each step the k best of the k * V extensions
    survive (by log-probability); at the end each sentence returns its hypothesis with
    the best log-probability / length ** alpha (length counts ``<eos>``). Returns ids
    (without ``<eos>``) and their summed log-probabilities (B,)."""
    _check_positive(k=k, max_len=max_len)
    model.eval()
    # start: the decoder state, a tuple of tensors
    enc, mask, start = model.encode(src, src_len)
    B, dev = src.shape[0], src.device

    def rep(x):  # (B, ...) -> (B*k, ...)
        return x.repeat_interleave(k, 0)

    enc, mask, state = rep(enc), rep(mask), tuple(rep(x) for x in start)
    score = torch.full((B, k), float("-inf"), device=dev)
    score[:, 0] = 0.0  # one live hypothesis at the start, not k copies
    tokens = torch.full((B * k, 1), bos, dtype=torch.long, device=dev)  # (B*k, t)
    length = torch.zeros(B * k, device=dev)  # words + <eos> so far
    done = torch.zeros(B * k, dtype=torch.bool, device=dev)
    for _ in range(max_len):
        logp, state, _ = model.step(tokens[:, -1], state, enc, mask)  # (B*k, V)
        V = logp.shape[1]
        frozen = torch.full_like(logp, float("-inf"))
        frozen[:, eos] = 0.0
        logp = torch.where(done[:, None], frozen, logp)
        total = (score.view(-1, 1) + logp).view(B, k * V)  # (B, k*V)
        score, idx = total.topk(k, dim=1)  # (B, k)
        beam = (idx // V + torch.arange(B, device=dev)[:, None] * k).view(
            -1
        )  # (B*k,) rows to keep
        word = (idx % V).view(-1)  # (B*k,)
        tokens = torch.cat([tokens[beam], word[:, None]], 1)
        state = tuple(x[beam] for x in state)
        length = length[beam] + (~done[beam]).float()
        done = done[beam] | (word == eos)
        if done.all():
            break
    norm = score / length_penalty(length.view(B, k).clamp(min=1), alpha)  # (B, k)
    best = norm.argmax(1)  # (B,)
    rows = tokens.view(B, k, -1)[torch.arange(B, device=dev), best, 1:].tolist()
    seqs = [r[: r.index(eos)] if eos in r else r for r in rows]
    return seqs, score[torch.arange(B, device=dev), best].cpu()


def translate(
    model: Seq2Seq,
    sources: list[list[str]],
    src_vocab,
    tgt_vocab,
    k: int = 1,
    alpha: float = 1.0,
    batch_size: int = 256,
    max_len: int = 40,
) -> list[list[str]]:
    """Translate tokenised sentences: greedy for ``k = 1``, beam search of width ``k``
    otherwise, ``batch_size`` sentences at a time on the model's device."""
    if isinstance(sources, str) or any(isinstance(s, str) for s in sources):
        raise TypeError(
            "sources must be a list of token lists, e.g. [pairs.words_and_marks('I am "
            f"cold.')], got {sources if isinstance(sources, str) else sources[0]!r}"
        )
    _check_positive(k=k, max_len=max_len, batch_size=batch_size)
    device = next(model.parameters()).device
    out: list[list[str]] = []
    for i in range(0, len(sources), batch_size):
        ids = [src_vocab.encode(s) for s in sources[i : i + batch_size]]
        if any(len(s) == 0 for s in ids):
            raise ValueError("cannot translate an empty sentence")
        src = pad(ids, src_vocab.pad_id).to(device)
        src_len = torch.tensor([len(s) for s in ids], device=device)
        if k == 1:
            seqs = greedy(
                model, src, src_len, tgt_vocab.bos_id, tgt_vocab.eos_id, max_len
            )[0]
        else:
            seqs = beam_search(
                model,
                src,
                src_len,
                tgt_vocab.bos_id,
                tgt_vocab.eos_id,
                k,
                max_len,
                alpha,
            )[0]
        out += [tgt_vocab.decode(s) for s in seqs]
    return out
