"""A check both configurations of the dev server pass: ``X.br``/``X.gz`` served for ``X``."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["check_precompressed"]


def check_precompressed(url_for: Callable[[str], str], folder: Path) -> None:
    """``X.br``/``X.gz`` served for ``X`` with Content-Encoding, when accepted."""
    (folder / "s.bin").write_bytes(b"raw" * 100)
    (folder / "s.bin.gz").write_bytes(gzip.compress(b"raw" * 100))
    (folder / "s.bin.br").write_bytes(b"brotli bytes")
    (folder / "a.wasm").write_bytes(b"\0asm")
    (folder / "a.wasm.gz").write_bytes(gzip.compress(b"\0asm"))

    def fetch(path: str, accept: str | None) -> tuple[Any, bytes]:
        request = urllib.request.Request(url_for(path), headers={"Accept-Encoding": accept} if accept else {})
        with urllib.request.urlopen(request, timeout=10) as res:
            return res.headers, res.read()

    headers, body = fetch("/s.bin", "gzip, deflate, br, zstd")
    assert (headers["Content-Encoding"], body, headers["Vary"]) == ("br", b"brotli bytes", "Accept-Encoding")
    assert headers["Content-Type"] == "application/octet-stream"
    headers, body = fetch("/s.bin", "gzip, deflate")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == b"raw" * 100
    assert int(headers["Content-Length"]) == len(body)
    headers, body = fetch("/s.bin", "br;q=0, gzip;q=0")
    assert headers["Content-Encoding"] is None and body == b"raw" * 100
    headers, body = fetch("/s.bin", None)
    assert headers["Content-Encoding"] is None and body == b"raw" * 100
    headers, body = fetch("/a.wasm", "gzip")  # the variant keeps the file's own type
    assert (headers["Content-Type"], headers["Content-Encoding"]) == ("application/wasm", "gzip")
    # Revalidated as a CDN does (a warm load of a no-cache file): 304 when not changed since.
    since = headers["Last-Modified"]
    request = urllib.request.Request(url_for("/a.wasm"), headers={"Accept-Encoding": "gzip",
                                                                  "If-Modified-Since": since})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("expected 304 Not Modified")
    except urllib.error.HTTPError as err:
        assert err.code == 304 and err.headers["Last-Modified"] == since
    stale = "Thu, 01 Jan 1970 00:00:00 GMT"
    request = urllib.request.Request(url_for("/a.wasm"), headers={"Accept-Encoding": "gzip",
                                                                  "If-Modified-Since": stale})
    with urllib.request.urlopen(request, timeout=10) as res:
        assert res.status == 200 and gzip.decompress(res.read()) == b"\0asm"
