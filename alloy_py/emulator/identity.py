"""ECIDs and the Edge's identity cookie (``kndctr_<org>_identity``).

The Edge stores the ECID in a base64 (standard alphabet, padded) protobuf
message: field 1 (length-delimited) is the ECID string, field 2 (varint) a
timestamp in seconds. alloy.js and alloy-py decode field 1 only
(``createDecodeKndctrCookie.js``, :func:`alloy_py.cookies.decode_kndctr_ecid`).
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Optional
from urllib.parse import unquote

__all__ = [
    "cookie_name",
    "decode_identity_cookie",
    "encode_identity_cookie",
    "mint_ecid",
    "sanitize_org_id",
]


def sanitize_org_id(org_id: str) -> str:
    return org_id.replace("@", "_", 1)


def cookie_name(org_id: str, key: str) -> str:
    """``kndctr_<org with its first @ as _>_<key>``."""
    return f"kndctr_{sanitize_org_id(org_id)}_{key}"


def mint_ecid() -> str:
    """A random 38-digit ECID (no leading zero), like the Edge's."""
    return str(10**37 + secrets.randbelow(9 * 10**37))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_identity_cookie(ecid: str, timestamp: Optional[int] = None) -> str:
    """The identity cookie value for ``ecid`` (``CiY…`` for a 38-digit ECID)."""
    raw = ecid.encode("utf-8")
    message = b"\x0a" + _varint(len(raw)) + raw
    message += b"\x10" + _varint(int(time.time()) if timestamp is None else timestamp)
    return base64.b64encode(message).decode("ascii")


def _read_varint(raw: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while pos < len(raw):
        byte = raw[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("truncated varint")


def decode_identity_cookie(value: str) -> Optional[str]:
    """The ECID in an identity cookie value, or ``None`` if it does not decode.

    Accepts the URI-encoded and the base64url spellings too (as alloy does).
    """
    try:
        text = unquote(value).strip().strip('"').replace("_", "/").replace("-", "+")
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        pos = 0
        while pos < len(raw):
            key, pos = _read_varint(raw, pos)
            field, wire = key >> 3, key & 7
            if wire == 2:
                length, pos = _read_varint(raw, pos)
                chunk = raw[pos:pos + length]
                if len(chunk) < length:
                    return None
                pos += length
                if field == 1:
                    ecid = chunk.decode("utf-8")
                    return ecid if ecid.isdigit() else None
            elif wire == 0:
                _, pos = _read_varint(raw, pos)
            elif wire in (1, 5):
                pos += 8 if wire == 1 else 4
            else:
                return None
    except (ValueError, UnicodeDecodeError):
        return None
    return None
