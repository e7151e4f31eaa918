"""Evaluation, one metric a task.

* Word vectors (lecture 01): ``similarity`` (human similarity benchmarks), ``analogies``
  (3CosAdd), ``neighbours``.
* Language models (lectures 03, 05): ``evaluate_bits``, bits per symbol on a held-out
  text; ``lm_logits``, a recurrent model or a GPT reading on (the GPT in windows).
* Translation (lectures 04, 05): ``corpus_bleu`` (sacrebleu).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.stats import spearmanr

from .data import Analogy, WordPair
from .device import model_device
from .text import Vocab, streams
from .transformer import GPT


def as_unit_rows(E) -> np.ndarray:
    """Embeddings (V, d) as a float32 NumPy array with rows of length 1 (zero rows stay
    zero)."""
    E = E.detach().cpu().numpy() if isinstance(E, torch.Tensor) else np.asarray(E)
    if E.ndim != 2:
        raise ValueError(f"embeddings must be a (V, d) matrix, got shape {E.shape}")
    norms = np.linalg.norm(E, axis=1, keepdims=True)
    return (E / np.maximum(norms, 1e-12)).astype(np.float32)


def _check_rows(E: np.ndarray, vocab: Vocab) -> None:
    if len(E) != len(vocab):
        raise ValueError(
            f"embeddings have {len(E)} rows but the vocabulary has {len(vocab)} words"
        )


@dataclass
class SimilarityResult:
    # rank correlation between cosine and human scores, on the pairs used
    spearman: float
    used: int  # pairs with both words in the vocabulary
    total: int  # pairs in the benchmark
    oov_words: list[str]  # the words that were missing, sorted

    @property
    def oov_share(self) -> float:
        return 1 - self.used / self.total

    def __str__(self) -> str:
        return (
            f"Spearman {self.spearman:.3f} on {self.used}/{self.total} pairs "
            f"({self.oov_share:.0%} out of vocabulary, {len(self.oov_words)} distinct "
            "words)"
        )


def similarity(E, vocab: Vocab, pairs: Sequence[WordPair]) -> SimilarityResult:
    """Spearman correlation of cosine similarity with human scores. Pairs with an
    unknown word are counted and reported in the result, never silently dropped."""
    U = as_unit_rows(E)
    _check_rows(U, vocab)
    gold, pred, oov = [], [], set()
    for a, b, score in pairs:
        missing = [w for w in (a, b) if w not in vocab]
        if missing:
            oov.update(missing)
            continue
        gold.append(score)
        pred.append(float(U[vocab.stoi[a]] @ U[vocab.stoi[b]]))
    rho = float(spearmanr(gold, pred).statistic) if len(gold) > 2 else float("nan")
    return SimilarityResult(rho, len(gold), len(pairs), sorted(oov))


@dataclass
class AnalogyResult:
    accuracy: float  # on the questions whose four words are all in the vocabulary
    correct: int
    used: int
    total: int
    by_section: dict[str, tuple[int, int]]  # section -> (correct, used)

    def __str__(self) -> str:
        return (
            f"accuracy {self.accuracy:.1%} ({self.correct}/{self.used} answerable of "
            f"{self.total} questions)"
        )


def analogies(
    E, vocab: Vocab, questions: Sequence[Analogy], batch: int = 2048
) -> AnalogyResult:
    """3CosAdd: answer ``a : b :: c : ?`` with argmax_d cos(d, b - a + c), excluding a,
    b and c. Questions with a word outside the vocabulary are counted as
    unanswerable."""
    U = torch.from_numpy(as_unit_rows(E))
    _check_rows(U, vocab)
    qs = [q for q in questions if all(w in vocab for w in q[:4])]
    by_section: dict[str, list[int]] = {}
    correct = 0
    for i in range(0, len(qs), batch):
        chunk = qs[i : i + batch]
        idx = torch.tensor([[vocab.stoi[w] for w in q[:4]] for q in chunk])  # (n, 4)
        target = U[idx[:, 1]] - U[idx[:, 0]] + U[idx[:, 2]]  # (n, d)
        scores = target @ U.T  # (n, V)
        scores.scatter_(1, idx[:, :3], float("-inf"))
        hit = (scores.argmax(1) == idx[:, 3]).tolist()
        correct += sum(hit)
        for q, h in zip(chunk, hit):
            s = by_section.setdefault(q.section, [0, 0])
            s[0] += h
            s[1] += 1
    acc = correct / len(qs) if qs else float("nan")
    return AnalogyResult(
        acc,
        correct,
        len(qs),
        len(questions),
        {k: (v[0], v[1]) for k, v in by_section.items()},
    )


def neighbours(E, vocab: Vocab, word: str, k: int = 8) -> list[tuple[str, float]]:
    """The k words with the highest cosine similarity to ``word`` (itself excluded)."""
    U = as_unit_rows(E)
    _check_rows(U, vocab)
    sims = U @ U[vocab[word]]
    sims[vocab[word]] = -np.inf
    top = np.argsort(-sims)[:k]
    return [(vocab.itos[i], float(sims[i])) for i in top]


def lm_logits(
    model: nn.Module, x: torch.Tensor, state=None
) -> tuple[torch.Tensor, object]:
    """Logits (B, T, V) of a language model reading x (B, T) after ``state``, and the
    state after it, for both kinds of model. A recurrent model (``helpers.lm``) carries
    its own state. A GPT's state is the last ``block_size`` symbols read (B, <=
    block_size): a text longer than its context is read in windows of ``block_size``
    advanced by half of it, so every prediction has at least half a block of
    context."""
    if not isinstance(model, GPT):
        return model(x, state)
    n = model.block_size
    if state is None and x.shape[1] <= n:
        return model(x), x[:, -n:]
    full = x if state is None else torch.cat([state, x], 1)  # (B, P + T)
    P, L, half = full.shape[1] - x.shape[1], full.shape[1], max(1, n // 2)
    out = []
    for a in range(P, L, half):
        # predict positions a..b-1
        b = min(a + half, L)
        lo = max(0, b - n)
        out.append(model(full[:, lo:b])[:, a - lo :])
    return torch.cat(out, 1), full[:, -n:]


@torch.no_grad()
def evaluate_bits(
    model: nn.Module, ids: np.ndarray, batch: int = 16, seq_len: int = 256
) -> float:
    """Bits per symbol of a language model on ``ids``, reading it as ``batch`` streams
    with carried state (``lm_logits``). Runs on the model's device, in eval mode, and
    leaves the model in the mode it found it in."""
    was_training = model.training
    model.eval()
    data = streams(ids, batch).to(model_device(model))  # (batch, N // batch)
    state, total, count = None, 0.0, 0
    for i in range(0, data.shape[1] - 1, seq_len):
        x, y = data[:, i : i + seq_len], data[:, i + 1 : i + 1 + seq_len]
        x = x[:, : y.shape[1]]
        logits, state = lm_logits(model, x, state)  # (batch, T, V)
        total += F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
        ).item()
        count += y.numel()
    model.train(was_training)
    return total / count / math.log(2)


def _tokens(x, what: str) -> list[str]:
    if isinstance(x, str) or not all(isinstance(w, str) for w in x):
        raise TypeError(
            f"{what} must be a list of tokens (strings), got "
            f"{x[:40]!r}: split text into tokens first"
        )
    return list(x)


def corpus_bleu(hyps: Sequence[Sequence[str]], refs: Sequence) -> float:
    """sacrebleu's corpus BLEU (0-100) on our tokens (``tokenize="none"``: the text is
    already split). ``hyps``: one token list a sentence; ``refs``: for each sentence
    either one reference (a token list) or several (a list of token lists, as Tatoeba
    gives for many sources: a hypothesis matching any of them counts)."""
    import sacrebleu

    if isinstance(hyps, str) or isinstance(refs, str):
        raise TypeError("hyps and refs must be lists of token lists, not a string")
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} hypotheses but {len(refs)} references")
    if not hyps:
        raise ValueError("no sentences: hyps and refs are empty lists")
    hyp_text = [" ".join(_tokens(h, f"hyps[{i}]")) for i, h in enumerate(hyps)]
    ref_sets = []
    for i, r in enumerate(refs):
        several = len(r) > 0 and not isinstance(r, str) and not isinstance(r[0], str)
        group = (
            [_tokens(x, f"refs[{i}][{j}]") for j, x in enumerate(r)]
            if several
            else [_tokens(r, f"refs[{i}]")]
        )
        ref_sets.append([" ".join(x) for x in group])
    n = max(len(g) for g in ref_sets)
    streams = [[g[j] if j < len(g) else None for g in ref_sets] for j in range(n)]
    return sacrebleu.corpus_bleu(hyp_text, streams, tokenize="none", force=True).score
