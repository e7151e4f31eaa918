"""Executing every notebook twice gives the same text outputs (``make determinism``).

    python tests/determinism.py --against _build/executed --again _build/determinism \
        [--sanitize tests/sanitize.cfg] NOTEBOOK...
    python tests/determinism.py --check-copies --against _build/executed NOTEBOOK...

Both runs are nbval's (``make nbval`` wrote --against, ``make determinism`` runs nbval
once more into --again), with the same executor, threads and plugin. For each notebook
it compares every code cell's text outputs (streams, text/plain, text/markdown,
text/html, errors), after nbval's sanitisation (tests/sanitize.cfg: addresses, timings,
rates, progress bars), between the two executed copies. Images are not compared (PNG
bytes are not stable across matplotlib builds), nor a widget's model id. Exit status 1
with each differing cell, its source and both texts, or naming a missing or stale copy.
``--check-copies`` only checks that --against holds a fresh copy of every notebook (so
that make determinism fails at once, not after executing)."""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import sys
from pathlib import Path

import nbformat

TEXT_MIMES = ("text/plain", "text/markdown", "text/html", "text/latex")


def load_patterns(path: Path) -> list[tuple[str, str]]:
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns(path.read_text())


def sanitize(text: str, patterns) -> str:
    for regex, replace in patterns:  # in order, as nbval applies them
        text = re.sub(regex, replace, text)
    return text


def checked_texts(nb, patterns) -> dict[int, str]:
    """Code-cell number -> its sanitised text outputs in one string."""
    from nbval.plugin import coalesce_streams

    texts, number = {}, 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = coalesce_streams(copy.deepcopy(list(cell.get("outputs", []))))
        parts = []
        for o in outputs:
            if o.output_type == "stream":
                parts.append(f"[{o.name}]\n{o.text}")
            elif o.output_type == "error":
                parts.append(f"[error] {o.ename}: {o.evalue}")
            else:
                parts += [
                    f"[{mime}]\n{o.data[mime]}"
                    for mime in TEXT_MIMES
                    if mime in o.get("data", {})
                ]
        texts[number] = sanitize("\n".join(parts), patterns)
        number += 1
    return texts


def code_sources(nb) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def differences(first, second, patterns) -> list[str]:
    """A report per code cell whose checked text differs between two executions of
    one notebook."""
    if code_sources(first) != code_sources(second):
        return [
            "the two notebooks' code cells differ: not two executions of one notebook"
        ]
    a, b, sources = (
        checked_texts(first, patterns),
        checked_texts(second, patterns),
        code_sources(first),
    )
    reports = []
    for n in sorted(a):
        if a[n] == b[n]:
            continue
        diff = "\n".join(
            difflib.unified_diff(
                a[n].splitlines(),
                b[n].splitlines(),
                "first run",
                "second run",
                lineterm="",
                n=1,
            )
        )
        head = "\n".join(sources[n].splitlines()[:3])
        reports.append(
            f"Cell {n} (nbval's numbering):\n{head}\n--- first run:\n{a[n]}\n"
            f"--- second run:\n{b[n]}\n--- diff:\n{diff}"
        )
    return reports


def read_copy(directory: Path, notebook: Path, source) -> tuple[object, str | None]:
    """The executed copy of ``notebook`` in ``directory`` and a problem (or None)."""
    path = directory / notebook
    if not path.exists():
        return None, f"{notebook}: no executed copy at {path}"
    nb = nbformat.read(str(path), as_version=4)
    if code_sources(nb) != code_sources(source):
        return None, f"{notebook}: the executed copy {path} is stale (its code differs)"
    return nb, None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", type=Path, nargs="+")
    parser.add_argument(
        "--against",
        type=Path,
        default=Path("_build/executed"),
        help="the first run's executed copies (make nbval's)",
    )
    parser.add_argument(
        "--again",
        type=Path,
        help="the second run's copies (make determinism's)",
    )
    parser.add_argument(
        "--check-copies",
        action="store_true",
        help="only check that --against holds a fresh copy of every notebook",
    )
    parser.add_argument("--sanitize", type=Path, default=Path("tests/sanitize.cfg"))
    args = parser.parse_args(argv)
    if not args.check_copies and args.again is None:
        parser.error("--again DIR (the second run's copies) or --check-copies")
    patterns = load_patterns(args.sanitize)
    failed = 0
    for notebook in args.notebooks:
        source = nbformat.read(str(notebook), as_version=4)
        first, problem = read_copy(args.against, notebook, source)
        if problem:
            print(f"determinism: {problem}: run make nbval (or make book) first")
            failed += 1
            continue
        if args.check_copies:
            continue
        second, problem = read_copy(args.again, notebook, source)
        if problem:
            print(f"determinism: {problem} (the second run failed?)")
            failed += 1
            continue
        reports = differences(first, second, patterns)
        checked = len(checked_texts(first, patterns))
        if reports:
            print(
                f"determinism: {notebook}: {len(reports)} of {checked} code cells "
                "differ between two runs:\n"
            )
            print("\n\n".join(reports))
            failed += 1
        else:
            print(
                f"determinism: {notebook}: the text outputs of all {checked} code "
                "cells are identical in both runs"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
