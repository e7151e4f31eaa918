"""The lecture-01 embedding trainers that later lectures reuse.

Built step by step in ``notebooks/01_word_vectors.ipynb``; the notebook checks that
these equal what it built there.

* ``fit_sgns``: skip-gram with negative sampling, batched, with hand-written
  gradients.
* ``cooccurrence`` and ``ppmi_svd``: count-based vectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import torch

from .text import window_pairs
from .train import linear_decay, train


def keep_probability(counts: np.ndarray, sample: float = 1e-3) -> np.ndarray:
    """word2vec's subsampling: keep a token of frequency f with p = (sqrt(f/t) + 1) t /
    f, capped at 1.

    ``counts`` (V,) -> (V,). ``sample=0`` keeps everything.
    """
    if sample <= 0:
        return np.ones(len(counts))
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1) * sample / f)


def noise_distribution(counts: np.ndarray, power: float = 0.75) -> torch.Tensor:
    """Negative-sampling noise: unigram counts to the 3/4 power, normalised. (V,)
    float32."""
    p = torch.as_tensor(counts, dtype=torch.float64) ** power
    return (p / p.sum()).float()


def unigram_table(noise: torch.Tensor, size: int = 10_000_000) -> torch.Tensor:
    """word2vec's noise table: word i repeated about ``size * noise[i]`` times. (about
    size,) int64.

    A uniform random index into the table draws a word from ``noise``: the same
    distribution as ``torch.multinomial(noise, n, replacement=True)``, about three times
    faster for millions of draws.
    """
    reps = torch.round(noise.double() * size).long().clamp_(min=1)
    return torch.repeat_interleave(torch.arange(len(noise)), reps)


def sgns_step(
    W_in: torch.Tensor,
    W_out: torch.Tensor,
    centres: torch.Tensor,
    targets: torch.Tensor,
    lr: float,
) -> float:
    """One SGD step of skip-gram with negative sampling, in place; returns the batch's
    mean loss.

    centres (B,) ids; targets (B, 1+K): column 0 the observed context, columns 1.. the
    negatives. Loss per pair: -log s(u_o.v_c) - sum_k log s(-u_k.v_c). Gradients
    (written by hand): dL/dv_c = -(1 - s(u_o.v_c)) u_o + sum_k s(u_k.v_c) u_k, dL/du_o =
    -(1 - s(u_o.v_c)) v_c, dL/du_k = s(u_k.v_c) v_c. Rows that repeat in a batch get the
    sum of their updates.
    """
    v = W_in[centres]  # (B, d)
    u = W_out[targets]  # (B, 1+K, d)
    scores = (u * v[:, None, :]).sum(-1)  # (B, 1+K)
    label = torch.zeros_like(scores)
    label[:, 0] = 1.0
    g = label - torch.sigmoid(scores)  # (B, 1+K)  = -dL/dscore
    loss = -(
        torch.nn.functional.logsigmoid(scores[:, 0]).sum()
        + torch.nn.functional.logsigmoid(-scores[:, 1:]).sum()
    ) / len(centres)
    g = g * lr
    grad_v = torch.bmm(g[:, None, :], u).squeeze(1)  # (B, d)    = -lr dL/dv_c
    grad_u = g[:, :, None] * v[:, None, :]  # (B, 1+K, d)
    W_out.index_add_(0, targets.reshape(-1), grad_u.reshape(-1, W_out.shape[1]))
    W_in.index_add_(0, centres, grad_v)
    return float(loss)


@dataclass
class SGNSConfig:
    dim: int = 100
    window: int = 5  # maximum window; each centre draws its own in 1..window
    negatives: int = 5
    epochs: int = 20
    lr: float = 0.025  # decays linearly to lr * 1e-4, as in word2vec
    batch: int = 1024
    sample: float = 1e-3  # subsampling threshold of frequent words
    seed: int = 0


@dataclass
class SGNSResult:
    W_in: torch.Tensor  # (V, d) the word vectors
    W_out: torch.Tensor  # (V, d) the context vectors
    losses: list[float] = field(default_factory=list)  # mean loss of each 100 steps
    pairs_seen: int = 0


def epoch_pairs(
    ids: np.ndarray,
    sent: np.ndarray,
    keep: np.ndarray,
    window: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """One epoch of shuffled skip-gram pairs: subsample tokens, draw each centre's
    window, pair up."""
    kept = rng.random(len(ids)) < keep[ids]
    ids, sent = ids[kept], sent[kept]
    reach = rng.integers(1, window + 1, len(ids))
    c, o = window_pairs(ids, sent, window, reach)
    order = rng.permutation(len(c))
    return c[order], o[order]


def fit_sgns(
    ids: np.ndarray,
    sent: np.ndarray,
    counts: np.ndarray,
    cfg: SGNSConfig = SGNSConfig(),
    show_progress: bool = True,
    device: str | torch.device = "cpu",
) -> SGNSResult:
    """Train skip-gram with negative sampling on a corpus of ids (N,) with sentence
    numbers (N,), through the book's training loop with a hand-written step
    (``sgns_step``).

    ``counts`` (V,) are the vocabulary counts (for subsampling and the noise
    distribution). The learning rate decays linearly over the expected number of pairs,
    as in word2vec: the schedule maps a step to the pairs seen before it (an epoch's
    last batch is short). The vectors train on ``device`` (pairs drawn on the CPU, then
    moved) and come back on the CPU. Deterministic for a given seed, device and number
    of CPU threads.
    """
    V = len(counts)
    if ids.size == 0 or ids.max() >= V or ids.min() < 0:
        raise ValueError(
            f"ids must be non-empty and in [0, {V}), got {ids.size} ids "
            f"in [{ids.min() if ids.size else None}, {ids.max() if ids.size else None}]"
        )
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    # word2vec's initialisation
    W_in = ((torch.rand(V, cfg.dim, generator=gen) - 0.5) / cfg.dim).to(device)
    W_out = torch.zeros(V, cfg.dim).to(device)
    keep = keep_probability(counts, cfg.sample)
    table = unigram_table(noise_distribution(counts))
    # Expected number of pairs, for the linear learning-rate decay.
    expected_tokens = float((keep[ids]).sum())
    # E[2 * reach] = window + 1
    total = max(1.0, expected_tokens * (cfg.window + 1) * cfg.epochs)
    seen = [0]  # seen[i]: pairs before step i

    def batches():
        for _ in range(cfg.epochs):
            c, o = epoch_pairs(ids, sent, keep, cfg.window, rng)
            c, o = torch.from_numpy(c), torch.from_numpy(o)
            neg = table[
                torch.randint(len(table), (len(c) * cfg.negatives,), generator=gen)
            ]
            targets = torch.cat([o[:, None], neg.view(len(c), -1)], 1)  # (P, 1+K)
            targets, c = targets.to(device), c.to(device)
            for i in range(0, len(c), cfg.batch):
                seen.append(seen[-1] + len(c[i : i + cfg.batch]))
                yield c[i : i + cfg.batch], targets[i : i + cfg.batch]

    def step(batch: tuple[torch.Tensor, torch.Tensor], lr: float) -> float:
        loss = sgns_step(W_in, W_out, *batch, lr)
        if not np.isfinite(loss):
            raise FloatingPointError(
                f"skip-gram training diverged (loss {loss}) after {seen[-1]} pairs: a "
                f"batch of {cfg.batch} pairs over {V} words repeats rows and sums "
                f"their updates; lower lr (now {cfg.lr}) or batch"
            )
        return loss

    decay = linear_decay(cfg.lr, total)
    hist = train(
        step,
        batches(),
        schedule=lambda i: decay(seen[i]),
        every=100,
        desc="skip-gram",
        show_progress=show_progress,
    )
    # mean loss of each 100 steps (a last, shorter stretch is left out)
    full = [x for s, x in zip(hist.steps, hist.loss) if s % 100 == 0]
    return SGNSResult(W_in.cpu(), W_out.cpu(), full, seen[-1])


def cooccurrence(
    ids: np.ndarray,
    sent: np.ndarray,
    V: int,
    window: int = 5,
    weighting: str = "harmonic",
) -> sp.csr_matrix:
    """Symmetric word-word co-occurrence counts within ``window`` (V, V) sparse.

    ``weighting="harmonic"`` counts a pair at distance d as 1/d (GloVe's choice);
    ``"flat"`` as 1.
    """
    if weighting not in ("harmonic", "flat"):
        raise ValueError(f"weighting must be 'harmonic' or 'flat', got {weighting!r}")
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        same = sent[d:] == sent[:-d]
        a, b = ids[:-d][same], ids[d:][same]
        w = 1.0 / d if weighting == "harmonic" else 1.0
        rows += [a, b]
        cols += [b, a]
        vals.append(np.full(2 * len(a), w))
    X = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(V, V),
    )
    return X.tocsr()  # duplicates are summed


def ppmi(X: sp.spmatrix) -> sp.csr_matrix:
    """Positive pointwise mutual information, max(0, log p(i,j) / (p(i) p(j))), on the
    non-zeros."""
    X = sp.coo_matrix(X)
    total = X.sum()
    row = np.asarray(X.sum(1)).ravel()
    col = np.asarray(X.sum(0)).ravel()
    pmi = np.log(X.data * total / (row[X.row] * col[X.col]))
    P = sp.coo_matrix((np.maximum(pmi, 0.0), (X.row, X.col)), shape=X.shape).tocsr()
    P.eliminate_zeros()
    return P


def svd_embeddings(M: sp.spmatrix, k: int = 100, seed: int = 0) -> np.ndarray:
    """Rank-k truncated SVD, returning U sqrt(S) (V, k), largest singular values
    first."""
    from scipy.sparse.linalg import svds

    if not 0 < k < min(M.shape):
        raise ValueError(
            f"k must be in (0, {min(M.shape)}) for a {M.shape} matrix, got {k}"
        )
    U, S, _ = svds(M.astype(np.float64), k=k, random_state=seed)
    order = np.argsort(-S)
    return (U[:, order] * np.sqrt(S[order])).astype(np.float32)
