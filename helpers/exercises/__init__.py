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

import copy
import functools
import inspect
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
    elementwise; a failure names the worst element, its index and both values."""
    expect(got is not None, f"{what}: got None (a missing `return`?)")
    try:
        got_a = np.asarray(_numpy(got), dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise ExerciseFailed(
            f"{what}: expected numbers, got {type(got).__name__} ({e})"
        ) from None
    want_a = np.asarray(_numpy(want), dtype=np.float64)
    expect(
        got_a.shape == want_a.shape,
        f"{what}: expected shape {want_a.shape}, got {got_a.shape}",
    )
    close = np.isclose(got_a, want_a, atol=atol, rtol=rtol)
    if not close.all():
        err = np.abs(got_a - want_a)
        # NaN or inf where a number was expected counts as the worst
        err = np.where(np.isfinite(err), err, np.inf)
        err[close] = -1.0
        worst = np.unravel_index(int(np.argmax(err)), err.shape)
        where = f" at index {tuple(int(i) for i in worst)}" if got_a.ndim else ""
        raise ExerciseFailed(
            f"{what}: off by up to {err[worst]:.3g}{where}: expected "
            f"{want_a[worst]:.6g}, got {got_a[worst]:.6g} "
            f"({int((~close).sum())} of {close.size} values wrong)"
        )


def _numpy(x):
    """A tensor (or a list or tuple of them) as numpy, detached; anything else as is."""
    if hasattr(x, "detach"):
        return x.detach().cpu().double().numpy()
    if isinstance(x, (list, tuple)) and x and hasattr(x[0], "detach"):
        return [_numpy(v) for v in x]
    return x


def _copy(x):
    if hasattr(x, "detach") and hasattr(x, "clone"):
        return x.detach().clone()
    return copy.deepcopy(x)


def _same(a, b) -> bool:
    if hasattr(a, "detach"):
        import torch

        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.is_floating_point():
            return bool(
                torch.equal(a.isnan(), b.isnan())
                and torch.equal(a.nan_to_num(), b.nan_to_num())
            )
        return bool(torch.equal(a, b))
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    try:
        return bool(a == b)
    except Exception:
        return True


def call(fn: Callable, *args, **kwargs):
    """Inside a check: call the student's ``fn`` on copies of the arguments. Fails when
    it returns None (a forgotten ``return``) or changes an argument in place (the
    copies are compared with the originals afterwards)."""
    copies = [_copy(a) for a in args]
    kw_copies = {k: _copy(v) for k, v in kwargs.items()}
    out = fn(*copies, **kw_copies)
    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    for i, (orig, got) in enumerate(zip(args, copies)):
        if not _same(orig, got):
            name = f"`{names[i]}`" if i < len(names) else f"number {i + 1}"
            raise ExerciseFailed(
                f"your function changed its argument {name} in place; leave the "
                "inputs as they are and return new values (use x = x + ..., not "
                "x += ..., and copy before writing into an array)"
            )
    for k in kwargs:
        if not _same(kwargs[k], kw_copies[k]):
            raise ExerciseFailed(f"your function changed its argument `{k}` in place")
    expect(
        out is not None,
        "your function returned None: did you forget `return`?",
    )
    return out


def expect_tuple(out, names: str) -> tuple:
    """Inside a check: ``out`` must be a tuple of the named values (``names`` as
    ``"dX, dW, db"``)."""
    n = len(names.split(","))
    expect(
        isinstance(out, (tuple, list)) and len(out) == n,
        f"return a tuple ({names}), got "
        + (
            f"{len(out)} values"
            if isinstance(out, (tuple, list))
            else f"a {type(out).__name__}"
        ),
    )
    for name, v in zip(names.split(","), out):
        expect(v is not None, f"{name.strip()} is None (a missing value?)")
    return tuple(out)


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
