"""Execute a lecture notebook and return the ``key_results`` dict its results cell
defines.

Used by the benchmarks of lectures whose key numbers come from several experiments in
the notebook itself, so that the benchmark measures exactly what the book shows.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
MARK = "KEY_RESULTS_JSON:"


def run_notebook(name: str, timeout: int = 900) -> tuple[dict, float]:
    """Execute notebooks/<name> in its folder; return (key_results, seconds)."""
    path = ROOT / "notebooks" / name
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {path}")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            f"import json; print({MARK!r} + json.dumps(key_results))"
        )
    )
    os.environ.setdefault("TQDM_DISABLE", "1")
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    for out in nb.cells[-1].get("outputs", []):
        for line in out.get("text", "").splitlines():
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :]), seconds
    raise RuntimeError(f"{name} did not print its key_results")
