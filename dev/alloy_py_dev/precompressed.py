"""Serve ``X.br`` / ``X.gz`` for ``X`` when the browser accepts them (the dev server).

``make web`` writes the Pyodide memory snapshot with pre-compressed variants
next to it (30 MB raw, about 3.5 MB brotli). A static handler derived from :class:`PrecompressedFiles`
answers ``GET X`` with the bytes of ``X.br`` (or ``X.gz``) and
``Content-Encoding: br`` (``gzip``), ``X``'s own ``Content-Type`` and
``Vary: Accept-Encoding``; without a variant, or when the request does not
accept it, ``X`` itself as before. Any CDN or web server can do the same
(nginx ``brotli_static``/``gzip_static``, Apache ``MultiViews``...).
"""

from __future__ import annotations

import email.utils
import http.server
import os
from typing import BinaryIO

__all__ = ["ENCODINGS", "PrecompressedFiles", "accepted"]

# Preferred first.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def accepted(accept_encoding: str) -> set[str]:
    """The codings an ``Accept-Encoding`` header accepts (``q=0`` refuses)."""
    codings = set()
    for part in accept_encoding.split(","):
        token, _, params = part.strip().partition(";")
        q = params.strip().replace(" ", "")
        if q.startswith("q=") and q[2:].strip("0.") == "":
            continue
        if token:
            codings.add(token.strip().lower())
    return codings


class PrecompressedFiles(http.server.SimpleHTTPRequestHandler):
    """A :class:`http.server.SimpleHTTPRequestHandler` that prefers pre-compressed variants."""

    def send_head(self) -> BinaryIO | None:
        path = self.translate_path(self.path)
        if os.path.isfile(path):
            codings = accepted(self.headers.get("Accept-Encoding") or "")
            for coding, suffix in ENCODINGS:
                if coding in codings and os.path.isfile(path + suffix):
                    return self._send_variant(path, path + suffix, coding)
        return super().send_head()

    def _send_variant(self, path: str, variant: str, coding: str) -> BinaryIO | None:
        f = open(variant, "rb")
        stat = os.fstat(f.fileno())
        if self._not_modified_since(stat.st_mtime):  # as the base class does for a file itself
            f.close()
            self.send_response(304)
            self.send_header("Vary", "Accept-Encoding")
            self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        self.end_headers()
        return f

    def _not_modified_since(self, mtime: float) -> bool:
        since = self.headers.get("If-Modified-Since")
        if not since or "If-None-Match" in self.headers:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return when.tzinfo is not None and when.timestamp() >= int(mtime)
