"""CPythonBrowser.fetch_stream: a BrandConcierge answer read as it arrives, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from alloy_py import create_instance
from alloy_py.browser import HttpRequest
from alloy_py.browser.cpython import CPythonBrowser

CONVERSATION = "brand-concierge:conversation"


def event(**payload: Any) -> bytes:
    content = {"handle": [{"type": CONVERSATION, "payload": [payload]}]}
    return b"data: " + json.dumps(content, ensure_ascii=False).encode() + b"\n\n"


class _Streaming(BaseHTTPRequestHandler):
    plan: list[tuple[float, bytes]] = []
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for delay, chunk in self.plan:
            time.sleep(delay)
            self.wfile.write(chunk)
            self.wfile.flush()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Streaming.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Streaming)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_pieces_arrive_as_sent_and_a_late_one_times_out(server: str) -> None:
    first = event(text="café")
    split = first.index("é".encode()) + 1
    _Streaming.plan = [(0, first[:split]), (0.2, first[split:]), (0.6, b": ping\n\n")]
    stream = await CPythonBrowser().fetch_stream(
        HttpRequest(f"{server}/brand-concierge/conversations", "{}", "text/plain", accept="text/event-stream")
    )
    assert stream.status == 200
    text = await stream.read(2000)
    while "café" not in (text or ""):  # the é split across two writes decodes whole
        more = await stream.read(2000)
        assert more is not None
        text = (text or "") + more
    with pytest.raises(TimeoutError):
        await stream.read(100)  # the ping comes 0.6 s later
    assert await stream.read(2000) == ": ping\n\n"  # the pending read is the one awaited again
    assert await stream.read(2000) is None
    assert _Streaming.seen[0]["accept"] == "text/event-stream"
    assert "cookie" not in _Streaming.seen[0]


async def test_send_conversation_event_over_http(server: str) -> None:
    _Streaming.plan = [(0, event(n=1)), (0.1, b": ping\n\n" + event(n=2))]
    alloy = create_instance("alloy", browser=CPythonBrowser())
    await alloy.execute("configure", {"datastreamId": "ds", "orgId": "ABC@AdobeOrg", "edgeDomain": server})
    received: list[Any] = []
    assert await alloy.execute("sendConversationEvent", {"message": "hi", "onStreamResponse": received.append}) == {}
    for _ in range(100):
        if len(received) == 2:
            break
        await asyncio.sleep(0.05)
    assert received == [[{"n": 1}], [{"n": 2}]]
    assert _Streaming.seen[0]["path"].startswith("/brand-concierge/conversations?sessionId=")
