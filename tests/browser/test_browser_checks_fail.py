"""Each check of bookcheck.check_page can fail: one lecture page of the built book
(BOOK_HTML), copied with one defect put in, must show that defect's problem, which the
unchanged copy does not show.
"""

import os
import re
from pathlib import Path

import bookcheck
import pytest

PRE = '<div class="highlight"><pre>'
TRACEBACK = (
    '<div class="output traceback highlight-ipythontb notranslate">'
    + PRE
    + "Traceback "
    "(most recent call last):\n  Cell In[3], line 1\nValueError: bad</pre></div></div>"
)
STREAM_TRACEBACK = (
    '<div class="output stream highlight-myst-ansi notranslate">' + PRE + "Traceback "
    '(most recent call last):\n  File "x.py", line 1\nKeyError: 1</pre></div></div>'
)
MATH = '<span class="math notranslate nohighlight">'


def _first(pattern: str, repl, html: str) -> str:
    new, n = re.subn(pattern, repl, html, count=1)
    assert n == 1, f"the page has no {pattern!r} to doctor"
    return new


def _in_article(snippet: str):
    return lambda html: _first(
        r"(<article[^>]*>)", lambda m: m.group(1) + snippet, html
    )


def _in_output(snippet: str):
    return lambda html: _first(
        r'(<div class="cell_output docutils container">)',
        lambda m: m.group(1) + snippet,
        html,
    )


# name: (how to doctor the page's html, the problem it must show)
CASES = {
    "broken image src": (
        lambda h: _first(r'src="\.\./_images/', 'src="../_images/missing-', h),
        r"^image not loaded: \.\./_images/missing-",
    ),
    "no MathJax": (
        lambda h: _first(
            r'<script defer="defer" src="[^"]*mathjax[^"]*"></script>', "", h
        ),
        r"^math elements but no MathJax script",
    ),
    "math span without delimiters": (
        # MathJax typesets only between delimiters: this span stays raw text
        _in_article(f"<p>{MATH}x^2 + y_1</span></p>"),
        r"^math not typeset: x\^2 \+ y_1",
    ),
    "raw TeX in the text": (
        # inside the lecture's section, which myst-nb marks for MathJax to skip
        lambda h: _first(
            r'(<section class="tex2jax_ignore mathjax_ignore"[^>]*>)',
            lambda m: m.group(1) + "<p>The loss is \\(L = -\\log p\\) per token.</p>",
            h,
        ),
        r"^raw TeX in the text: .*\\\(L = -\\log p",
    ),
    "TeX error": (
        _in_article(f"<p>{MATH}\\(\\frac{{1}}\\)</span></p>"),
        r"^MathJax error: ",
    ),
    "traceback output": (_in_output(TRACEBACK), r"^error output \(output traceback"),
    "traceback in a stream": (
        _in_output(STREAM_TRACEBACK),
        r"^traceback in a cell output: ",
    ),
    "no outputs": (
        lambda h: h.replace('class="cell_output docutils container"', 'class="x"'),
        r"^no cell outputs on a notebook page",
    ),
    "solution shown": (
        lambda h: _first(
            r'class="solution dropdown admonition"',
            'class="solution dropdown admonition toggle-shown"',
            h,
        ),
        r"^solution shown before it is clicked: ",
    ),
    "solution not a dropdown": (
        lambda h: _first(
            r'class="solution dropdown admonition"', 'class="solution admonition"', h
        ),
        r"^solution not a dropdown: ",
    ),
    "solution that does not open": (
        # the toggle's click handler is gone: the title is clicked and nothing unfolds
        lambda h: _first(
            r'(<script src="[^"]*togglebutton\.js[^"]*"></script>)',
            lambda m: (
                m.group(1) + "<script>var toggleClickHandler = () => {};</script>"
            ),
            h,
        ),
        r"^solution still hidden after clicking its title: ",
    ),
    "no solutions": (
        lambda h: h.replace(
            'class="solution dropdown admonition"', 'class="admonition"'
        ),
        r"^no solutions on a lecture page",
    ),
    "wrong Colab link": (
        lambda h: _first(
            r"(colab\.research\.google\.com/github/[^\"]*/blob/[^/\"]+/notebooks/)"
            r"[^\"/]+\.ipynb",
            lambda m: m.group(1) + "00_other.ipynb",
            h,
        ),
        r"^Colab link .*/00_other\.ipynb is not ",
    ),
    "no Colab button": (
        lambda h: re.sub(
            r'href="https://colab\.research\.google\.com[^"]*"', 'href="#"', h
        ),
        r"^no Colab launch button",
    ),
    "request off 127.0.0.1": (
        # what myst-nb adds to a page whose notebook has widget state, unless
        # nb_ipywidgets_js is {}: require.js from a CDN (blocked here, and reported
        # as a request even if the page did not need it)
        _in_article(
            '<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.4/'
            'require.min.js" async></script>'
        ),
        r"^request off 127\.0\.0\.1: https://cdnjs\.cloudflare\.com/ajax/libs/require",
    ),
    "script error": (
        _in_article("<script>notDefinedAnywhere();</script>"),
        r"^console error: .*notDefinedAnywhere is not defined",
    ),
}


@pytest.fixture(scope="module")
def lecture(book_html) -> str:
    pages = [p for p in bookcheck.book_pages(book_html) if p.startswith("notebooks/")]
    assert pages, f"no notebooks/*.html in {book_html}"
    return pages[0]


def _copy(book_html: Path, root: Path, page: str, html: str) -> Path:
    """A served tree with the book's assets (links) and one page."""
    root.mkdir(parents=True)
    for item in book_html.iterdir():
        if item.name not in ("book", "notebooks"):
            os.symlink(item, root / item.name)
    (root / page).parent.mkdir(parents=True)
    (root / page).write_text(html)
    return root


@pytest.fixture(scope="module")
def unchanged(book_html, browser, lecture, tmp_path_factory):
    root = _copy(
        book_html,
        tmp_path_factory.mktemp("unchanged") / "html",
        lecture,
        (book_html / lecture).read_text(),
    )
    with bookcheck.serve(root) as server:
        return bookcheck.check_page(browser, server, lecture)


@pytest.mark.parametrize("case", list(CASES))
def test_check_catches(case, book_html, browser, lecture, unchanged, tmp_path):
    doctor, expected = CASES[case]
    root = _copy(
        book_html, tmp_path / "html", lecture, doctor((book_html / lecture).read_text())
    )
    with bookcheck.serve(root) as server:
        problems = bookcheck.check_page(browser, server, lecture)
    new = [p for p in problems if p not in unchanged]
    assert any(re.search(expected, p) for p in new), (
        f"{case}: no problem matching {expected!r} among the new ones: {new}"
    )
    assert not any(re.search(expected, p) for p in unchanged)


def test_colab_link_on_a_page_that_is_no_notebook(book_html, browser, tmp_path):
    md = [p for p in bookcheck.book_pages(book_html) if p.startswith("book/")]
    md = [p for p in md if not bookcheck.is_notebook(book_html, p)][0]
    link = '<a href="https://colab.research.google.com/github/o/r/blob/main/x.md">C</a>'
    html = _in_article(f"<p>{link}</p>")((book_html / md).read_text())
    root = _copy(book_html, tmp_path / "html", md, html)
    with bookcheck.serve(root) as server:
        problems = bookcheck.check_page(browser, server, md)
    assert problems == [
        "Colab link on a page that is no notebook: "
        "https://colab.research.google.com/github/o/r/blob/main/x.md"
    ]
