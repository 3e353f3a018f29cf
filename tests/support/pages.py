"""Test pages: alloy's base code plus the alloy-py.js script tag, and a configure call."""

from __future__ import annotations

import json
from typing import Any

from alloy_py_dev.samples import BASE_CODE, DATASTREAM_ID, ORG_ID

__all__ = ["configure_js", "page_html"]


def page_html(body_script: str = "", *, loader: bool = True, loader_attrs: str = "") -> str:
    tag = f'<script src="/alloy-py.js" async {loader_attrs}></script>' if loader else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>t</title>
<script>{BASE_CODE}</script>{tag}</head><body><h1>shop</h1>
<script>{body_script}</script></body></html>"""


def configure_js(**extra: Any) -> str:
    return f"alloy('configure', {json.dumps({'datastreamId': DATASTREAM_ID, 'orgId': ORG_ID, **extra})})"
