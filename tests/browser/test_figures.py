"""The lectures' figures (helpers/diagrams.py) in the built book (BOOK_HTML), in
headless Chromium, in light and in dark mode: on every lecture page, each figure the
notebook declares (a cell with mystnb figure metadata) is there, in order, with its
number and caption ("Figure N.k: ..."), no second number of Sphinx's own, a loaded
image and a reference to it in the text; in dark mode the diagram sits on the page's
own dark background (no light panel, no dimming). A dark-mode screenshot of each
lecture page, and of each figure in both modes, lands in _build/screenshots/figures/
(or $BOOK_SCREENSHOTS/figures/).
"""

import json
import os
import re
from pathlib import Path

import bookcheck
import pytest

HTML = Path(os.environ.get("BOOK_HTML", "_build/html"))
LECTURES = sorted((bookcheck.REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHOTS = (
    Path(os.environ.get("BOOK_SCREENSHOTS", bookcheck.REPO / "_build" / "screenshots"))
    / "figures"
)

# Every figure on the page: its id, caption, Sphinx's number (if any), the image's
# state and, in dark mode, the computed background and filter of the image.
FIGURES_JS = """
return Array.from(document.querySelectorAll('.bd-content figure')).map(f => {
  const img = f.querySelector('img');
  const cap = f.querySelector('figcaption');
  const style = img ? getComputedStyle(img) : null;
  return {
    id: f.id,
    caption: cap ? cap.innerText.trim() : '',
    sphinxNumber: cap ? (cap.querySelector('.caption-number') || {}).innerText || ''
                      : '',
    loaded: !!img && img.complete && img.naturalWidth > 0,
    width: img ? img.getBoundingClientRect().width : 0,
    background: style ? style.backgroundColor : '',
    filter: style ? style.filter : '',
  };
});
"""

# The page's text outside the figures' captions (where the references must be).
TEXT_JS = """
const main = document.querySelector('.bd-content').cloneNode(true);
main.querySelectorAll('figure').forEach(f => f.remove());
return main.innerText;
"""


def declared(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text())["cells"]
    return [
        c["metadata"]["mystnb"]["figure"]
        for c in cells
        if c["cell_type"] == "code" and "figure" in c["metadata"].get("mystnb", {})
    ]


@pytest.fixture(scope="module")
def server(book_html):
    with bookcheck.serve(book_html) as server:
        yield server


def set_theme(driver, mode: str):
    driver.execute_script(
        "localStorage.setItem('theme', arguments[0]);"
        "localStorage.setItem('mode', arguments[0]);"
        "document.documentElement.dataset.theme = arguments[0];"
        "document.documentElement.dataset.mode = arguments[0];",
        mode,
    )


def load(driver, server, page: str):
    driver.set_window_size(bookcheck.WIDTH, 900)
    driver.get(server.url + page)
    bookcheck._wait(
        driver, "return document.readyState === 'complete'", "the page to load"
    )
    height = bookcheck.js(driver, "pageHeight()")
    driver.set_window_size(
        bookcheck.WIDTH, min(int(height) + 120, bookcheck.MAX_HEIGHT)
    )
    bookcheck._wait(
        driver,
        "return Array.from(document.images).every(i => i.complete)",
        "the images to load",
    )


def problems_with(figures: list[dict], want: list[dict], mode: str) -> list[str]:
    problems = []
    ids = [f["id"] for f in figures]
    if ids != [w["name"] for w in want]:
        problems.append(
            f"{mode}: figures on the page {ids}, the notebook declares "
            f"{[w['name'] for w in want]}"
        )
    for f, w in zip(figures, want):
        number = re.match(r"Figure (\d+\.\d+):", w["caption"]).group(1)
        if not f["caption"].startswith(f"Figure {number}: "):
            problems.append(f"{mode}: {f['id']} caption {f['caption'][:60]!r}")
        if f["sphinxNumber"]:
            problems.append(
                f"{mode}: {f['id']} has a second number {f['sphinxNumber']!r}"
            )
        if not f["loaded"] or f["width"] < 200:
            problems.append(
                f"{mode}: {f['id']} image not loaded or too small ({f['width']:.0f} px)"
            )
        if mode == "dark" and (
            f["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
            or f["filter"] not in ("none", "")
        ):
            problems.append(
                f"dark: {f['id']} drawn on {f['background']} with filter "
                f"{f['filter']}: the theme's light panel, not the page's background"
            )
    return problems


@pytest.mark.parametrize("notebook", LECTURES, ids=lambda p: p.stem)
def test_figures(book_html, browser, server, notebook):
    from selenium.webdriver.common.by import By

    page = f"notebooks/{notebook.stem}.html"
    want = declared(notebook)
    assert want, f"{notebook.name} declares no figure"
    problems = []
    for mode in ("light", "dark"):
        load(browser, server, page)
        set_theme(browser, mode)
        bookcheck._wait(
            browser,
            f"return document.documentElement.dataset.theme === '{mode}'",
            f"the {mode} theme",
        )
        figures = browser.execute_script(FIGURES_JS)
        problems += problems_with(figures, want, mode)
        if mode == "light":
            text = browser.execute_script(TEXT_JS)
            problems += [
                f"no reference to {w['caption'].split(':')[0]} in the text"
                for w in want
                if not re.search(re.escape(w["caption"].split(":")[0]) + r"\b", text)
            ]
        SHOTS.joinpath(mode).mkdir(parents=True, exist_ok=True)
        for f in figures:
            el = browser.find_element(By.ID, f["id"])
            browser.execute_script("arguments[0].scrollIntoView()", el)
            el.screenshot(str(SHOTS / mode / f"{f['id']}.png"))
        if mode == "dark":
            browser.save_screenshot(str(SHOTS / f"{notebook.stem}-dark.png"))
    set_theme(browser, "light")  # the next page starts light
    assert not problems, f"{page}:\n  " + "\n  ".join(problems)
