"""Check-your-answer framework for the exercise cells; one module of checks a lecture
(``helpers.exercises.lecture01`` ...).

A check prints one of three verdicts and never raises for an exercise not yet attempted:

* ``not attempted yet``: the stub still raises ``NotImplementedError``;
* ``passed``;
* ``failed: <why>``: what was expected and what came back.

``strict=True`` (used by the reference solutions, so that nbval proves them) raises
instead of printing a failure.
"""

from __future__ import annotations

import functools
from typing import Callable

import numpy as np


class ExerciseFailed(AssertionError):
    """Raised by a check in strict mode, and by ``expect`` inside a check."""


def expect(condition: bool, why: str) -> None:
    """Inside a check: fail with ``why`` unless ``condition`` holds."""
    if not condition:
        raise ExerciseFailed(why)


def expect_close(got, want, what: str, atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Inside a check: ``got`` must have ``want``'s shape and be close to it
    elementwise."""
    got_a, want_a = (
        np.asarray(got, dtype=np.float64),
        np.asarray(want, dtype=np.float64),
    )
    expect(
        got_a.shape == want_a.shape,
        f"{what}: expected shape {want_a.shape}, got {got_a.shape}",
    )
    if not np.allclose(got_a, want_a, atol=atol, rtol=rtol):
        err = np.abs(got_a - want_a).max()
        raise ExerciseFailed(
            f"{what}: off by up to {err:.3g} (first values: expected "
            f"{np.round(want_a.ravel()[:3], 4).tolist()}, got "
            f"{np.round(got_a.ravel()[:3], 4).tolist()})"
        )


def run_check(name: str, test: Callable[[], None], strict: bool = False) -> bool:
    """Run ``test`` and print the verdict; return True when it passed."""
    try:
        test()
    except NotImplementedError:
        if strict:
            raise ExerciseFailed(
                f"{name}: not attempted (the function raises NotImplementedError)"
            )
        print(
            f"[ ] {name}: not attempted yet - fill in the cell above, run it, then run "
            "this cell again."
        )
        return False
    except ExerciseFailed as e:
        if strict:
            raise
        print(f"[x] {name}: failed: {e}")
        return False
    except Exception as e:
        # the attempt itself crashed: report it, do not crash the notebook
        if strict:
            raise
        print(f"[x] {name}: failed: your function raised {type(e).__name__}: {e}")
        return False
    print(f"[v] {name}: passed")
    return True


def check(name: str) -> Callable[[Callable], Callable[..., bool]]:
    """Decorator: ``@check("add-k smoothing")`` over ``def check_add_k(fn): ...`` (a
    test that calls ``fn`` and uses ``expect``) gives ``check_add_k(fn, strict=False) ->
    bool``, which prints the verdict through ``run_check``."""

    def wrap(test: Callable[[Callable], None]) -> Callable[..., bool]:
        @functools.wraps(test)
        def checker(fn: Callable, strict: bool = False) -> bool:
            return run_check(name, lambda: test(fn), strict)

        return checker

    return wrap
