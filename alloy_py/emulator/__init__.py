"""A local Adobe Edge Network emulator (CPython, standard library only).

``python -m alloy_py serve`` (see :mod:`alloy_py.__main__`) or, in tests::

    with EdgeEmulator() as edge:
        ...  # alloy-py configured with edgeDomain=edge.url
        edge.wait_for(1, action="interact")

Not imported by :mod:`alloy_py` itself: the browser never loads it.
"""

from .decisions import DEFAULT_DECISIONS, load_decisions, match_propositions
from .edge import DEFAULT_DATASTREAMS, DEMO_DATASTREAM_ID, DEMO_ORG_ID, MAX_BODY_BYTES, answer
from .identity import cookie_name, decode_identity_cookie, encode_identity_cookie, mint_ecid
from .server import EdgeEmulator

__all__ = [
    "DEFAULT_DATASTREAMS",
    "DEFAULT_DECISIONS",
    "DEMO_DATASTREAM_ID",
    "DEMO_ORG_ID",
    "MAX_BODY_BYTES",
    "EdgeEmulator",
    "answer",
    "cookie_name",
    "decode_identity_cookie",
    "encode_identity_cookie",
    "load_decisions",
    "match_propositions",
    "mint_ecid",
]
