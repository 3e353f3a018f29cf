"""Parity scenarios: BrandConcierge's sendConversationEvent (issue 14).

The Edge mock answers ``/brand-concierge/conversations`` with a ``text/event-stream`` body
of several events (Playwright hands the whole body at once: the parser splits it). The script
keeps what ``onStreamResponse`` receives (an error as ``{error: <its message's type>}``: V8's
``JSON.parse`` wording is not Python's) and records it once the expected number of calls came
(or after 3 s). The requests show URL, query and body; the cookies what the events'
``state:store`` wrote.
"""
from __future__ import annotations

import json
from typing import Any

from alloy_py_dev.samples import IDENTITY_COOKIE, ORG_ID
from alloy_py_dev.samples import IDENTITY_COOKIE_VALUE as ECID_COOKIE_VALUE

from .harness import Scenario
from .scenarios import CONFIG, configure, js

SESSION_COOKIE = "kndctr_" + ORG_ID.replace("@", "_") + "_bc_session_id"
STREAM_HEADERS = {"content-type": "text/event-stream"}


def sse(*events: Any, separator: str = "\n\n") -> str:
    """A stream body: each event a JSON value as one ``data:`` line, or raw text as given."""
    return "".join((e if isinstance(e, str) else "data: " + json.dumps(e, ensure_ascii=False)) + separator
                   for e in events)


def conversation(*payloads: Any, **extra: Any) -> dict:
    return {"requestId": "bc", "handle": [{"type": "brand-concierge:conversation", "payload": list(payloads)}],
            **extra}


def talk(name: str, options: str, *, calls: int, answers: list[Any], config: dict | None = None,
         **kw: Any) -> Scenario:
    """configure, then one sendConversationEvent (``options``: a JS object literal, ``keep`` being the
    callback that keeps what it receives), its result, then what ``onStreamResponse`` received."""
    script = (
        "window.__got = [];"
        "function keep(r) { window.__got.push(r && r.error ? {error: typeof r.error.message} : r); }"
        + configure(**(config or {}))
        + f"record(alloy('sendConversationEvent', {options}));"
        + "record(new Promise(function (resolve) { var waited = 0, t = setInterval(function () {"
        f" waited += 20; if (window.__got.length >= {calls} || waited > 3000) {{"
        " clearInterval(t); resolve(window.__got); } }, 20); }));"
    )
    edge_answers = [a if isinstance(a, dict) and "body" in a else
                    {"body": a, "headers": STREAM_HEADERS} for a in answers]
    kw.setdefault("requests", len(answers))
    return Scenario(name, script, edge_answers=edge_answers, **kw)


ANSWER = sse(
    ": ping",
    conversation({"response": {"message": "Hello"}, "state": "in-progress"}),
    conversation({"response": {"message": "Hello, how can I help?"}, "state": "completed"},
                 {"sources": ["https://www.example.com/a"]}),
    {"requestId": "bc", "handle": [{"type": "other:thing", "payload": [{"x": 1}]}]},
)
STORE = {"type": "state:store", "payload": [{"key": SESSION_COOKIE, "value": "session-from-edge", "maxAge": 1800}]}

SCENARIOS: list[Scenario] = [
    talk("concierge_message_stream", "{message: 'Hi there', onStreamResponse: keep}", calls=3, answers=[ANSWER],
         fast=True),
    # Event ids, CRLF separators, data split over lines and a final event without a blank line after it.
    talk("concierge_stream_framing", "{message: 'framing', onStreamResponse: keep}", calls=3, answers=[
        sse("id: 1\r\nevent: message\r\ndata: " + json.dumps(conversation({"n": 1})), separator="\r\n\r\n")
        + 'data: {"requestId": "bc",\ndata: "handle": [{"type": "brand-concierge:conversation", '
          '"payload": [{"n": 2}]}]}\n\n'
        + "data: " + json.dumps(conversation({"n": 3}))]),
    # An event whose data is not JSON ends the stream with one error; later events are not read.
    talk("concierge_stream_bad_event", "{message: 'bad', onStreamResponse: keep}", calls=2, answers=[
        sse(conversation({"n": 1}), "data: not json", conversation({"n": 3}))]),
    # data (no message), with xdm feedback and voiceEnabled: /brand-concierge-voice.
    talk("concierge_data_voice_feedback",
         "{data: {type: 'feedback', payload: {rating: 5}}, voiceEnabled: true, onStreamResponse: keep, "
         "xdm: {conversationId: 'c-1', interactionId: 'i-1', conversation: {feedback: {classification: 'up', "
         "comment: 'great', reasons: ['fast']}}}}", calls=1, answers=[sse(conversation({"ok": True}))]),
    # Without message or data: Accept text/plain, no query; the stream is still read (onStreamResponse: none).
    talk("concierge_xdm_only", "{xdm: {conversationId: 'c-2'}}", calls=0,
         answers=[{"body": {"requestId": "r", "handle": []}}]),
    # A callback that throws hears its own error, once; the stream ends there.
    talk("concierge_callback_throws",
         "{message: 'throw', onStreamResponse: function (r) { keep(r); if (!r.error) throw new Error('page'); }}",
         calls=2, answers=[sse(conversation({"n": 1}), conversation({"n": 2}))]),
    # A 204 answer: nothing read.
    talk("concierge_no_content", "{message: 'x', onStreamResponse: keep}", calls=0,
         answers=[{"body": None, "status": 204}]),
    # Sticky session: the cookie's session id in the URL, the kndctr cookies in meta.state; an event's
    # state:store writes the cookie.
    talk("concierge_sticky_session", "{message: 'sticky', onStreamResponse: keep}", calls=1,
         config={"conversation": {"stickyConversationSession": True}},
         cookies=[{"name": SESSION_COOKIE, "value": "planted-session", "domain": "127.0.0.1", "path": "/"},
                  {"name": IDENTITY_COOKIE, "value": ECID_COOKIE_VALUE, "domain": "127.0.0.1", "path": "/"}],
         answers=[sse(conversation({"n": 1}, handle=[STORE, conversation({"n": 1})["handle"][0]]))]),
    # Not sticky: a new session id (masked), no meta.state; the state:store cookie is still written.
    talk("concierge_not_sticky_writes_cookie", "{message: 'loose', onStreamResponse: keep}", calls=1,
         cookies=[{"name": SESSION_COOKIE, "value": "planted-session", "domain": "127.0.0.1", "path": "/"}],
         answers=[sse({"requestId": "bc", "handle": [STORE]})]),
    # collectSources: the page's adobe_brand_concierge_source as xdm.channel.referringSource (sendEvent too).
    Scenario("concierge_collect_sources",
             configure(conversation={"collectSources": True})
             + "record(alloy('sendConversationEvent', {message: 'src'}));"
             + "record(alloy('sendEvent', {xdm: {eventType: 'x'}}));",
             edge_answers=[{"body": sse(conversation({"n": 1})), "headers": STREAM_HEADERS}], requests=2,
             query="?adobe_brand_concierge_source=email"),
    # The Edge fails: four attempts, 2, 3 and 5 s apart, then the rejection.
    talk("concierge_retries_then_fails", "{message: 'retry', onStreamResponse: keep}", calls=0,
         answers=[{"status": 500, "body": "no"}] * 4, settle_ms=300),
    # onBeforeEventSend edits the event (and its `false` does not stop it).
    Scenario("concierge_on_before_event_send",
             "record(alloy('configure', Object.assign(" + js(CONFIG) + ", {onBeforeEventSend: function (c) {"
             " c.xdm.edited = true; return false; }})));"
             "record(alloy('sendConversationEvent', {message: 'edit'}));",
             edge_answers=[{"body": sse(conversation({"n": 1})), "headers": STREAM_HEADERS}], requests=1),
    # Invalid options, each rejected (no request).
    Scenario("concierge_invalid_options",
             configure()
             + "".join(f"record(alloy('sendConversationEvent', {o}));" for o in (
                 js({"xdm": {"conversationId": 5}}), js({"voiceEnabled": "yes"}), js("text"),
                 js({"message": "m", "xdm": {"conversation": {"feedback": {"reasons": [1]}}}}), "null")),
             requests=0),
    # Config validation: conversation options.
    Scenario("concierge_config_invalid",
             "record(alloy('configure', " + js({"datastreamId": "d", "orgId": "o@AdobeOrg", "conversation": {
                 "stickyConversationSession": "yes", "collectSources": 1, "streamTimeout": 9999}}) + "));"),
]


def fetched(name: str, steps: list[tuple[int, bytes | None]], *, calls: int, config: dict | None = None,
            **kw: Any) -> Scenario:
    """sendConversationEvent answered by the page's own ``window.fetch`` (both libraries call it): a
    ``ReadableStream`` that gets each step's bytes ``ms`` after the start (``None``: the stream fails
    there), so real delays, byte-split characters and the rolling timeout are seen. Records the fetch's
    URL path and init, the result, and what ``onStreamResponse`` received."""
    plan = js([[ms, None if chunk is None else list(chunk)] for ms, chunk in steps])
    script = (
        "window.__got = []; window.__fetched = [];"
        "function keep(r) { window.__got.push(r && r.error ? {error: typeof r.error.message,"
        " timeout: /^Stream timeout/.test(r.error.message)} : r); }"
        "var realFetch = window.fetch;"
        "window.fetch = function (url, init) {"
        " if (String(url).indexOf('/brand-concierge') < 0) return realFetch.apply(this, arguments);"
        " window.__fetched.push({path: new URL(String(url)).pathname, method: init.method,"
        " headers: init.headers, credentials: init.credentials === undefined ? '<none>' : init.credentials});"
        " var stream = new ReadableStream({start: function (c) {"
        f" {plan}.forEach(function (step) {{ setTimeout(function () {{"
        "  if (step[1] === null) c.error(new Error('reset')); else c.enqueue(new Uint8Array(step[1])); }, step[0]); });"
        " }});"
        " return Promise.resolve(new Response(stream, {status: 200, headers: {'content-type': 'text/event-stream'}}));"
        "};"
        + configure(**(config or {}))
        + "record(alloy('sendConversationEvent', {message: 'slow', onStreamResponse: keep}));"
        + "record(new Promise(function (resolve) { var waited = 0, t = setInterval(function () {"
        f" waited += 50; if (window.__got.length >= {calls} || waited > 25000) {{"
        " clearInterval(t); resolve({got: window.__got, fetched: window.__fetched}); } }, 50); }));"
    )
    return Scenario(name, script, **kw)


ACCENTED = sse(conversation({"text": "café"})).encode()
SPLIT = ACCENTED.index("é".encode()) + 1  # inside the two bytes of é

SCENARIOS += [
    # Real time: an event whose é is split across two chunks, a ping at 6 s (resets), half an event at
    # 9 s (does not), then nothing: the timeout at 16 s; the event completed later is not delivered.
    fetched("concierge_stream_timeout_real_time",
            [(300, ACCENTED[:SPLIT]), (400, ACCENTED[SPLIT:]), (6000, b": ping\n\n"),
             (9000, b'data: {"handle": []'), (17000, b"}\n\n" + sse(conversation({"late": True})).encode())],
            calls=2),
    # The body fails after one event: the error, once.
    fetched("concierge_stream_read_fails", [(200, sse(conversation({"n": 1})).encode()), (600, None)], calls=2),
]


def _monitored(name: str, answers: list[dict], **kw: Any) -> Scenario:
    from .scenarios_monitors import monitors  # (imported by scenarios.py before this module)

    script = ("var last = alloy('configure', " + js(CONFIG) + ").then(function () {"
              " return alloy('sendConversationEvent', {message: 'watched', onStreamResponse: function () {}}); })"
              ".then(function () { return new Promise(function (r) { setTimeout(r, 300); }); });")
    return monitors(name, script, logs=True, edge_answers=answers, requests=len(answers), **kw)


SCENARIOS += [
    # Monitors and logs: onBeforeNetworkRequest, each failed attempt's onNetworkError, the stream's log lines.
    _monitored("concierge_monitors", [{"status": 503, "body": ""},
                                      {"body": sse(conversation({"n": 1})), "headers": STREAM_HEADERS}]),
    # A pending consent does not hold the conversation back: it is sent with meta.consent.state "pending".
    talk("concierge_consent_pending", "{message: 'wait?', onStreamResponse: keep}", calls=1,
         config={"defaultConsent": "pending"}, answers=[sse(conversation({"n": 1}))]),
]
