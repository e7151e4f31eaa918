"""Stage the book for ``make render``: a copy of the book's sources whose notebooks
are the executed copies nbval wrote (``tests/nbval_plugin.py``), execution switched off.

    python tests/stage_book.py [--executed _build/executed] [--out _build/src]

Copies the source tree (the current directory, without .git, .venv, _build, caches) to
--out, replaces every notebook of ``_toc.yml`` by its executed copy and sets
``execute_notebooks: "off"`` in the copy's ``_config.yml`` (the book's own setting; kept
off here whatever it says, so that the render never executes). ``make render`` then
builds the copy into ``_build/html``. Fails (exit 1, naming the notebooks) when an
executed copy is missing or stale (its cells' sources differ from the notebook's: run
``make nbval`` again)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

SKIP_DIRS = {"_build", "build", "__pycache__", "node_modules"}


def skip(name: str) -> bool:
    return name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info")


def toc_notebooks(root: Path) -> list[Path]:
    """The notebooks ``_toc.yml`` names (relative paths)."""
    files = re.findall(
        r"^\s*(?:-\s*)?(?:file|root):\s*['\"]?([^'\"\s#]+)",
        (root / "_toc.yml").read_text(),
        re.MULTILINE,
    )
    found = []
    for f in files:
        p = Path(f) if f.endswith(".ipynb") else Path(f + ".ipynb")
        if (root / p).exists():
            found.append(p)
    return found


def cell_sources(path: Path) -> list[tuple[str, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (
            c["cell_type"],
            c["source"] if isinstance(c["source"], str) else "".join(c["source"]),
        )
        for c in cells
    ]


def stage(root: Path, executed: Path, out: Path) -> list[str]:
    """Stage the book; return the problems (an empty list when it is staged)."""
    problems = []
    notebooks = toc_notebooks(root)
    for nb in notebooks:
        copy = executed / nb
        if not copy.exists():
            problems.append(f"{nb}: no executed copy at {copy} (run make nbval)")
        elif cell_sources(copy) != cell_sources(root / nb):
            problems.append(
                f"{nb}: the executed copy {copy} is stale, its cells differ from the "
                "notebook's "
                "(run make nbval)"
            )
    if problems:
        return problems
    if out.exists():
        shutil.rmtree(out)
    out_resolved = out.resolve()

    def ignore(directory, names):
        return [
            n
            for n in names
            if skip(n) or (Path(directory) / n).resolve() == out_resolved
        ]

    shutil.copytree(root, out, ignore=ignore)
    for nb in notebooks:
        shutil.copy2(executed / nb, out / nb)
    config = out / "_config.yml"
    text, n = re.subn(
        r"^(\s*execute_notebooks:\s*)\S+",
        r'\1"off"',
        config.read_text(),
        flags=re.MULTILINE,
    )
    if n != 1:
        problems.append(
            f"{config}: expected one 'execute_notebooks:' setting, found {n}"
        )
    config.write_text(text)
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executed", default="_build/executed", type=Path)
    parser.add_argument("--out", default="_build/src", type=Path)
    args = parser.parse_args(argv)
    problems = stage(Path.cwd(), args.executed, args.out)
    for p in problems:
        print(f"stage_book: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
