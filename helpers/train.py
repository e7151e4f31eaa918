"""Progress bars and timing: the pieces every training loop of the book shares."""

from __future__ import annotations

import os
import time
from typing import Iterable, TypeVar

T = TypeVar("T")


def progress_disabled() -> bool:
    """Bars are off under CI, under ``TQDM_DISABLE=1`` and when the book is being
    built."""
    return any(
        os.environ.get(k, "").lower() not in ("", "0", "false")
        for k in ("CI", "TQDM_DISABLE", "NLPBOOK_NO_PROGRESS")
    )


def progress(
    iterable: Iterable[T], total: int | None = None, desc: str = "", **kwargs
) -> Iterable[T]:
    """A tqdm bar (notebook widget or text) that switches itself off cleanly under
    CI."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=progress_disabled(), **kwargs)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``: wall-clock time of the block."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        self.seconds = float("nan")
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
