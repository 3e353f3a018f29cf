"""A local Adobe Edge Network emulator (CPython, standard library only).

``alloy-py serve`` / ``python -m alloy_py_dev serve`` (see :mod:`alloy_py_dev.cli`) or, in tests::

    with EdgeEmulator() as edge:
        ...  # alloy-py configured with edgeDomain=edge.url
        edge.wait_for(1, action="interact")

Part of the dev tools (``alloy_py_dev``): the browser never downloads it.
"""

from .decisions import DEFAULT_DECISIONS, load_decisions, match_propositions
from .edge import DEFAULT_DATASTREAMS, DEMO_DATASTREAM_ID, DEMO_ORG_ID, answer
from .identity import decode_identity_cookie, encode_identity_cookie, mint_ecid
from .server import EdgeEmulator, EmulatedEdge, Inspector

__all__ = [
    "DEFAULT_DATASTREAMS",
    "DEFAULT_DECISIONS",
    "DEMO_DATASTREAM_ID",
    "DEMO_ORG_ID",
    "EdgeEmulator",
    "EmulatedEdge",
    "Inspector",
    "answer",
    "decode_identity_cookie",
    "encode_identity_cookie",
    "load_decisions",
    "match_propositions",
    "mint_ecid",
]
