"""The autograder's tests of one exercise, as otter's exception-based test cells.

* the public test: the check the student's check cell calls, in strict mode (it raises
  the check's own "failed: why" message);
* a hidden variant: the same check with every seed it draws shifted by ``SHIFT``, so
  other data of the same sizes: ``np.random.default_rng(s)`` and
  ``torch.Generator().manual_seed(s)`` (the two ways the checks draw their data) give
  the generators of ``s + SHIFT`` while the test runs. None of the checks takes a seed
  or a size as an argument, so the shift is the one way to other data without editing
  them. A variant is written only for a check that draws from a seed and whose
  reference passes it (``build.py`` runs it on the reference first).

Each test is the source of a function (otter's exception-based format: its parameters
are read from the graded notebook's globals); ``hidden_test`` runs here, at build time,
from the same source.
"""

from __future__ import annotations

from typing import Callable

SHIFT = 1000

PUBLIC = """\
def test_{stub}({stub}):
    from helpers.exercises import {lecture} as ex

    ex.{check}({stub}, strict=True)
"""

HIDDEN = """\
def test_{stub}_other_seeds({stub}):
    import numpy as np
    import torch

    from helpers.exercises import {lecture} as ex

    default_rng, generator, drawn = np.random.default_rng, torch.Generator, []

    def shifted(seed=None):
        drawn.append(seed)
        return default_rng(seed + {shift} if isinstance(seed, int) else seed)

    class Shifted(generator):
        def manual_seed(self, seed):
            drawn.append(seed)
            return super().manual_seed(seed + {shift})

    np.random.default_rng, torch.Generator = shifted, Shifted
    try:
        ex.{check}({stub}, strict=True)
    finally:
        np.random.default_rng, torch.Generator = default_rng, generator
    return drawn
"""


def public_source(stub: str, lecture: str, check: str) -> str:
    return PUBLIC.format(stub=stub, lecture=lecture, check=check)


def hidden_source(stub: str, lecture: str, check: str, shift: int = SHIFT) -> str:
    return HIDDEN.format(stub=stub, lecture=lecture, check=check, shift=shift)


def hidden_test(stub: str, lecture: str, check: str, shift: int = SHIFT) -> Callable:
    """The hidden test as a function here: call it with the student's function; it
    raises as the check does and returns the seeds the check drew."""
    ns: dict = {}
    exec(hidden_source(stub, lecture, check, shift), ns)
    return ns[f"test_{stub}_other_seeds"]
