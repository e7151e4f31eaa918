"""Tests for helpers.download. No internet: a loopback HTTP server plays the remote
host."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import threading
import zipfile
from pathlib import Path

import pytest

from helpers.download import (
    FRA_ENG,
    TEXT8,
    DownloadError,
    cache_dir,
    download,
    extract_zip_member,
    fra_eng,
    load_text8,
    sha256sum,
)

PAYLOAD = b"hello nlp book\n" * 100
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()
WRONG_SHA = "0" * 64


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


class Server:
    """A tiny loopback HTTP server serving ``files`` (path -> bytes) and counting
    requests."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.daemon = True

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate tests from the user's settings and from any HTTP proxy."""
    for var in (
        "NLPBOOK_DATA",
        "NLPBOOK_OFFLINE",
        "http_proxy",
        "HTTP_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def server():
    srv = Server({"/data.txt": PAYLOAD})
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()
        srv.thread.join(timeout=5)


@pytest.fixture
def refused_url():
    """A URL on a loopback port that is bound but not listening: connections are
    refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/data.txt"
    finally:
        sock.close()


def test_cache_dir_env_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPBOOK_DATA", str(tmp_path / "data"))
    assert cache_dir() == tmp_path / "data" and (tmp_path / "data").is_dir()
    monkeypatch.delenv("NLPBOOK_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "nlpbook"
    assert cache_dir().is_dir()


def test_sha256sum(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(PAYLOAD)
    assert sha256sum(p) == PAYLOAD_SHA


@pytest.mark.parametrize("offline", [True, False])
def test_cache_hit_needs_no_network(
    tmp_path: Path, refused_url: str, offline: bool
) -> None:
    (tmp_path / "data.txt").write_bytes(PAYLOAD)
    assert (
        download(refused_url, PAYLOAD_SHA, cache=tmp_path, offline=offline)
        == tmp_path / "data.txt"
    )
    assert (
        download(refused_url, None, cache=tmp_path, offline=offline)
        == tmp_path / "data.txt"
    )


def test_download_then_cache_hit(tmp_path: Path, server: Server) -> None:
    url = server.url("/data.txt")
    path = download(url, PAYLOAD_SHA, cache=tmp_path)
    assert path == tmp_path / "data.txt" and path.read_bytes() == PAYLOAD
    assert download(url, PAYLOAD_SHA.upper(), cache=tmp_path) == path
    assert server.requests == ["/data.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt"]


def test_download_without_checksum_and_custom_filename(
    tmp_path: Path, server: Server
) -> None:
    path = download(server.url("/data.txt"), None, "renamed.bin", cache=tmp_path)
    assert path == tmp_path / "renamed.bin" and path.read_bytes() == PAYLOAD


def test_download_uses_env_cache_dir(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPBOOK_DATA", str(tmp_path / "env"))
    assert (
        download(server.url("/data.txt"), PAYLOAD_SHA) == tmp_path / "env" / "data.txt"
    )


def test_checksum_mismatch_leaves_nothing(tmp_path: Path, server: Server) -> None:
    url = server.url("/data.txt")
    with pytest.raises(DownloadError) as exc:
        download(url, WRONG_SHA, cache=tmp_path)
    msg = str(exc.value)
    assert url in msg and str(tmp_path / "data.txt") in msg
    assert WRONG_SHA in msg and PAYLOAD_SHA in msg
    assert list(tmp_path.iterdir()) == []


def test_corrupt_cached_file(tmp_path: Path, refused_url: str) -> None:
    (tmp_path / "data.txt").write_bytes(b"truncated")
    with pytest.raises(DownloadError) as exc:
        download(refused_url, PAYLOAD_SHA, cache=tmp_path)
    msg = str(exc.value)
    assert str(tmp_path / "data.txt") in msg and PAYLOAD_SHA in msg
    assert hashlib.sha256(b"truncated").hexdigest() in msg and "Delete" in msg


def test_http_404(tmp_path: Path, server: Server) -> None:
    url = server.url("/missing.txt")
    with pytest.raises(DownloadError) as exc:
        download(url, None, cache=tmp_path)
    assert "404" in str(exc.value) and url in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused(tmp_path: Path, refused_url: str) -> None:
    with pytest.raises(DownloadError) as exc:
        download(refused_url, PAYLOAD_SHA, cache=tmp_path, timeout=2)
    msg = str(exc.value)
    assert refused_url in msg and "offline" in msg
    assert str(tmp_path / "data.txt") in msg and "NLPBOOK_DATA" in msg
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["1", "true"])
def test_offline_env_fails_at_once(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("NLPBOOK_OFFLINE", value)
    with pytest.raises(DownloadError) as exc:
        download(server.url("/data.txt"), PAYLOAD_SHA, cache=tmp_path)
    msg = str(exc.value)
    assert (
        "offline" in msg and str(tmp_path / "data.txt") in msg and "NLPBOOK_DATA" in msg
    )
    assert server.requests == []
    assert list(tmp_path.iterdir()) == []


def test_offline_false_overrides_env(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NLPBOOK_OFFLINE", "1")
    assert download(
        server.url("/data.txt"), PAYLOAD_SHA, cache=tmp_path, offline=False
    ).exists()


def test_bad_filename_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        download("http://127.0.0.1/", None, cache=tmp_path, offline=True)
    with pytest.raises(ValueError):
        download("http://127.0.0.1/x", None, "../x", cache=tmp_path, offline=True)


def test_extract_zip_member(tmp_path: Path) -> None:
    zp = tmp_path / "a.zip"
    zp.write_bytes(make_zip({"dir/inner.txt": b"inner", "other.txt": b"other"}))
    out = extract_zip_member(zp, "dir/inner.txt")
    assert out == tmp_path / "inner.txt" and out.read_bytes() == b"inner"
    target = extract_zip_member(zp, "other.txt", tmp_path / "sub" / "o.txt")
    assert target.read_bytes() == b"other"
    into_dir = extract_zip_member(zp, "other.txt", tmp_path / "sub")
    assert (
        into_dir == tmp_path / "sub" / "other.txt" and into_dir.read_bytes() == b"other"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip", "inner.txt", "sub"]


def test_extract_missing_member(tmp_path: Path) -> None:
    zp = tmp_path / "a.zip"
    zp.write_bytes(make_zip({f"f{i}.txt": b"x" for i in range(8)}))
    with pytest.raises(DownloadError) as exc:
        extract_zip_member(zp, "text8")
    msg = str(exc.value)
    assert "'text8'" in msg and "'f0.txt'" in msg and "3 more" in msg
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


def test_extract_corrupt_zip(tmp_path: Path) -> None:
    zp = tmp_path / "a.zip"
    zp.write_bytes(b"this is not a zip file")
    with pytest.raises(DownloadError, match="not a valid zip"):
        extract_zip_member(zp, "text8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


def test_load_text8(
    tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = " anarchism originated as a term of abuse"
    blob = make_zip({"text8": text.encode()})
    server.files["/text8.zip"] = blob
    url = server.url("/text8.zip")
    text_sha = hashlib.sha256(text.encode()).hexdigest()

    # Override via keyword arguments.
    sha = hashlib.sha256(blob).hexdigest()
    assert load_text8(url=url, sha256=sha, text_sha256=text_sha, cache=tmp_path) == text
    assert (
        load_text8(
            10, url=url, sha256=sha, text_sha256=text_sha, cache=tmp_path, offline=True
        )
        == text[:10]
    )
    assert server.requests == ["/text8.zip"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text8", "text8.zip"]

    # Override via the module-level TEXT8 dict.
    other = tmp_path / "other"
    monkeypatch.setitem(TEXT8, "url", url)
    monkeypatch.setitem(TEXT8, "sha256", sha)
    monkeypatch.setitem(TEXT8, "text_sha256", text_sha)
    assert load_text8(max_chars=4, cache=other) == text[:4]
    assert len(server.requests) == 2


def test_load_text8_rejects_wrong_text(tmp_path: Path, server: Server) -> None:
    blob = make_zip({"text8": b"not the real corpus"})
    server.files["/text8.zip"] = blob
    sha = hashlib.sha256(blob).hexdigest()
    with pytest.raises(DownloadError, match="is not text8"):
        # default: the real text8 digest
        load_text8(url=server.url("/text8.zip"), sha256=sha, cache=tmp_path)
    # the bad extraction was removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["text8.zip"]


def test_text8_digests_are_pinned() -> None:
    assert len(TEXT8["sha256"]) == 64 and len(TEXT8["text_sha256"]) == 64


FRA_TXT = "Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org\n".encode() * 50
FRA_ZIP = make_zip({"_about.txt": b"about", "fra.txt": FRA_TXT})


def test_fra_eng_records_the_digest_then_checks_it(tmp_path: Path) -> None:
    srv = Server({"/anki/fra-eng.zip": FRA_ZIP})
    srv.thread.start()
    try:
        url = srv.url("/anki/fra-eng.zip")
        path = fra_eng(url=url, cache=tmp_path)
        assert path == tmp_path / "fra.txt" and path.read_bytes() == FRA_TXT
        pin = (tmp_path / "fra-eng.zip.sha256").read_text().split()[0]
        assert pin == hashlib.sha256(FRA_ZIP).hexdigest()
        assert fra_eng(url=url, cache=tmp_path, offline=True) == path  # cached
        assert srv.requests == ["/anki/fra-eng.zip"]
        (tmp_path / "fra-eng.zip").write_bytes(FRA_ZIP[:-10])  # tampered cache
        with pytest.raises(DownloadError, match="corrupt or not the expected file"):
            fra_eng(url=url, cache=tmp_path)
        (tmp_path / "fra-eng.zip").unlink()
        with pytest.raises(DownloadError, match="Checksum mismatch"):
            fra_eng(WRONG_SHA, url=url, cache=tmp_path)
        assert not (tmp_path / "fra-eng.zip").exists()
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def test_fra_eng_offline_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DownloadError) as e:
        fra_eng(cache=tmp_path, offline=True)
    assert "\n" not in str(e.value)
    assert FRA_ENG["url"] in str(e.value) and str(tmp_path / "fra-eng.zip") in str(
        e.value
    )
    assert FRA_ENG["url"] == "https://www.manythings.org/anki/fra-eng.zip"
    assert FRA_ENG["sha256"] is None  # not invented: see the comment above FRA_ENG
