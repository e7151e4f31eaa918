"""Layer ``.venv-otter`` over the book's ``.venv`` (``make assignments`` runs this with
``.venv-otter``'s python, before anything is installed there).

Writes ``book-venv.pth`` into ``.venv-otter``'s site-packages: one line that adds the
book's site-packages (its ``.pth`` files too, so the editable helpers) *after*
``.venv-otter``'s own. What requirements-otter.txt installs here (otter-grader, wrapt
1.x, ...) shadows the book's packages; torch, numpy, ipykernel and the helpers come from
the book's venv, read only. The path is relative to ``sys.prefix``, so a moved clone
still works.

    .venv-otter/bin/python -m assignments.layer .venv
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m assignments.layer BOOK_VENV", file=sys.stderr)
        return 2
    book = Path(argv[0]).resolve()
    if sys.prefix == sys.base_prefix:
        print("run this with the new virtual environment's python", file=sys.stderr)
        return 2
    here = Path(sysconfig.get_paths()["purelib"])
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    target = book / "lib" / version / "site-packages"
    if not target.is_dir():
        print(f"no {target}: make venv first", file=sys.stderr)
        return 1
    rel = os.path.relpath(target, sys.prefix)
    line = f"import os, site, sys; site.addsitedir(os.path.join(sys.prefix, {rel!r}))"
    (here / "book-venv.pth").write_text(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
