"""Download data files once, verify them, and keep them in a local cache: a thin layer
over ``pooch`` (which downloads to a temporary file and moves it into place only once
complete and verified, so an interrupted run never leaves a half-written file behind),
with clear messages.

Files land in ``cache_dir()`` (``$NLPBOOK_DATA`` or ``~/.cache/nlpbook``). Set
``NLPBOOK_OFFLINE=1`` to forbid network access: only cached files are used.
"""

from __future__ import annotations

import os
import tempfile
import urllib.parse
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pooch
import requests

__all__ = [
    "DownloadError",
    "cache_dir",
    "sha256sum",
    "download",
    "extract_zip_member",
    "TEXT8",
    "load_text8",
    "FRA_ENG",
    "fra_eng",
]

pooch.get_logger().setLevel("WARNING")  # no "Downloading ..." chatter in notebooks


class DownloadError(RuntimeError):
    """A data file could not be downloaded, verified or extracted."""


def cache_dir() -> Path:
    """Return the data cache directory (``$NLPBOOK_DATA`` or ``~/.cache/nlpbook``),
    creating it."""
    env = os.environ.get("NLPBOOK_DATA")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "nlpbook"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256sum(path: Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    return pooch.file_hash(str(path), alg="sha256")


def _is_offline(offline: bool | None) -> bool:
    if offline is not None:
        return offline
    return os.environ.get("NLPBOOK_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _by_hand(url: str, target: Path) -> str:
    return (
        f"To proceed without network access, download {url} on another machine and "
        f"place it by hand at {target} (set NLPBOOK_DATA to use a different cache "
        "directory)."
    )


def download(
    url: str,
    sha256: str | None,
    filename: str | None = None,
    *,
    cache: Path | None = None,
    timeout: float = 30.0,
    offline: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Path:
    """Return the cached copy of ``url``, downloading it first if needed.

    ``sha256=None`` skips verification. ``filename`` defaults to the last part of the
    URL path. ``offline=None`` means: offline if ``NLPBOOK_OFFLINE=1``. Raises
    ``DownloadError`` on network/HTTP errors, checksum mismatches, or when offline and
    the file is not cached. ``headers``: extra HTTP headers (e.g. a User-Agent).
    """
    name = filename or Path(urllib.parse.urlsplit(url).path).name
    if not name or Path(name).name != name:
        raise ValueError(
            f"cannot derive a plain file name from url={url!r}, filename={filename!r}"
        )
    folder = Path(cache) if cache is not None else cache_dir()
    target = folder / name
    expected = sha256.lower() if sha256 else None

    if target.exists():
        actual = sha256sum(target) if expected else None
        if actual != expected:
            raise DownloadError(
                f"Cached file {target} is corrupt or not the expected file:\n"
                f"  expected sha256 {expected}\n  actual   sha256 {actual}\n"
                f"Delete it and run again to re-download it from {url}, or replace it "
                "by hand with a correct copy."
            )
        return target
    if _is_offline(offline):
        raise DownloadError(
            f"{target} is not cached and offline mode is on (NLPBOOK_OFFLINE / "
            f"offline=True), so it was not downloaded. {_by_hand(url, target)}"
        )
    try:
        path = pooch.retrieve(
            url,
            known_hash=f"sha256:{expected}" if expected else None,
            fname=name,
            path=folder,
            progressbar=False,
            downloader=pooch.HTTPDownloader(timeout=timeout, headers=headers or {}),
        )
    except requests.HTTPError as e:
        raise DownloadError(
            f"Downloading {url} failed: HTTP {e.response.status_code} "
            f"{e.response.reason}."
        ) from e
    except requests.RequestException as e:
        raise DownloadError(
            f"Could not download {url}: {e}. This machine may be offline or the server "
            f"unreachable. {_by_hand(url, target)}"
        ) from e
    except ValueError as e:
        # pooch: the downloaded file's hash does not match (it kept nothing)
        raise DownloadError(
            f"Checksum mismatch for {url} (to be saved as {target}):\n  expected "
            f"sha256 {expected}\n  ({e})\nNothing was saved. The server may have "
            "served a different or truncated file; try again later, or place a "
            f"verified copy by hand at {target}."
        ) from e
    return Path(path)


def extract_zip_member(zip_path: Path, member: str, dest: Path | None = None) -> Path:
    """Extract one ``member`` of ``zip_path`` atomically (to a temporary name, then
    moved) and return its path. ``dest`` is the output file (or an existing directory to
    put it in); by default the member's base name next to the zip. An existing ``dest``
    file is returned as is."""
    zip_path = Path(zip_path)
    dest = Path(dest) if dest is not None else zip_path.parent / Path(member).name
    if dest.is_dir():
        dest = dest / Path(member).name
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(zip_path) as zf:
            names = zf.namelist()
            if member not in names:
                more = f" (and {len(names) - 5} more)" if len(names) > 5 else ""
                raise DownloadError(
                    f"{zip_path} has no member {member!r}; it contains "
                    f"{', '.join(map(repr, names[:5])) or 'nothing'}{more}."
                )
            with zf.open(member) as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
        os.replace(tmp, dest)
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise DownloadError(
            f"{zip_path} is not a valid zip file ({e}). Delete it and run again to "
            "re-download it."
        ) from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest


# text8: the first 10^8 bytes of cleaned English Wikipedia (Matt Mahoney), 31,344,016
# bytes zipped. Both digests are the ones published alongside text8 by several
# independent projects.
TEXT8: dict[str, Any] = dict(
    url="http://mattmahoney.net/dc/text8.zip",
    # text8.zip
    sha256="a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232",
    member="text8",
    # the extracted text8
    text_sha256="6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7",
)


def load_text8(
    max_chars: int | None = None,
    text_sha256: str | None | Any = ...,
    **download_kwargs: Any,
) -> str:
    """Return the text8 corpus (its first ``max_chars`` characters if given).

    ``download_kwargs`` go to ``download()`` and may also override ``url`` and
    ``sha256`` from ``TEXT8`` (for mirrors and tests). The extracted file is checked
    against ``text_sha256`` (default ``TEXT8["text_sha256"]``; None skips it) and
    removed if it does not match.
    """
    kwargs: dict[str, Any] = {
        "url": TEXT8["url"],
        "sha256": TEXT8["sha256"],
        "filename": "text8.zip",
        **download_kwargs,
    }
    zip_path = download(**kwargs)
    text_path = extract_zip_member(zip_path, TEXT8["member"])
    want = TEXT8.get("text_sha256") if text_sha256 is ... else text_sha256
    if want is not None and (got := sha256sum(text_path)) != want.lower():
        text_path.unlink()
        raise DownloadError(
            f"{text_path}, extracted from {zip_path}, is not text8: sha256 {got}, "
            f"expected {want}. "
            f"It was removed; delete {zip_path} too and run again to re-download it."
        )
    with open(text_path, encoding="utf-8") as f:
        return f.read() if max_chars is None else f.read(max_chars)


# The Tatoeba English-French pairs as the Anki site packs them: fra-eng.zip holds
# fra.txt (English<TAB>French<TAB>attribution, CC-BY 2.0 FR) and _about.txt. The site
# rebuilds the archive as Tatoeba grows, so no digest holds for good, and this
# repository was written offline: no digest is pinned here (``sha256`` None). Instead
# the first download records the digest it got next to the cached zip
# (``fra-eng.zip.sha256``, trust on first use) and every later use checks the cached
# zip against it; ``fra_eng(sha256=...)`` (or ``python -m helpers.translate download
# fra --sha256 HEX``) pins one, e.g. a digest a colleague computed with ``sha256sum
# fra-eng.zip``. The site refuses clients that do not look like a browser, hence the
# User-Agent.
FRA_ENG: dict[str, Any] = dict(
    url="https://www.manythings.org/anki/fra-eng.zip",
    sha256=None,
    member="fra.txt",
    headers={"User-Agent": "Mozilla/5.0 (compatible; nlpbook-helpers)"},
)


def fra_eng(
    sha256: str | None = None,
    url: str | None = None,
    *,
    cache: Path | None = None,
    **download_kwargs: Any,
) -> Path:
    """Local path of Tatoeba's English-French ``fra.txt``, downloaded once (the Anki
    site's ``fra-eng.zip``) into the cache and extracted. The zip is checked against
    ``sha256`` if given, else against the digest recorded at its first download (see
    ``FRA_ENG``). ``url``: a mirror. Offline and not cached: a ``DownloadError`` says
    where to put the zip by hand."""
    folder = Path(cache) if cache is not None else cache_dir()
    zip_name = "fra-eng.zip"
    pin = folder / f"{zip_name}.sha256"
    recorded = pin.read_text().split()[0] if pin.is_file() else None
    want = sha256 or FRA_ENG["sha256"] or recorded
    zip_path = download(
        url or FRA_ENG["url"],
        want,
        zip_name,
        cache=folder,
        headers=download_kwargs.pop("headers", FRA_ENG["headers"]),
        **download_kwargs,
    )
    if want is None or (sha256 and recorded != want.lower()):
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{pin.name}.", suffix=".part")
        with os.fdopen(fd, "w") as f:
            f.write(f"{sha256sum(zip_path)}  {zip_name}\n")
        os.replace(tmp, pin)
    return extract_zip_member(zip_path, FRA_ENG["member"])
