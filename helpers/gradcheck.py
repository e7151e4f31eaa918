"""Finite differences: the gradient check taught in lecture 01 and reused after it."""

from __future__ import annotations

from typing import Callable

import numpy as np


def numeric_grad(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences of ``f()`` with respect to the array ``x``, one coordinate at
    a time: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps). ``f`` takes no argument and
    reads ``x``, which is changed in place and restored. Returns an array of ``x``'s
    shape."""
    if not (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating)):
        raise TypeError(
            f"x must be a float NumPy array (changed in place), got {type(x).__name__} "
            f"{getattr(x, 'dtype', '')}"
        )
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        hi = f()
        x[i] = old - eps
        lo = f()
        x[i] = old
        g[i] = (hi - lo) / (2 * eps)
    return g
