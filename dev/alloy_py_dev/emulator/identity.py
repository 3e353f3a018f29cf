"""ECIDs and the Edge's identity cookie (``kndctr_<org>_identity``).

Its name is :func:`alloy_py.cookies.namespaced_cookie_name`'s.

The Edge stores the ECID in a base64 (standard alphabet, padded) protobuf
message: field 1 (length-delimited) is the ECID string, field 2 (varint) a
timestamp in seconds. alloy.js and alloy-py decode field 1 only
(``createDecodeKndctrCookie.js``, :func:`alloy_py.cookies.decode_kndctr_ecid`).
"""

from __future__ import annotations

import base64
import secrets
import time

from alloy_py.cookies import decode_kndctr_ecid

__all__ = [
    "decode_identity_cookie",
    "encode_identity_cookie",
    "mint_ecid",
]


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


def encode_identity_cookie(ecid: str, timestamp: int | None = None) -> str:
    """The identity cookie value for ``ecid`` (``CiY…`` for a 38-digit ECID)."""
    raw = ecid.encode("utf-8")
    message = b"\x0a" + _varint(len(raw)) + raw
    message += b"\x10" + _varint(int(time.time()) if timestamp is None else timestamp)
    return base64.b64encode(message).decode("ascii")


def decode_identity_cookie(value: str) -> str | None:
    """The ECID in an identity cookie value (the SDK's own decoder), or ``None``."""
    ecid = decode_kndctr_ecid(value.strip().strip('"'))
    return ecid if ecid and ecid.isdigit() else None
