"""Cookies as alloy reads and writes them.

Port of js-cookie 3 (which alloy's browser cookie service wraps),
``utils/getApexDomain.js``, ``utils/getNamespacedCookieName.js`` and
``utils/createDecodeKndctrCookie.js``. Encoding matters: the Edge reads these
cookies back, and alloy.js on the same site must read ours.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from .browser import Browser

__all__ = [
    "CookieJar",
    "decode_kndctr_ecid",
    "encode_uri_component",
    "namespaced_cookie_name",
    "sanitize_org_id",
    "storage_key",
]

_NAME_KEEP = re.compile(r"%(2[346B]|5E|60|7C)")
_VALUE_KEEP = re.compile(r"%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])")
_ENCODED_RUN = re.compile(r"(%[\dA-F]{2})+", re.IGNORECASE)
_URI_COMPONENT_SAFE = "-_.!~*'()"  # what encodeURIComponent leaves as it is
_ALLOY_PREFIX = "com.adobe.alloy."


def storage_key(name: str) -> str:
    """alloy's name for what it keeps in web storage (and its probe cookie): ``com.adobe.alloy.<name>``."""
    return _ALLOY_PREFIX + name


def encode_uri_component(text: str) -> str:
    """``encodeURIComponent``."""
    return quote(text, safe=_URI_COMPONENT_SAFE)


_PROBE_COOKIE = storage_key("getTld")


def _encode_name(name: str) -> str:
    encoded = _NAME_KEEP.sub(lambda m: unquote(m.group(0)), quote(name, safe=_URI_COMPONENT_SAFE, errors="replace"))
    return encoded.replace("(", "%28").replace(")", "%29")


def _encode_value(value: str) -> str:
    return _VALUE_KEEP.sub(lambda m: unquote(m.group(0)), quote(value, safe=_URI_COMPONENT_SAFE, errors="replace"))


def _decode(text: str) -> str:
    return _ENCODED_RUN.sub(lambda m: unquote(m.group(0), errors="strict"), text)


def _http_date(epoch_ms: int) -> str | None:
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    except (OverflowError, ValueError, OSError):
        return None  # beyond what a date can be: the browser keeps it for the session, as for alloy.js


class CookieJar:
    """``document.cookie`` with js-cookie's encoding and ``path=/``."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def all(self) -> dict[str, str]:
        jar: dict[str, str] = {}
        text = self._browser.get_cookies()
        for cookie in text.split("; ") if text else []:
            name, _, value = cookie.partition("=")
            if value.startswith('"'):
                value = value[1:-1]
            try:
                jar.setdefault(_decode(name), _decode(value))
            except UnicodeDecodeError:
                continue
        return jar

    def get(self, name: str) -> str | None:
        return self.all().get(name)

    def set(
        self,
        name: str,
        value: str,
        *,
        domain: str = "",
        expires_ms: int | None = None,
        same_site: str | None = None,
        secure: bool = False,
        uri_component: bool = False,
    ) -> None:
        """``uri_component``: the value is written ``encodeURIComponent``-ed (Audiences' converter)."""
        encoded = quote(value, safe=_URI_COMPONENT_SAFE, errors="replace") if uri_component else _encode_value(value)
        parts = [f"{_encode_name(name)}={encoded}", "path=/"]
        if domain:
            parts.append(f"domain={domain}")
        expires = _http_date(expires_ms) if expires_ms is not None else None
        if expires is not None:
            parts.append(f"expires={expires}")
        if same_site:
            parts.append(f"sameSite={same_site}")
        if secure:
            parts.append("secure")
        self._browser.set_cookie("; ".join(parts))

    def remove(self, name: str, *, domain: str = "") -> None:
        self.set(name, "", domain=domain, expires_ms=self._browser.now_ms() - 86_400_000)

    def apex_domain(self, hostname: str) -> str:
        """The widest domain this page may set cookies on; ``""`` on one-label hosts."""
        labels = hostname.lower().split(".")
        domain = ""
        count = 1
        while count < len(labels) and self.get(_PROBE_COOKIE) is None:
            count += 1
            domain = ".".join(labels[-count:])
            self.set(_PROBE_COOKIE, _PROBE_COOKIE, domain=domain)
        self.remove(_PROBE_COOKIE, domain=domain)
        return domain


def sanitize_org_id(org_id: str) -> str:
    return org_id.replace("@", "_", 1)


def namespaced_cookie_name(org_id: str, key: str) -> str:
    return f"kndctr_{sanitize_org_id(org_id)}_{key}"


def decode_kndctr_ecid(cookie_value: str) -> str | None:
    """The ECID inside the Edge's identity cookie: base64url protobuf, field 1."""
    try:
        text = unquote(cookie_value).replace("_", "/").replace("-", "+")
        return _protobuf_field_1(base64.b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return None


def _protobuf_field_1(raw: bytes) -> str | None:
    position = 0
    while position < len(raw):
        key, position = _varint(raw, position)
        field_number, wire_type = key >> 3, key & 7
        if wire_type == 2:
            length, position = _varint(raw, position)
            chunk = raw[position : position + length]
            position += length
            if len(chunk) < length:
                return None
            if field_number == 1:
                return chunk.decode("utf-8", errors="replace")
        elif wire_type == 0:
            _, position = _varint(raw, position)
        elif wire_type in (1, 5):
            position += 8 if wire_type == 1 else 4
        else:
            return None
    return None


def _varint(raw: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while position < len(raw):
        byte = raw[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
    raise ValueError("truncated varint")
