"""Browser tests of a built book: they run only with BOOK_HTML=<html dir>
(`make browser`).

Without BOOK_HTML nothing here is collected, so `pytest tests` (make helpers-test)
needs neither a browser nor a built book. With BOOK_HTML set, a missing html dir,
browser or driver fails the run with a message saying what to do; it never skips.
"""

import os
from pathlib import Path

import pytest

if not os.environ.get("BOOK_HTML"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def book_html() -> Path:
    html = Path(os.environ["BOOK_HTML"]).resolve()
    if not (html / "index.html").is_file():
        pytest.fail(
            f"BOOK_HTML={os.environ['BOOK_HTML']}: no built book there (no "
            "index.html); build it first (`make book` writes _build/html)",
            pytrace=False,
        )
    return html


@pytest.fixture(scope="session")
def browser():
    import bookcheck

    missing = bookcheck.missing_browser()
    if missing:
        pytest.fail(missing, pytrace=False)
    with bookcheck.chromium() as driver:
        yield driver
