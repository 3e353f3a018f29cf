"""MurmurHash3 x64 128-bit, as Guava's ``Hashing.murmur3_128(seed).hashString(s, UTF_8).toString()``.

Port of ``Advertising/utils/murmurHash128GuavaHex.js``: how alloy hashes the
visitor's IP address before it leaves the page.
"""

from __future__ import annotations

__all__ = ["murmur_hash_128_guava_hex"]

_U64 = (1 << 64) - 1
_C1 = 0x87C37B91114253D5
_C2 = 0x4CF5AD432745937F


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _U64


def _mix_k1(k: int) -> int:
    return (_rotl((k * _C1) & _U64, 31) * _C2) & _U64


def _mix_k2(k: int) -> int:
    return (_rotl((k * _C2) & _U64, 33) * _C1) & _U64


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _U64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _U64
    return k ^ (k >> 33)


def murmur_hash_128_guava_hex(text: str, seed: int = 0) -> str:
    """32 lowercase hex digits; ``text`` hashed as UTF-8 (lone surrogates as U+FFFD, as ``TextEncoder``)."""
    data = text.encode("utf-8", errors="replace")
    h1 = h2 = seed & 0xFFFFFFFF
    if h1 & 0x80000000:  # a Java int seed, sign-extended to a long
        h1 = h2 = h1 | 0xFFFFFFFF00000000
    blocks = len(data) // 16
    for i in range(blocks):
        k1 = int.from_bytes(data[i * 16 : i * 16 + 8], "little")
        k2 = int.from_bytes(data[i * 16 + 8 : i * 16 + 16], "little")
        h1 = _rotl(h1 ^ _mix_k1(k1), 27)
        h1 = ((((h1 + h2) & _U64) * 5) + 0x52DCE729) & _U64
        h2 = _rotl(h2 ^ _mix_k2(k2), 31)
        h2 = ((((h2 + h1) & _U64) * 5) + 0x38495AB5) & _U64
    tail = data[blocks * 16 :]
    k1 = int.from_bytes(tail[:8], "little")
    k2 = int.from_bytes(tail[8:], "little")
    h1 ^= _mix_k1(k1)
    h2 ^= _mix_k2(k2)
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = (h1 + h2) & _U64
    h2 = (h2 + h1) & _U64
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _U64
    h2 = (h2 + h1) & _U64
    return (h1.to_bytes(8, "little") + h2.to_bytes(8, "little")).hex()
