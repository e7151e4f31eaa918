"""Check a built book's pages in headless Debian Chromium (driven by selenium).

`serve(root)` serves a directory on 127.0.0.1 (a free port, a daemon thread, stopped
when the `with` ends); `chromium()` starts Debian's chromium through Debian's
chromedriver (paths given explicitly: selenium-manager never downloads anything);
`check_page(driver, server, page)` loads one page and returns the problems found on it
(none when the page is good). The checks that run in the page are in page_checks.js.

The browser reaches nothing but the loopback server: every other host name resolves to
NOTFOUND, so a page that needs the network fails here and in CI alike; and every request
a page makes (Chromium's performance log: the DevTools Network.requestWillBeSent and
Network.webSocketCreated events) that leaves 127.0.0.1 / localhost is a problem of the
page, whether or not the page still works without it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WIDTH = 1280
MAX_HEIGHT = 16000
TIMEOUT = float(
    os.environ.get("BROWSER_TIMEOUT", "180")
)  # seconds per wait, on a loaded machine

# Requests the browser makes on its own, not the page's: Chromium asks every site for
# /favicon.ico and the book has none (a 404 that a reader never sees).
IGNORED_PATHS = {"/favicon.ico"}


# --------------------------------------------------------------------------- pages


def toc_files(repo: Path = REPO) -> list[str]:
    """Every document in _toc.yml (root first), without suffix: 'book/intro', ..."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text())
    out = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in toc.items() if k != "root"})
    return [re.sub(r"\.(md|ipynb)$", "", f) for f in out]


def book_pages(html: Path) -> list[str]:
    """The pages to check, relative to the html dir: index.html, book/*.html and
    notebooks/*.html (genindex, search and the like are Sphinx's, not the book's)."""
    pages = ["index.html"] if (html / "index.html").exists() else []
    for sub in ("book", "notebooks"):
        pages += sorted(
            p.relative_to(html).as_posix() for p in (html / sub).glob("*.html")
        )
    return pages


def colab_url(page: str, repo: Path = REPO) -> str:
    """The Colab link a notebook page must carry, from _config.yml's repository.url."""
    cfg = yaml.safe_load((repo / "_config.yml").read_text())
    url = cfg["repository"]["url"].rstrip("/")
    owner_repo = re.sub(r"^https://github\.com/", "", url).removesuffix(".git")
    branch = cfg["repository"].get("branch", "main")
    path = (cfg["repository"].get("path_to_book") or "").strip("/")
    notebook = re.sub(r"\.html$", ".ipynb", page)
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/" + (
        f"{path}/{notebook}" if path else notebook
    )


# --------------------------------------------------------------------------- server


class _Handler(http.server.SimpleHTTPRequestHandler):
    errors: list  # (path, code) of every answer >= 400, set per server

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        if isinstance(code, int) and code >= 400:
            self.errors.append((self.path.split("?")[0], code))

    def log_message(self, *args):  # keep pytest's output clean
        pass


class Server:
    def __init__(self, root: Path):
        handler = type("Handler", (_Handler,), {"errors": []})
        self.errors = handler.errors
        self.root = Path(root)
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
        )
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def take_errors(self) -> list:
        out = [e for e in self.errors if e[0] not in IGNORED_PATHS]
        self.errors.clear()
        return out


@contextlib.contextmanager
def serve(root: Path):
    server = Server(root)
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(10)


# --------------------------------------------------------------------------- browser


def missing_browser() -> str | None:
    """A message saying what is missing, or None."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        return (
            f"{' and '.join(missing)} not found: install Debian's packages with "
            "`make browser-deps` (apt-get install chromium chromium-driver)"
        )
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: `make venv` installs requirements.txt"
    return None


@contextlib.contextmanager
def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            f"--window-size={WIDTH},900",
            f"--user-data-dir={profile}",
            # Nothing but the loopback server: a page that needs the network fails
            # here and in CI alike.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ):
            opts.add_argument(flag)
        # browser: the console; performance: DevTools events, every request among them
        opts.set_capability(
            "goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"}
        )
        service = Service(executable_path=CHROMEDRIVER)
        driver = webdriver.Chrome(service=service, options=opts)
        try:
            driver.set_page_load_timeout(TIMEOUT)
            driver.set_script_timeout(TIMEOUT + 30)  # waitMathJax gives up first
            yield driver
        finally:
            driver.quit()


# --------------------------------------------------------------------------- checks


def _wait(driver, script: str, what: str):
    """Poll a JS expression until truthy; returns its value or raises TimeoutError."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        value = driver.execute_script(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {TIMEOUT:.0f} s waiting for {what}")
        time.sleep(0.2)


# Console errors that are no defect of the book, each matched exactly:
# - Chromium's own request for /favicon.ico (see IGNORED_PATHS);
# - pydata-sphinx-theme on a browser's first visit: the book sets no `default_mode`, so
#   the theme logs this with console.error and uses "auto", the default a reader should
#   get anyway;
# - jupyter-book 1 emits sphinx-thebe's one-line config script twice in each page's
#   head; the second, identical copy cannot redeclare its `const`s and loses nothing
#   (ignored only where the page holds identical copies).
THEME_MODE = "Got invalid theme mode: . Resetting to auto."
THEBE_TWICE = (
    "Uncaught SyntaxError: Identifier 'THEBE_JS_URL' has already been declared"
)

JS = (Path(__file__).parent / "page_checks.js").read_text()


def js(driver, call: str):
    """Run `return <call>` with page_checks.js's functions defined."""
    return driver.execute_script(f"{JS}\nreturn {call};")


def console_errors(driver) -> list[str]:
    problems = []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        if any(f"{p} - Failed to load resource" in message for p in IGNORED_PATHS):
            continue
        if message.endswith(f'"{THEME_MODE}"'):
            continue
        if message.endswith(THEBE_TWICE):
            copies = js(driver, "thebeConfigs()")
            if len(copies) > 1 and len(set(copies)) == 1:
                continue
        problems.append(f"console error: {message}")
    return problems


def _solution_problems(driver, page: str) -> list[str]:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    solutions = js(driver, "solutions()")
    # every lecture ends with exercises and their folded solutions
    problems = []
    if page.startswith("notebooks/") and not solutions:
        problems.append("no solutions on a lecture page")
    for sol in solutions:
        name = sol["title"] or sol["id"]
        if not sol["dropdown"]:
            problems.append(f"solution not a dropdown: {name}")
        if sol["shown"]:
            problems.append(f"solution shown before it is clicked: {name}")
            continue
        el = driver.find_element(By.ID, sol["id"])
        title = el.find_element(By.CSS_SELECTOR, ":scope > .admonition-title")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", title)
        # Where a reader clicks: the title's words "Solution to", left of the link to
        # the exercise that sphinx-exercise puts in the title.
        try:
            ActionChains(driver).move_to_element_with_offset(
                title, -title.size["width"] // 2 + 12, 0
            ).click().perform()
        except WebDriverException as exc:
            problems.append(f"solution title cannot be clicked: {name}: {exc.msg}")
            continue
        deadline = time.monotonic() + 3
        shown = False
        while time.monotonic() < deadline and not shown:
            shown = next(s for s in js(driver, "solutions()") if s["id"] == sol["id"])[
                "shown"
            ]
            time.sleep(0.1)
        if not shown:
            problems.append(f"solution still hidden after clicking its title: {name}")
    return problems


def is_notebook(root: Path, page: str) -> bool:
    """Whether the page was rendered from a notebook (Sphinx keeps its source)."""
    return (root / "_sources" / re.sub(r"\.html$", ".ipynb", page)).exists()


def _colab_problems(driver, page: str, notebook: bool) -> list[str]:
    hrefs = js(driver, "colabLinks()")
    if not notebook:  # Colab opens notebooks only
        return [f"Colab link on a page that is no notebook: {h}" for h in hrefs]
    want = colab_url(page)
    if not hrefs:
        return [f"no Colab launch button (want {want})"]
    return [f"Colab link {h} is not {want}" for h in hrefs if h != want]


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp"}


def off_host(url: str) -> bool:
    """Whether a request for ``url`` leaves the machine (data: and blob: do not)."""
    parts = urllib.parse.urlsplit(url)
    return parts.scheme in NETWORK_SCHEMES and parts.hostname not in LOOPBACK


def requested_urls(driver) -> list[str]:
    """The URLs the page requested since the last call (Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
        elif method == "Network.webSocketCreated":
            urls.append(params["url"])
    return urls


def network_problems(driver) -> list[str]:
    off = [u for u in requested_urls(driver) if off_host(u)]
    return [f"request off 127.0.0.1: {u}" for u in dict.fromkeys(off)]


def screenshot_path(page: str) -> Path:
    root = Path(os.environ.get("BOOK_SCREENSHOTS", REPO / "_build" / "screenshots"))
    return root / re.sub(r"\.html$", ".png", page)


def dark_path(screenshot: Path) -> Path:
    return screenshot.with_name(f"{screenshot.stem}-dark{screenshot.suffix}")


@contextlib.contextmanager
def dark_mode(driver):
    """The page in sphinx-book-theme's dark mode (``html[data-theme=dark]``, what its
    switcher sets), painted; the reader's mode again afterwards."""
    before = driver.execute_script(
        "const e = document.documentElement;"
        "const before = [e.dataset.theme, e.dataset.mode];"
        "e.dataset.theme = 'dark'; e.dataset.mode = 'dark';"
        "return before;"
    )
    driver.execute_async_script(  # two frames: the new style is painted
        "const done = arguments[arguments.length - 1];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
    )
    try:
        yield
    finally:
        driver.execute_script(
            "const e = document.documentElement, [t, m] = arguments[0];"
            "if (t === null) delete e.dataset.theme; else e.dataset.theme = t;"
            "if (m === null) delete e.dataset.mode; else e.dataset.mode = m;",
            before,
        )


def check_page(
    driver, server: Server, page: str, screenshot: Path | None = None
) -> list[str]:
    """Load `page` (relative to the served root); return every problem found on it."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get_log("performance")
    server.take_errors()
    driver.set_window_size(WIDTH, 900)
    driver.get(server.url + page)
    _wait(driver, "return document.readyState === 'complete'", "the page to load")

    problems = []
    mathjax = driver.execute_async_script(
        f"{JS}\nwaitMathJax({int(TIMEOUT * 1000)}, arguments[arguments.length - 1]);"
    )
    if mathjax not in ("ok", "none"):
        problems.append(mathjax)

    # The whole page in one window (capped): lazy content loads, the shot is full-page.
    height = js(driver, "pageHeight()")
    chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
    driver.set_window_size(WIDTH, min(int(height) + int(chrome), MAX_HEIGHT))
    deadline = time.monotonic() + 30
    while driver.execute_script(
        "return Array.from(document.images).some(i => !i.complete)"
    ):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)

    problems += js(driver, "mathProblems()")
    problems += js(driver, "imageProblems()")
    problems += js(driver, "outputProblems()")
    notebook = is_notebook(server.root, page)
    if notebook and not js(driver, "outputCount()"):
        problems.append("no cell outputs on a notebook page: built without executing?")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        # the theme's dark mode (its switcher sets these), beside the light shot
        with dark_mode(driver):
            driver.save_screenshot(str(dark_path(screenshot)))
    problems += _colab_problems(driver, page, notebook)
    problems += _solution_problems(driver, page)
    problems += console_errors(driver)
    problems += network_problems(driver)
    problems += [
        f"server answered {code} for {path}" for path, code in server.take_errors()
    ]
    return problems
