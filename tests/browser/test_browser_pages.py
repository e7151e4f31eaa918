"""Every page of the built book (BOOK_HTML, make book's _build/html) in headless
Chromium: see bookcheck.check_page. A full-page screenshot of each page, light and dark
(PAGE.png and PAGE-dark.png), is kept under _build/screenshots/ (or BOOK_SCREENSHOTS).
"""

import os
from pathlib import Path

import bookcheck
import pytest

HTML = Path(os.environ.get("BOOK_HTML", "_build/html"))
# When the html dir is missing, one placeholder so that the run fails (book_html)
# instead of collecting nothing.
PAGES = bookcheck.book_pages(HTML) or ["index.html"]


@pytest.fixture(scope="module")
def server(book_html):
    with bookcheck.serve(book_html) as server:
        yield server


def test_every_toc_page_is_built(book_html):
    pages = bookcheck.book_pages(book_html)
    missing = [f for f in bookcheck.toc_files() if f"{f}.html" not in pages]
    assert not missing, f"pages in _toc.yml with no html in {book_html}: {missing}"


def test_index_leads_to_the_first_page(book_html, browser, server):
    root = bookcheck.toc_files()[0]
    browser.get(server.url + "index.html")
    bookcheck._wait(
        browser,
        f"return location.pathname === '/{root}.html'"
        " && document.readyState === 'complete'",
        f"index.html to lead to {root}.html",
    )


@pytest.mark.parametrize("page", [p for p in PAGES if p != "index.html"])
def test_page(book_html, browser, server, page):
    problems = bookcheck.check_page(
        browser, server, page, screenshot=bookcheck.screenshot_path(page)
    )
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
