"""Every way a site loads alloy finds alloy-py's folder (issue 21, item 2), markup cannot redirect
it (issue 22, item 1), and what cannot be overcome fails at once (issue 21, item 3).

The loader is served as a site vendors alloy: renamed ``alloy.min.js`` in a folder of the site,
with the rest of web/dist beside it. What the page fetched is read off the wire.
"""
from __future__ import annotations

import pytest
from alloy_py_dev.repo import DIST
from alloy_py_dev.samples import BASE_CODE

from tests.support.pages import configure_js

FOLDER = "/site/vendor/"
SDK = FOLDER + "alloy.min.js"
# What the loader fetches: each must come from its own folder.
OWN_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", ".zip", "snapshot-")

SEND = f"""
  window.outcome = {configure_js(thirdPartyCookiesEnabled=False)}
    .then(function () {{ return alloy('sendEvent', {{xdm: {{eventType: 'loaded'}}}}); }})
    .then(function () {{ return 'sent'; }}, function (e) {{ return 'rejected: ' + e.message; }});
"""

# How the SDK file gets onto the page: (head markup after the base code, body script).
WAYS = {
    "script": (f'<script src="{SDK}"></script>', ""),
    "script_async": (f'<script src="{SDK}" async></script>', ""),
    "script_defer": (f'<script src="{SDK}" defer></script>', ""),
    "inserted_script": ("", f"var s = document.createElement('script'); s.src = '{SDK}'; document.head.append(s);"),
    "module_script": (f'<script type="module" src="{SDK}"></script>', ""),
    "static_import": (f'<script type="module">import "{SDK}";</script>', ""),
    "dynamic_import": ("", f"import('{SDK}');"),
    # A tag manager: its own script inserts the SDK's from a timer.
    "tag_manager": ("", f"setTimeout(function () {{ var s = document.createElement('script');"
                        f" s.async = true; s.src = '{SDK}'; document.body.append(s); }}, 50);"),
}


@pytest.fixture
def site_sdk(static_server, add_page):
    """The loader renamed in place, with its folder beside it."""
    static_server.add_mount(FOLDER, DIST)
    add_page(SDK, (DIST / "alloy-py.js").read_bytes(), content_type="text/javascript")
    return SDK


def site_page(head: str, script: str, *, before: str = "") -> str:
    return (f'<!doctype html><html><head><meta charset="utf-8">{before}<script>{BASE_CODE}</script>{head}</head>'
            f"<body><h1>site</h1><script>{SEND}{script}</script></body></html>")


def watch(page) -> tuple[list[str], list[str]]:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return requests, errors


@pytest.mark.parametrize("way", list(WAYS))
def test_every_way_of_loading_finds_the_folder(page, add_page, edge, site_sdk, base_url, way) -> None:
    head, script = WAYS[way]
    requests, errors = watch(page)
    page.goto(add_page(f"/site/{way}.html", site_page(head, script)))
    assert page.evaluate("() => window.outcome") == "sent", errors
    [request] = edge.wait_for(1, timeout=30, page=page)
    assert request["body"]["events"][0]["xdm"]["eventType"] == "loaded"
    own = [url for url in requests if any(part in url for part in OWN_FILES)]
    assert own and all(url.startswith(base_url + FOLDER) for url in own), own
    assert not [text for text in errors if "Traceback" in text]


def test_markup_named_current_script_cannot_redirect_the_loader(page, add_page, edge, site_sdk, base_url) -> None:
    """``<img name="currentScript">`` shadows ``document.currentScript``: the folder is still the script's."""
    requests, errors = watch(page)
    page.route("https://evil.example/**", lambda route: route.fulfill(status=404, body=""))
    clobber = '<img name="currentScript" src="https://evil.example/x/">'
    page.goto(add_page("/site/clobbered.html", site_page(f'<script src="{SDK}" async></script>', "",
                                                         before=clobber)))
    assert page.evaluate("() => document.currentScript && document.currentScript.tagName") == "IMG"
    assert page.evaluate("() => window.outcome") == "sent", errors
    own = [url for url in requests if any(part in url for part in OWN_FILES)]
    assert own and all(url.startswith(base_url + FOLDER) for url in own), own
    assert [url for url in requests if url.startswith("https://evil.example/")] == ["https://evil.example/x/"]


PREHIDE = {"prehidingStyle": "body { opacity: 0 }", "thirdPartyCookiesEnabled": False}


def test_a_csp_that_refuses_webassembly_rejects_at_once(page, add_page, edge, site_sdk) -> None:
    """Known before anything is fetched: every queued and later call rejects, the page shows again,
    Pyodide's files are never requested; the boot timeout is never waited for."""
    requests, errors = watch(page)
    script = f"""
      window.started = performance.now();
      window.outcome = {configure_js(**PREHIDE)}.catch(function (e) {{
        window.took = performance.now() - started; return e.message; }});
      window.rendered = alloy('sendEvent', {{renderDecisions: true}}).catch(function (e) {{ return e.message; }});
    """
    html = (f'<!doctype html><html><head><script nonce="n">{BASE_CODE}</script>'
            f'<script nonce="n">{script}</script><script nonce="n" src="{SDK}" data-boot-timeout="30000"></script>'
            "</head><body><h1>site</h1></body></html>")
    csp = {"Content-Security-Policy": "script-src 'nonce-n' 'strict-dynamic'"}
    page.goto(add_page("/site/csp.html", html, headers=csp))
    message = page.evaluate("() => window.outcome")
    assert message == ("[alloy] alloy-py could not start: the page's Content-Security-Policy blocks WebAssembly;"
                       " add 'wasm-unsafe-eval' to script-src.")
    assert page.evaluate("() => window.rendered").startswith("[alloy] alloy-py could not start: ")
    late = page.evaluate("() => alloy('sendEvent', {}).catch(function (e) { return e.message; })")
    assert late.startswith("[alloy] alloy-py could not start: ")
    assert page.evaluate("() => document.getElementById('alloy-prehiding')") is None
    assert not [url for url in requests if "pyodide" in url], "fetched Pyodide although WebAssembly is refused"
    assert page.evaluate("() => window.took") < 1000
    assert edge.requests == []
    assert not [text for text in errors if "Traceback" in text]


def test_a_missing_folder_rejects_with_alloys_text(page, add_page, edge, static_server) -> None:
    """The loader alone, its folder not beside it: every call rejects with a readable message."""
    add_page("/lonely/alloy.min.js", (DIST / "alloy-py.js").read_bytes(), content_type="text/javascript")
    requests, errors = watch(page)
    page.goto(add_page("/lonely/page.html", site_page('<script src="/lonely/alloy.min.js" async></script>', "")))
    outcome = page.evaluate("() => window.outcome")
    assert outcome.startswith("rejected: [alloy] alloy-py could not start: "), outcome
    assert "Traceback" not in outcome and "[object Object]" not in outcome
    assert not [text for text in errors if "Traceback" in text]


def test_the_interpreter_is_the_pages_only_with_data_debug(page, add_page, edge, site_sdk) -> None:
    """``window.__alloyPy`` says how Python started; its ``pyodide`` only with ``data-debug``."""
    for attrs, exposed in (("", False), ("data-debug", True)):
        page.goto(add_page("/site/debug.html", site_page(f'<script src="{SDK}" async {attrs}></script>', "")))
        assert page.evaluate("() => window.outcome") == "sent"
        assert page.evaluate("() => typeof window.__alloyPy.snapshot") == "boolean"
        assert page.evaluate("() => 'pyodide' in window.__alloyPy") is exposed
        assert page.evaluate("() => Object.isFrozen(window.__alloyPy)")
