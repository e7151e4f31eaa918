"""Download data files once, verify them, and keep them in a local cache.

Everything here uses the standard library only. Files land in ``cache_dir()``
(``$NLPBOOK_DATA`` or ``~/.cache/nlpbook``). Writes are atomic: a file is
downloaded or extracted to a temporary name in the same directory and only
moved into place once complete (and verified), so an interrupted run never
leaves a half-written file behind.

Set ``NLPBOOK_OFFLINE=1`` to forbid network access: only cached files are used.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Any

__all__ = [
    "DownloadError",
    "cache_dir",
    "sha256sum",
    "download",
    "extract_zip_member",
    "TEXT8",
    "load_text8",
]

_CHUNK = 1 << 20  # 1 MiB


class DownloadError(RuntimeError):
    """A data file could not be downloaded, verified or extracted."""


def cache_dir() -> Path:
    """Return the data cache directory (``$NLPBOOK_DATA`` or ``~/.cache/nlpbook``), creating it."""
    env = os.environ.get("NLPBOOK_DATA")
    path = Path(env).expanduser() if env else Path.home() / ".cache" / "nlpbook"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256sum(path: Path) -> str:
    """Return the hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_offline(offline: bool | None) -> bool:
    if offline is not None:
        return offline
    return os.environ.get("NLPBOOK_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _by_hand(url: str, target: Path) -> str:
    return (
        f"To proceed without network access, download {url} on another machine and "
        f"place it by hand at {target} (set NLPBOOK_DATA to use a different cache directory)."
    )


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def download(
    url: str,
    sha256: str | None,
    filename: str | None = None,
    *,
    cache: Path | None = None,
    timeout: float = 30.0,
    offline: bool | None = None,
) -> Path:
    """Return the cached copy of ``url``, downloading it first if needed.

    ``sha256=None`` skips verification. ``filename`` defaults to the last part of
    the URL path. ``offline=None`` means: offline if ``NLPBOOK_OFFLINE=1``.
    Raises ``DownloadError`` on network/HTTP errors, checksum mismatches, or
    when offline and the file is not cached.
    """
    name = filename or Path(urllib.parse.urlsplit(url).path).name
    if not name or Path(name).name != name:
        raise ValueError(f"cannot derive a plain file name from url={url!r}, filename={filename!r}")
    folder = Path(cache) if cache is not None else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    expected = sha256.lower() if sha256 else None

    if target.exists():
        if expected is None:
            return target
        actual = sha256sum(target)
        if actual == expected:
            return target
        raise DownloadError(
            f"Cached file {target} is corrupt or not the expected file:\n"
            f"  expected sha256 {expected}\n  actual   sha256 {actual}\n"
            f"Delete it and run again to re-download it from {url}, "
            f"or replace it by hand with a correct copy."
        )

    if _is_offline(offline):
        raise DownloadError(
            f"{target} is not cached and offline mode is on (NLPBOOK_OFFLINE / offline=True), "
            f"so it was not downloaded. {_by_hand(url, target)}"
        )

    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
        except urllib.error.HTTPError as e:
            e.close()  # release the connection the error response holds
            raise DownloadError(f"Downloading {url} failed: HTTP {e.code} {e.reason}.") from e
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException) as e:
            reason = getattr(e, "reason", None) or e
            raise DownloadError(
                f"Could not download {url}: {reason}. This machine may be offline "
                f"or the server unreachable. {_by_hand(url, target)}"
            ) from e
        actual = digest.hexdigest()
        if expected is not None and actual != expected:
            raise DownloadError(
                f"Checksum mismatch for {url} (to be saved as {target}):\n"
                f"  expected sha256 {expected}\n  actual   sha256 {actual}\n"
                f"Nothing was saved. The server may have served a different or truncated "
                f"file; try again later, or place a verified copy by hand at {target}."
            )
        os.replace(tmp, target)
    finally:
        _remove(tmp)  # no-op after a successful os.replace
    return target


def extract_zip_member(zip_path: Path, member: str, dest: Path | None = None) -> Path:
    """Extract one ``member`` of ``zip_path`` atomically and return its path.

    ``dest`` is the output file (or an existing directory to put it in); by
    default the member's base name next to the zip. An existing ``dest`` file
    is returned as is.
    """
    zip_path = Path(zip_path)
    if dest is None:
        dest = zip_path.parent / Path(member).name
    elif Path(dest).is_dir():
        dest = Path(dest) / Path(member).name
    dest = Path(dest)
    if dest.exists():
        return dest

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with zipfile.ZipFile(zip_path) as zf:
                    names = zf.namelist()
                    if member not in names:
                        shown = ", ".join(repr(n) for n in names[:5])
                        more = f" (and {len(names) - 5} more)" if len(names) > 5 else ""
                        raise DownloadError(
                            f"{zip_path} has no member {member!r}; it contains {shown or 'nothing'}{more}."
                        )
                    with zf.open(member) as src:
                        for chunk in iter(lambda: src.read(_CHUNK), b""):
                            out.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                raise DownloadError(
                    f"{zip_path} is not a valid zip file ({e}). Delete it and run again to re-download it."
                ) from e
        os.replace(tmp, dest)
    finally:
        _remove(tmp)
    return dest


# text8: the first 10^8 bytes of cleaned English Wikipedia (Matt Mahoney), 31,344,016 bytes zipped.
# Both digests are the ones published alongside text8 by several independent projects.
TEXT8: dict[str, Any] = dict(
    url="http://mattmahoney.net/dc/text8.zip",
    sha256="a6640522afe85d1963ad56c05b0ede0a0c000dddc9671758a6cc09b7a38e5232",        # text8.zip
    member="text8",
    text_sha256="6e890197040d37d85beb962ae1f041ff1d9a9ca8d20c7d99c85027eebf51dca7",   # the extracted text8
)


def load_text8(max_chars: int | None = None, text_sha256: str | None | Any = ..., **download_kwargs: Any) -> str:
    """Return the text8 corpus (its first ``max_chars`` characters if given).

    ``download_kwargs`` go to ``download()`` and may also override ``url`` and
    ``sha256`` from ``TEXT8`` (handy for mirrors and tests). The extracted file is
    checked against ``text_sha256`` (default ``TEXT8["text_sha256"]``; None skips it) and
    removed if it does not match.
    """
    kwargs: dict[str, Any] = {"url": TEXT8["url"], "sha256": TEXT8["sha256"], "filename": "text8.zip"}
    kwargs.update(download_kwargs)
    zip_path = download(**kwargs)
    text_path = extract_zip_member(zip_path, TEXT8["member"])
    want = TEXT8.get("text_sha256") if text_sha256 is ... else text_sha256
    if want is not None:
        got = sha256sum(text_path)
        if got != want.lower():
            _remove(text_path)
            raise DownloadError(
                f"{text_path}, extracted from {zip_path}, is not text8: sha256 {got}, expected {want}. "
                f"It was removed; delete {zip_path} too and run again to re-download it."
            )
    with open(text_path, encoding="utf-8") as f:
        return f.read() if max_chars is None else f.read(max_chars)
