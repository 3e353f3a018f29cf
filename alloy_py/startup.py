"""What happened before Python started: the calls and clicks the loader recorded.

``alloy-py.js`` runs long before Pyodide. From then on it records every
command call and every click with the moment and the page it happened on
(:class:`CallFacts`), and when the visitor leaves (or hides the page) before
Python is up it writes the calls still waiting to ``localStorage``: the
*durable queue*. This module is the Python half of that contract:

* :func:`run_recorded` runs one recorded call on its own page: skipped when
  another page already replayed it, forgotten from storage once its request
  was handed to the browser, and the loader's prehiding never outlives it.
* :func:`replay_stored` runs, on the next page, what an earlier page left
  behind, once, in order, with its original time and page, marked as replayed.

The storage format (written by the loader, read and trimmed here), one key a
page and instance, ``alloy-py.queue.<instance>.<page id>``::

    {"v": 1, "page": id, "state": "hidden" | "left" | "replaying", "savedAt": ms,
     "replayer": id, "configure": {options as JSON}, "callbacks": [names],
     "dropped": {"excess": n, "tooLarge": n, "unserializable": n},
     "entries": [{"id", "kind": "command", "command", "options", "callbacks",
                  "time", "page"} | {"id", "kind": "click", "time", "page", "path"}]}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .browser import Browser, PageFacts
from .consent import parse_consent_cookie
from .cookies import CookieJar, namespaced_cookie_name
from .errors import AlloyError
from .lifecycle import start_now
from .prehiding import redirecting, show_containers

if TYPE_CHECKING:
    from .event import Event
    from .instance import Instance

__all__ = [
    "MAX_AGE_MS", "MAX_CALLS", "MAX_CALL_CHARS", "NOT_REPLAYED", "PAGE_RULES", "REPLAY_MARKER", "STORE_PREFIX",
    "CallFacts", "current_call",
    "collect_recorded_click", "forget_sent", "handing_over", "leaving", "purge_org", "recorded_page", "replay_stored",
    "run_recorded",
]

STORE_PREFIX = "alloy-py.queue."
MAX_CALLS = 100  # per page and instance; the loader keeps the first ones
MAX_CALL_CHARS = 64 * 1024  # one call's JSON
MAX_AGE_MS = 24 * 60 * 60 * 1000
# A page that only hid itself may still be alive and send its calls itself; after
# this long without booting it is taken for gone (mobile browsers kill hidden tabs).
HIDDEN_GRACE_MS = 30_000
REPLAY_MARKER = "alloyPy"  # data.alloyPy = {"replayed": true, "eventId", "queuedAt"} on replayed events
# Never replayed (the loader does not even store them, web/alloy-py.js NOT_KEPT): commands whose
# only effect is the value they resolve to, as nobody awaits them on the next page; and those that
# render, navigate or speak for the visitor, which would show page A's offers on page B, redirect
# it, or send a chat message again.
NOT_REPLAYED = frozenset({
    "configure", "getIdentity", "appendIdentityToUrl", "getLibraryInfo", "createEventMergeId",
    "getMediaAnalyticsTracker",
    "applyPropositions", "applyResponse", "evaluateRulesets", "subscribeRulesetItems", "sendConversationEvent",
})
# The page's own rules for what leaves: they ran on page A and cannot run for it on page B, so what
# page A queued under them is not replayed (never sent unfiltered).
PAGE_RULES = frozenset({"onBeforeEventSend", "onBeforeLinkClickSend", "filterClickDetails"})


@dataclass(frozen=True)
class CallFacts:
    """When and where a command was called (or a click happened), as the loader saw it."""

    id: str
    time_ms: int
    page: PageFacts | None = None
    stored_in: str | None = None  # the storage key that holds this call, once written there
    replayed: bool = False
    hid_containers: bool = False  # the loader inserted the prehiding style on this call's behalf


# The call the running command came from; read once by whoever creates its event.
current_call: ContextVar[CallFacts | None] = ContextVar("current_call", default=None)


def recorded_page(recorded: Any, live: PageFacts) -> PageFacts | None:
    """The loader's page record (``{href, referrer, screenWidth, …}``) as :class:`PageFacts`."""
    if not isinstance(recorded, Mapping) or not isinstance(recorded.get("href"), str):
        return None

    def number(key: str) -> int | None:
        value = recorded.get(key)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    orientation = recorded.get("orientation")
    return replace(
        live,
        href=recorded["href"],
        referrer=str(recorded.get("referrer") or ""),
        screen_width=number("screenWidth"),
        screen_height=number("screenHeight"),
        screen_orientation=orientation if orientation in ("portrait", "landscape") else None,
        viewport_width=number("viewportWidth"),
        viewport_height=number("viewportHeight"),
    )


# ---------------------------------------------------------------- storage records
def _load(browser: Browser, key: str) -> dict[str, Any] | None:
    text = browser.storage_get("local", key)
    try:
        record = json.loads(text) if text else None
    except ValueError:
        record = None
    if not isinstance(record, dict) or record.get("v") != 1 or not isinstance(record.get("entries"), list):
        if text is not None:
            browser.storage_remove("local", key)  # not ours to read: never replay garbage
        return None
    return record


def _save(browser: Browser, key: str, record: dict[str, Any]) -> None:
    if record["entries"]:
        browser.storage_set("local", key, json.dumps(record, separators=(",", ":")))
    else:
        browser.storage_remove("local", key)


def _is_stored(browser: Browser, key: str, entry_id: str) -> bool:
    record = _load(browser, key)
    return record is not None and any(isinstance(e, dict) and e.get("id") == entry_id for e in record["entries"])


# Entries to remove, per record, written together: forgetting each of a record's n calls on
# its own read and rewrote it n times (quadratic in its size). A record is rewritten when the
# last of its calls running on this page ends, when the page is left, and otherwise at most
# every FLUSH_MS (what a killed tab loses: a replay of that much on the next page, never an event).
FLUSH_MS = 1000
_forgotten: dict[str, tuple[Browser, set[str]]] = {}
_running: dict[str, set[str]] = {}  # per record: its calls running here, not yet forgotten
_flushed_at: dict[str, int] = {}


def _started(key: str, entry_id: str) -> None:
    _running.setdefault(key, set()).add(entry_id)


def _forget(browser: Browser, key: str, entry_id: str) -> None:
    _forgotten.setdefault(key, (browser, set()))[1].add(entry_id)
    running = _running.get(key, set())
    running.discard(entry_id)
    if not running or browser.now_ms() - _flushed_at.get(key, 0) >= FLUSH_MS:
        _flush_forgotten(key)


def _flush_forgotten(only: str | None = None) -> None:
    for key in [only] if only is not None else list(_forgotten):
        if key not in _forgotten:
            continue
        browser, ids = _forgotten.pop(key)
        _flushed_at[key] = browser.now_ms()
        record = _load(browser, key)
        if record is not None:
            record["entries"] = [e for e in record["entries"] if not (isinstance(e, dict) and e.get("id") in ids)]
            _save(browser, key, record)


def purge_org(browser: Browser, org_id: str) -> None:
    """The visitor opted out: nothing any page stored for ``org_id`` is kept to be replayed."""
    _flush_forgotten()
    for key in browser.storage_keys("local"):
        if key.startswith(STORE_PREFIX):
            record = _load(browser, key)
            configure = record.get("configure") if record is not None else None
            if isinstance(configure, dict) and configure.get("orgId") == org_id:
                browser.storage_remove("local", key)


def forget_sent(browser: Browser, events: Iterable[Event]) -> None:
    """A request was handed to the browser: its events leave the durable queue.

    (A crash between the two may send one twice; the ``_id`` it carries tells.)
    """
    for event in events:
        call = event.call
        if call is not None and call.stored_in:
            _forget(browser, call.stored_in, call.id)


def handing_over(events: Iterable[Event]) -> None:
    """A request goes to the browser now: if the page is left, it is the browser's, not ours to keep."""
    for event in events:
        if event.call is not None:
            _unsent.pop(event.call.id, None)


# Recorded calls of this page not handed to the browser yet (they may wait for an
# identity, or for consent), and the records this page is replaying: what
# :func:`leaving` tells the loader when the visitor leaves after Python started.
_unsent: dict[str, None] = {}
_replaying: dict[str, Browser] = {}


def leaving() -> list[str]:
    """The page is being left: the ids of recorded calls still waiting, for the loader to store.

    Records this page was replaying are handed on at once (``state: left``), so the
    next page goes on where this one stopped.
    """
    _flush_forgotten()
    for key, browser in list(_replaying.items()):
        record = _load(browser, key)
        if record is not None and record.get("state") == "replaying":
            record["state"] = "left"
            _save(browser, key, record)
    return list(_unsent)


async def collect_recorded_click(instance: Instance, click: Mapping[str, Any], call: CallFacts) -> None:
    """A click the loader recorded on this page before Python ran."""
    _unsent[call.id] = None
    try:
        await instance.collect_recorded_click(click, call)
    finally:
        _unsent.pop(call.id, None)


# ---------------------------------------------------------------- one recorded call
async def run_recorded(instance: Instance, command: str, options: Any, call: CallFacts) -> dict[str, Any]:
    """Run a call the loader recorded on this page, before Python was ready."""
    browser = instance.browser
    if call.stored_in and not _is_stored(browser, call.stored_in, call.id):
        # The page was left (or hidden for long) and came back: another page replayed this call.
        instance.logger.warn(f"The {command} command was already sent by a later page (replayed); skipping it.")
        return {}
    if command not in NOT_REPLAYED:
        _unsent[call.id] = None
    if call.stored_in:
        _started(call.stored_in, call.id)
    try:
        return await instance.execute(command, options, call=call)
    except AlloyError:
        if call.hid_containers and command == "configure":
            show_containers(browser)  # no configuration, so no rendering will ever show them
        raise
    finally:
        _unsent.pop(call.id, None)
        if call.stored_in:
            _forget(browser, call.stored_in, call.id)
        if call.hid_containers and command != "configure" and not redirecting(browser):
            show_containers(browser)  # (a redirect keeps the page hidden until it is gone, as alloy.js)


# ---------------------------------------------------------------- replay on a later page
@dataclass
class _Claimed:
    key: str
    record: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)


def replay_stored(instance: Instance, configure_options: Mapping[str, Any], page_id: str) -> int:
    """Start replaying what earlier pages left for this instance; returns how many calls.

    Called right after this page's own ``configure`` of the instance started, so the
    replayed calls queue behind it and ahead of the page's next calls. Only records
    of the same ``orgId`` are taken (same visitor, same cookies); a different
    ``datastreamId`` is kept per event through ``edgeConfigOverrides.datastreamId``.
    """
    browser = instance.browser
    org_id = configure_options.get("orgId")
    if not isinstance(org_id, str):
        return 0
    _flush_forgotten()
    now = browser.now_ms()
    prefix = f"{STORE_PREFIX}{instance.name}."
    claimed: list[_Claimed] = []
    dropped = {"excess": 0, "tooLarge": 0, "unserializable": 0, "old": 0, "consent": 0, "rules": 0}
    consent = parse_consent_cookie(CookieJar(browser).get(namespaced_cookie_name(org_id, "consent")))
    for key in sorted(k for k in browser.storage_keys("local") if k.startswith(prefix)):
        record = _load(browser, key)
        if record is None or record.get("page") == page_id:
            continue
        stored_config = record.get("configure")
        if not isinstance(stored_config, dict) or stored_config.get("orgId") != org_id or not _gone(record, now):
            continue
        for reason, count in (record.get("dropped") or {}).items():
            if reason in dropped and isinstance(count, int):
                dropped[reason] += count
        entries = [e for e in record["entries"] if isinstance(e, dict) and isinstance(e.get("id"), str)]
        if consent.get("general") == "out":
            dropped["consent"] += len(entries)
            browser.storage_remove("local", key)
            continue
        if PAGE_RULES & set(record.get("callbacks") or ()):
            dropped["rules"] += len(entries)
            browser.storage_remove("local", key)
            continue
        fresh = [e for e in entries if isinstance(e.get("time"), (int, float)) and now - e["time"] <= MAX_AGE_MS]
        dropped["old"] += len(entries) - len(fresh)
        record.update(state="replaying", replayer=page_id, savedAt=now, entries=fresh, dropped={})
        _save(browser, key, record)
        if fresh:
            claimed.append(_Claimed(key, record, fresh))
            _replaying[key] = browser
    started = 0
    for item in claimed:
        stored_config = item.record["configure"]
        for entry in item.entries:
            started += _start_replay(instance, item.key, stored_config, configure_options, entry)
    lost = sum(dropped.values())
    if lost:
        parts = {
            "excess": f"over the limit of {MAX_CALLS}", "tooLarge": f"over {MAX_CALL_CHARS // 1024} KB",
            "unserializable": "not serializable", "old": "older than 24 h",
            "consent": "the visitor declined consent",
            "rules": "under the earlier page's onBeforeEventSend, onBeforeLinkClickSend or filterClickDetails",
        }
        why = ", ".join(f"{count} {parts[reason]}" for reason, count in dropped.items() if count)
        browser.log(
            "warn", f"[{instance.name}] alloy-py did not replay {lost} command(s) queued on an earlier page: {why}."
        )
    if started:
        instance.logger.info(f"Replaying {started} command(s) queued on an earlier page.")
    return started


def _gone(record: Mapping[str, Any], now: int) -> bool:
    saved = record.get("savedAt")
    age = now - saved if isinstance(saved, (int, float)) else MAX_AGE_MS
    return record.get("state") == "left" or age > HIDDEN_GRACE_MS


def _start_replay(
    instance: Instance,
    key: str,
    stored_config: Mapping[str, Any],
    page_config: Mapping[str, Any],
    entry: dict[str, Any],
) -> int:
    browser = instance.browser
    call = CallFacts(
        id=entry["id"],
        time_ms=int(entry["time"]),
        page=recorded_page(entry.get("page"), browser.page()),
        stored_in=key,
        replayed=True,
    )
    _started(key, call.id)
    if entry.get("kind") == "click":
        path = entry.get("path")
        if not isinstance(path, list):
            _forget(browser, key, call.id)
            return 0
        start_now(_replayed(instance, key, call, instance.collect_recorded_click(entry, call)))
        return 1
    command = entry.get("command")
    options = entry.get("options")
    if not isinstance(command, str) or command in NOT_REPLAYED or not isinstance(options, (dict, type(None))):
        _forget(browser, key, call.id)
        return 0
    options = dict(options or {})
    if command == "sendEvent":
        options.pop("renderDecisions", None)  # the offers were for a page that is gone
        stored_id = stored_config.get("datastreamId") or stored_config.get("edgeConfigId")
        if stored_id and stored_id != (page_config.get("datastreamId") or page_config.get("edgeConfigId")):
            overrides = dict(options.get("edgeConfigOverrides") or {})
            overrides.setdefault("datastreamId", stored_id)
            options["edgeConfigOverrides"] = overrides
    start_now(_replayed(instance, key, call, instance.execute(command, options, call=call)))
    return 1


async def _replayed(instance: Instance, key: str, call: CallFacts, run: Awaitable[Any]) -> None:
    try:
        await run
    except AlloyError as error:
        instance.logger.warn("A replayed command failed.", error.message)
    finally:
        _forget(instance.browser, key, call.id)
