"""Small plotting helpers shared by the notebooks (matplotlib only)."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def pca_2d(X: np.ndarray) -> np.ndarray:
    """Project rows of X (n, d) onto their first two principal components -> (n, 2)."""
    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    return Xc @ Vt[:2].T


def scatter_words(
    ax, xy: np.ndarray, words: Sequence[str], groups: Sequence[str] | None = None
) -> None:
    """Scatter 2-D points labelled with their words, coloured by group if given."""
    groups = list(groups) if groups is not None else [""] * len(words)
    for g in dict.fromkeys(groups):
        m = np.array([x == g for x in groups])
        ax.scatter(xy[m, 0], xy[m, 1], label=g or None, s=25)
    for (x, y), w in zip(xy, words):
        ax.annotate(w, (x, y), fontsize=9, xytext=(3, 3), textcoords="offset points")
    if any(groups):
        ax.legend(fontsize=8, loc="best")
