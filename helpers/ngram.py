"""n-gram language models from counts, vectorised with NumPy (lecture 03).

``CharNGram``: an interpolated model with absolute discounting over characters, the
strong baseline of the perplexity ladder. Contexts are encoded as integers in base
|alphabet|, so counting an order is one ``np.unique`` and looking one up is one
``np.searchsorted``.
"""

from __future__ import annotations

import numpy as np


def _ngram_codes(ids: np.ndarray, n: int, base: int) -> np.ndarray:
    """Integer code of every n-gram of ``ids`` (len(ids) - n + 1,), first symbol most
    significant."""
    codes = np.zeros(len(ids) - n + 1, dtype=np.int64)
    for k in range(n):
        codes = codes * base + ids[k : len(ids) - n + 1 + k]
    return codes


class CharNGram:
    """Interpolated absolute-discounting n-gram model over integer symbols 0..base-1.

    P_n(c | h) = max(C(h c) - D, 0) / C(h) + D * N1+(h .) / C(h) * P_{n-1}(c | h'),
    where h' drops the oldest symbol, P_0 is uniform, and a context never seen falls
    back to P_{n-1} entirely.
    """

    def __init__(self, order: int, base: int, discount: float = 0.75):
        if order < 1 or base**order >= 2**62:
            raise ValueError(
                f"order must be >= 1 and base**order < 2**62, got order={order}, "
                f"base={base}"
            )
        self.order, self.base, self.discount = order, base, discount

    def fit(self, ids: np.ndarray) -> "CharNGram":
        ids = np.asarray(ids, dtype=np.int64)
        if ids.min() < 0 or ids.max() >= self.base:
            raise ValueError(
                f"symbols must be in [0, {self.base}), got [{ids.min()}, {ids.max()}]"
            )
        self.tables = []
        for n in range(1, self.order + 1):
            grams, counts = np.unique(
                _ngram_codes(ids, n, self.base), return_counts=True
            )
            ctx = grams // self.base  # context code of each n-gram
            ctxs, first, n_types = np.unique(ctx, return_index=True, return_counts=True)
            # C(h): total count of each context
            ctx_tot = np.add.reduceat(counts, first)
            self.tables.append((grams, counts, ctxs, ctx_tot, n_types))
        return self

    def distinct(self, n: int) -> int:
        """Number of distinct n-grams seen in training."""
        return len(self.tables[n - 1][0])

    def log2_probs(self, ids: np.ndarray) -> np.ndarray:
        """log2 P(ids[t] | previous order-1 symbols) for t >= order - 1 -> (len(ids) -
        order + 1,)."""
        ids = np.asarray(ids, dtype=np.int64)
        T = len(ids) - self.order + 1
        p = np.full(T, 1.0 / self.base)  # P_0: uniform
        for n in range(1, self.order + 1):
            grams, counts, ctxs, ctx_tot, n_types = self.tables[n - 1]
            # align: the n-gram ending at t
            codes = _ngram_codes(ids, n, self.base)[self.order - n :]
            c = _lookup(grams, counts, codes)
            if n == 1:
                tot, types = np.full(T, counts.sum()), np.full(T, len(counts))
            else:
                ctx = codes // self.base
                tot, types = _lookup(ctxs, ctx_tot, ctx), _lookup(ctxs, n_types, ctx)
            seen = tot > 0
            safe = np.maximum(tot, 1)
            mixed = (
                np.maximum(c - self.discount, 0) / safe
                + self.discount * types / safe * p
            )
            p = np.where(seen, mixed, p)
        return np.log2(p)

    def bits_per_symbol(self, ids: np.ndarray) -> float:
        return float(-self.log2_probs(ids).mean())


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == q] for each q, 0 where q is absent (keys sorted)."""
    pos = np.searchsorted(keys, query)
    pos = np.minimum(pos, len(keys) - 1)
    return np.where(keys[pos] == query, values[pos], 0)
