"""Executing a notebook twice gives the same text outputs (``make determinism``).

    python tests/determinism.py notebooks/04_seq2seq_attention.ipynb \
        [--against _build/executed] [--sanitize tests/sanitize.cfg]

Executes the notebook once with nbclient and compares every code cell's text outputs
(streams, text/plain, text/markdown, text/html, errors), after nbval's sanitisation
(tests/sanitize.cfg: addresses, timings, progress bars), with those of the executed copy
nbval wrote (``tests/nbval_plugin.py``); without a copy (or with a stale one) it
executes the notebook twice. Images are not compared (PNG bytes are not stable across
matplotlib builds), nor are cells that show a widget (nbclient moves an Output widget's
content into the widget state, nbval does not). Exit status 1 with each differing cell,
its source and both texts."""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import sys
from pathlib import Path

import nbformat

TEXT_MIMES = ("text/plain", "text/markdown", "text/html", "text/latex")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def load_patterns(path: Path) -> list[tuple[str, str]]:
    from nbval.plugin import get_sanitize_patterns

    return get_sanitize_patterns(path.read_text())


def sanitize(text: str, patterns) -> str:
    for regex, replace in patterns:  # in order, as nbval applies them
        text = re.sub(regex, replace, text)
    return text


def checked_texts(nb, patterns) -> dict[int, str | None]:
    """Code-cell number -> its sanitised text outputs in one string (None for a cell
    that shows a widget)."""
    from nbval.plugin import coalesce_streams

    texts, number = {}, 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = coalesce_streams(copy.deepcopy(list(cell.get("outputs", []))))
        if any(WIDGET_MIME in o.get("data", {}) for o in outputs):
            texts[number] = None
        else:
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
        if a[n] is None or b[n] is None or a[n] == b[n]:
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


def execute(path: Path, timeout: int = 600):
    from nbclient import NotebookClient

    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument(
        "--against",
        type=Path,
        default=Path("_build/executed"),
        help="the directory of nbval's executed copies",
    )
    parser.add_argument("--sanitize", type=Path, default=Path("tests/sanitize.cfg"))
    args = parser.parse_args(argv)
    patterns = load_patterns(args.sanitize)
    source = nbformat.read(str(args.notebook), as_version=4)
    copy_path = args.against / args.notebook
    first = nbformat.read(str(copy_path), as_version=4) if copy_path.exists() else None
    if first is not None and code_sources(first) != code_sources(source):
        print(
            f"determinism: {copy_path} is stale (its code differs from the "
            "notebook's): ignored"
        )
        first = None
    if first is None:
        print(f"determinism: executing {args.notebook} (first run, no executed copy)")
        first = execute(args.notebook)
    else:
        print(f"determinism: first run: nbval's executed copy {copy_path}")
    print(f"determinism: executing {args.notebook} (second run)")
    second = execute(args.notebook)
    reports = differences(first, second, patterns)
    checked = sum(t is not None for t in checked_texts(first, patterns).values())
    if reports:
        print(
            f"determinism: {args.notebook}: {len(reports)} of {checked} code cells "
            "differ between two runs:\n"
        )
        print("\n\n".join(reports))
        return 1
    print(
        f"determinism: {args.notebook}: the text outputs of all {checked} compared "
        "code cells are identical"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
