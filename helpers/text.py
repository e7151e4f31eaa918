"""Vocabulary and context windows: words to integer ids, and (centre, context) pairs."""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import numpy as np


class Vocab:
    """Words with their counts, most frequent first (ties alphabetical, so ids are stable).

    ``vocab["the"] -> 0``, ``vocab.itos[0] -> "the"``, ``len(vocab)``, ``"the" in vocab``.
    """

    def __init__(self, counts: Counter, min_count: int = 1):
        kept = sorted(((w, c) for w, c in counts.items() if c >= min_count), key=lambda wc: (-wc[1], wc[0]))
        if not kept:
            raise ValueError(f"no word occurs at least min_count={min_count} times "
                             f"(the most frequent occurs {max(counts.values(), default=0)} times)")
        self.itos: list[str] = [w for w, _ in kept]
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}
        self.counts = np.array([c for _, c in kept], dtype=np.int64)  # (V,)
        self.min_count = min_count

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], min_count: int = 1) -> "Vocab":
        return cls(Counter(w for s in sentences for w in s), min_count)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, word: str) -> bool:
        return word in self.stoi

    def __getitem__(self, word: str) -> int:
        try:
            return self.stoi[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self)} words with count >= "
                           f"{self.min_count})") from None

    def encode(self, words: Sequence[str]) -> list[int]:
        """Ids of ``words``; a clear KeyError naming the unknown words if any."""
        missing = [w for w in words if w not in self.stoi]
        if missing:
            raise KeyError(f"{len(missing)} word(s) not in the vocabulary: {missing[:5]}"
                           f"{' ...' if len(missing) > 5 else ''}")
        return [self.stoi[w] for w in words]

    def encode_corpus(self, sentences: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Flatten a corpus to ids, dropping out-of-vocabulary words (as word2vec does).

        Returns ``ids`` (N,) and ``sent`` (N,), the sentence number of each token, so that windows
        never cross a sentence boundary.
        """
        ids, sent = [], []
        for k, s in enumerate(sentences):
            row = [self.stoi[w] for w in s if w in self.stoi]
            ids.extend(row)
            sent.extend([k] * len(row))
        return np.asarray(ids, dtype=np.int64), np.asarray(sent, dtype=np.int64)


def window_pairs(ids: np.ndarray, sent: np.ndarray, window: int,
                 reach: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All (centre, context) id pairs with ``1 <= |offset| <= window`` inside a sentence.

    ``reach`` (N,), optional: each centre's own window (word2vec samples it uniformly in
    ``1..window`` so that near words count more). Returns ``centres`` (P,) and ``contexts`` (P,),
    grouped by offset (not shuffled).
    """
    if ids.shape != sent.shape or ids.ndim != 1:
        raise ValueError(f"ids and sent must be 1-D of the same length, got {ids.shape} and {sent.shape}")
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    if reach is None:
        reach = np.full(len(ids), window)
    centres, contexts = [], []
    for d in range(1, window + 1):
        same = sent[d:] == sent[:-d]
        right = same & (reach[:-d] >= d)  # centre i, context i + d
        left = same & (reach[d:] >= d)    # centre i + d, context i
        centres += [ids[:-d][right], ids[d:][left]]
        contexts += [ids[d:][right], ids[:-d][left]]
    return np.concatenate(centres), np.concatenate(contexts)
