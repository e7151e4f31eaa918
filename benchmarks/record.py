"""Print benchmark rows as JSON lines, each stamped with the run's date, and append them
to a file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Iterable


def emit(
    rows: Iterable[dict], out: Path | None = None, stamp: str | None = None
) -> None:
    """One JSON line a row on stdout (and appended to ``out``), ``{"date": stamp,
    **row}``."""
    stamp = stamp or time.strftime("%Y-%m-%dT%H:%M:%S")
    for row in rows:
        line = json.dumps({"date": stamp, **row})
        print(line, flush=True)
        if out:
            with Path(out).open("a") as f:
                f.write(line + "\n")
