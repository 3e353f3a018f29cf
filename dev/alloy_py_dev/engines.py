"""One page check, in any browser engine: open a URL, wait for a condition, read values.

A check is a list of steps (plain JSON, so any driver can run it), and its
result a :class:`PageRun`::

    run = run_page("firefox", [goto(url), wait("window.done === true"), evaluate("document.title")])
    run.values  # ["t"], one per evaluate step

Steps (``js`` is a JavaScript *expression*, evaluated in the page; a promise is awaited):

``goto(url)``
    navigate, returning at DOMContentLoaded;
``wait(js, timeout=60)``
    poll ``js`` (every 100 ms, surviving navigations) until it is truthy, else fail;
``evaluate(js)``
    its JSON value is appended to :attr:`PageRun.values`;
``click(selector)``
    a real (trusted) mouse click on the first match;
``sleep(ms)``.

Each run starts from a fresh browser context (no cookies, no storage, no HTTP
cache of its own yet) and collects the page's console (``(type, text)``, types as Playwright
names them: ``log``, ``warning``, ``error``..., and ``pageerror`` for uncaught
errors) and, at the end, the cookies of the page's URL.

Engines (:data:`ENGINES`): ``chromium`` through Playwright for Python (Debian's
Chromium, :func:`alloy_py_dev.repo.launch_options`); ``firefox`` through
``dev/alloy_py_dev/firefox_driver.mjs`` (npm ``puppeteer-core`` over WebDriver
BiDi, Debian's ``firefox-esr``): one Node process and one Firefox for the
whole session (:class:`FirefoxDriver`), a new context per run; ``webkit``: the
slot for a driver with the same signature as :func:`run_firefox`
(``(steps, timeout) -> PageRun``); ``webkit`` through
``alloy_py_dev.webkit`` (Selenium to WebKitGTK's WebKitWebDriver and
MiniBrowser, Debian's ``webkit2gtk-driver``): a new MiniBrowser per run (its
sessions keep no state), all on one Xvfb display. :func:`missing` says why an
engine cannot run here.

WebDriver classic (all WebKitWebDriver speaks) has no console events, so a
page that wants its console checked in every engine loads :data:`CONSOLE_JS`
(served at :data:`CONSOLE_PATH`) as its first script: it records the console
and uncaught errors in ``sessionStorage``, which survives same-origin
navigations, and the WebKit runner reads it. What the browser itself reports
(a CSP violation, a failed load) is not in it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alloy_py_dev import webkit
from alloy_py_dev.repo import CHROMIUM, ROOT, launch_options

__all__ = [
    "BINARIES", "CONSOLE_JS", "CONSOLE_PATH", "ENGINES", "RUNNERS", "EngineError", "PageRun", "Step", "click",
    "evaluate", "goto", "missing", "run_chromium", "run_firefox", "run_page", "run_webkit", "sleep", "wait",
]

Step = dict[str, Any]
ENGINES = ("chromium", "firefox", "webkit")
FIREFOX = os.environ.get("ALLOY_PY_FIREFOX", "/usr/bin/firefox-esr")
FIREFOX_DRIVER = Path(__file__).with_name("firefox_driver.mjs")
NODE = os.environ.get("NODE", "node")
# The binaries each engine needs; an engine whose binary is missing is skipped.
BINARIES: dict[str, str] = {"chromium": CHROMIUM, "firefox": FIREFOX, "webkit": webkit.DRIVER}

CONSOLE_PATH = "/__engines__/console.js"
CONSOLE_KEY = "engines:console"
# Playwright's names for the console's kinds; "pageerror" for uncaught errors and rejections.
CONSOLE_JS = """(function () {
  var KEY = 'CONSOLE_KEY';
  function keep(kind, parts) {
    var text = [].map.call(parts, function (p) {
      return p instanceof Error ? String(p) : typeof p === 'object' ? JSON.stringify(p) : String(p);
    }).join(' ');
    try {
      var all = JSON.parse(sessionStorage.getItem(KEY) || '[]');
      all.push([kind, text]);
      sessionStorage.setItem(KEY, JSON.stringify(all));
    } catch (e) { /* storage full or refused: the record is best effort */ }
  }
  [['log', 'log'], ['info', 'info'], ['debug', 'debug'], ['warn', 'warning'], ['error', 'error']]
    .forEach(function (pair) {
      var original = console[pair[0]];
      console[pair[0]] = function () { keep(pair[1], arguments); return original.apply(console, arguments); };
    });
  addEventListener('error', function (e) { keep('pageerror', [e.error || e.message]); });
  addEventListener('unhandledrejection', function (e) {
    var r = e.reason; keep('pageerror', [r && r.message !== undefined ? r.message : r]);
  });
})();
""".replace("CONSOLE_KEY", CONSOLE_KEY)


# ---------------------------------------------------------------------- steps
def goto(url: str) -> Step:
    return {"op": "goto", "url": url}


def wait(js: str, timeout: float = 60) -> Step:
    return {"op": "wait", "js": js, "timeout": timeout}


def evaluate(js: str) -> Step:
    return {"op": "eval", "js": js}


def click(selector: str) -> Step:
    return {"op": "click", "selector": selector}


def sleep(ms: int) -> Step:
    return {"op": "sleep", "ms": ms}


# ---------------------------------------------------------------------- results
@dataclass
class PageRun:
    engine: str
    values: list[Any] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def warnings(self) -> list[str]:
        return [text for kind, text in self.console if kind == "warning"]

    def cookie(self, name: str) -> str | None:
        return next((c["value"] for c in self.cookies if c["name"] == name), None)


class EngineError(AssertionError):
    """A step failed (or the run timed out); says which, and what the page's console said."""

    def __init__(self, engine: str, message: str, steps: list[Step], step: int | None,
                 console: list[tuple[str, str]]) -> None:
        where = f" at step {step} {json.dumps(steps[step])}" if step is not None and step < len(steps) else ""
        lines = "\n".join(f"  [{kind}] {text}" for kind, text in console[-30:])
        super().__init__(f"{engine}{where}: {message}\nconsole:\n{lines or '  (empty)'}")
        self.console = console


# ---------------------------------------------------------------------- engines
def missing(engine: str) -> str | None:
    """Why ``engine`` cannot run here (``None``: it can)."""
    if engine not in RUNNERS:
        return f"no driver for {engine} yet"
    binary = BINARIES[engine]
    if not Path(binary).exists():
        return f"{binary} not found (make setup installs it)"
    if engine == "webkit":
        return webkit.missing()
    if engine == "firefox":
        if shutil.which(NODE) is None:
            return "node not found"
        if not (ROOT / "node_modules" / "puppeteer-core" / "package.json").is_file():
            return "node_modules/puppeteer-core missing (make setup runs npm ci)"
    return None


def _timed(steps: list[Step], started: float, timeout: float) -> Iterator[tuple[int, Step, float]]:
    """Each step with its index and the seconds left for it; TimeoutError once the run's are up
    (the error then names the step that used them)."""
    for at, step in enumerate(steps):
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            raise TimeoutError(f"the run took more than {timeout} s")
        yield at, step, left


def run_chromium(steps: list[Step], timeout: float = 120, *, browser: Any = None) -> PageRun:
    """The steps in a new context of ``browser`` (Playwright's), or of a Chromium started for them."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            own = playwright.chromium.launch(**launch_options())
            try:
                return run_chromium(steps, timeout, browser=own)
            finally:
                own.close()
    started = time.monotonic()
    run = PageRun("chromium")
    context = browser.new_context(service_workers="block")
    index: int | None = None
    try:
        page = context.new_page()
        page.on("console", lambda m: run.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: run.console.append(("pageerror", str(e))))
        for index, step, left in _timed(steps, started, timeout):  # noqa: B007 - the error names it
            _playwright_step(page, step, run, left)
        index = None
        run.cookies = [{k: c[k] for k in ("name", "value", "domain", "path")}
                       for c in context.cookies(page.url)]
    except Exception as error:
        raise EngineError("chromium", f"{type(error).__name__}: {error}", steps, index, run.console) from None
    finally:
        context.close()
    run.seconds = time.monotonic() - started
    return run


def _playwright_step(page: Any, step: Step, run: PageRun, left: float) -> None:
    op = step["op"]
    if op == "goto":
        page.goto(step["url"], wait_until="domcontentloaded", timeout=min(60, left) * 1000)
    elif op == "wait":
        end = time.monotonic() + min(step["timeout"], left)
        last: Exception | None = None
        while True:  # polled here, as the Firefox driver does: it survives navigations
            try:
                if page.evaluate(f"() => ({step['js']})"):
                    return
                last = None
            except Exception as error:  # the page navigating
                last = error
            if time.monotonic() > end:
                raise TimeoutError(f"timed out after {step['timeout']} s waiting for {step['js']}"
                                   + (f" (last error: {last})" if last else ""))
            time.sleep(0.1)
    elif op == "eval":
        run.values.append(page.evaluate(f"() => ({step['js']})"))
    elif op == "click":
        page.click(step["selector"], timeout=min(30, left) * 1000)
    elif op == "sleep":
        page.wait_for_timeout(step["ms"])
    else:
        raise ValueError(f"unknown step {step}")


class FirefoxDriver:
    """``firefox_driver.mjs``: one Node process and one Firefox for many runs, a new context each.

    Started on first use; a run that outlives its timeout (the driver's own
    watchdog, or ours 30 s later) ends the process, and the next run starts another.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.pump: threading.Thread | None = None
        self.version = ""

    def _read(self, deadline: float) -> dict[str, Any] | None:
        """The driver's next JSON line, or ``None`` (it exited, or said nothing until ``deadline``)."""
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return None
            if line.startswith("{"):
                return json.loads(line)  # type: ignore[no-any-return]

    def _pump(self, out: Any, lines: queue.Queue[str | None]) -> None:
        for line in out:
            lines.put(line.strip())
        lines.put(None)

    def start(self) -> None:
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        self.process = subprocess.Popen(
            [NODE, str(FIREFOX_DRIVER), FIREFOX], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True)
        self.lines = queue.Queue()
        self.pump = threading.Thread(target=self._pump, args=(self.process.stdout, self.lines), daemon=True,
                                     name="firefox-driver")
        self.pump.start()
        ready = self._read(time.monotonic() + 90)
        if not ready or "ready" not in ready:
            self.close()
            raise EngineError("firefox", f"the driver did not start: {ready}", [], None, [])
        self.version = ready["ready"]

    def close(self) -> None:
        """End the driver: stdin closed (it closes Firefox), then SIGTERM, then SIGKILL, by its id."""
        process, self.process = self.process, None
        if process is None:
            return
        for step in ("eof", "term", "kill"):
            try:
                if step == "eof" and process.stdin:
                    process.stdin.close()
                elif step == "term":
                    process.terminate()  # puppeteer's handler closes Firefox too
                elif step == "kill":
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
                break
            except (OSError, subprocess.TimeoutExpired):
                continue
        if self.pump is not None:
            self.pump.join(timeout=5)  # it reads to the end of the driver's output
        for pipe in (process.stdin, process.stdout):
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass

    def run(self, steps: list[Step], timeout: float) -> PageRun:
        started = time.monotonic()
        if self.process is None or self.process.poll() is not None:
            self.close()
            self.start()
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(json.dumps({"timeout": timeout, "steps": steps}) + "\n")
        self.process.stdin.flush()
        result = self._read(time.monotonic() + timeout + 30)
        if result is None or str(result.get("error")).startswith("the job took more than"):
            self.close()
        if result is None:
            raise EngineError("firefox", f"no result from the driver within {timeout + 30} s", steps, None, [])
        run = PageRun("firefox", result["values"], [(c[0], c[1]) for c in result["console"]],
                      result["cookies"], time.monotonic() - started)
        if result["error"]:
            raise EngineError("firefox", result["error"], steps, result["step"], run.console)
        return run


FIREFOX_DRIVER_PROCESS = FirefoxDriver()
atexit.register(FIREFOX_DRIVER_PROCESS.close)


def run_firefox(steps: list[Step], timeout: float = 120) -> PageRun:
    """The steps in Firefox, in a fresh browser context (``firefox_driver.mjs``)."""
    return FIREFOX_DRIVER_PROCESS.run(steps, timeout)


class WebKitDisplay:
    """One Xvfb display for every WebKit run of the session (started on first use)."""

    def __init__(self) -> None:
        self.stack: contextlib.ExitStack | None = None
        self.name = ""

    def get(self) -> str:
        if self.stack is None:
            self.stack = contextlib.ExitStack()
            self.name = self.stack.enter_context(webkit.display())
        return self.name

    def close(self) -> None:
        stack, self.stack = self.stack, None
        if stack is not None:
            stack.close()


WEBKIT_DISPLAY = WebKitDisplay()
atexit.register(WEBKIT_DISPLAY.close)
_READ_CONSOLE = f"try {{ return sessionStorage.getItem('{CONSOLE_KEY}'); }} catch (e) {{ return null; }}"


def run_webkit(steps: list[Step], timeout: float = 120) -> PageRun:
    """The steps in a fresh MiniBrowser (WebKitGTK); its console as :data:`CONSOLE_JS` recorded it."""
    started = time.monotonic()
    run = PageRun("webkit")
    index: int | None = None
    try:
        with webkit.webkit(on=WEBKIT_DISPLAY.get(), page_load="none", script_timeout=timeout) as driver:
            try:
                for index, step, left in _timed(steps, started, timeout):  # noqa: B007 - the error names it
                    _webdriver_step(driver, step, run, left)
                index = None
                run.cookies = [{k: c[k] for k in ("name", "value", "domain", "path")} for c in driver.get_cookies()]
            finally:
                try:
                    recorded = driver.execute_script(_READ_CONSOLE)
                    run.console = [(kind, text) for kind, text in json.loads(recorded or "[]")]
                except Exception:  # the page gone: what is left unread stays so
                    pass
    except Exception as error:
        raise EngineError("webkit", f"{type(error).__name__}: {error}", steps, index, run.console) from None
    run.seconds = time.monotonic() - started
    return run


# Awaits a promise; an exception is returned, not thrown, so the message survives WebDriver.
_ASYNC_EVAL = """var done = arguments[arguments.length - 1];
try {
  Promise.resolve(%s).then(function (v) { done({value: v === undefined ? null : v}); },
                           function (e) { done({error: String(e && e.message || e)}); });
} catch (e) { done({error: String(e && e.message || e)}); }"""


def _webdriver_wait(driver: Any, js: str, timeout: float) -> None:
    end = time.monotonic() + timeout
    last: Exception | None = None
    while True:  # polled, surviving navigations (a script run mid-navigation throws)
        try:
            if driver.execute_script(f"return !!({js});"):
                return
            last = None
        except Exception as error:
            last = error
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {js}"
                               + (f" (last error: {type(last).__name__} {last})" if last else ""))
        time.sleep(0.05)


def _webdriver_step(driver: Any, step: Step, run: PageRun, left: float) -> None:
    op = step["op"]
    if op == "goto":
        # WebKitWebDriver's "eager" strategy leaves every later script waiting for the load event,
        # and "normal" waits for preloads too: "none", then wait for the new document's DOMContentLoaded
        # (the old one is marked, so a reload of the same URL is not taken for the new page).
        try:
            driver.execute_script("window.__enginesLeaving = true;")
        except Exception:  # no document yet
            pass
        driver.get(step["url"])
        _webdriver_wait(driver, "!window.__enginesLeaving && document.readyState !== 'loading'", min(60, left))
    elif op == "wait":
        _webdriver_wait(driver, step["js"], min(step["timeout"], left))
    elif op == "eval":
        result = driver.execute_async_script(_ASYNC_EVAL % f"({step['js']})")
        if "error" in result:
            raise RuntimeError(f"{step['js']} threw: {result['error']}")
        run.values.append(result["value"])
    elif op == "click":
        from selenium.webdriver.common.by import By

        driver.find_element(By.CSS_SELECTOR, step["selector"]).click()
    elif op == "sleep":
        time.sleep(step["ms"] / 1000)
    else:
        raise ValueError(f"unknown step {step}")


Runner = Callable[[list[Step], float], PageRun]
RUNNERS: dict[str, Runner] = {"chromium": run_chromium, "firefox": run_firefox, "webkit": run_webkit}


def run_page(engine: str, steps: list[Step], timeout: float = 120) -> PageRun:
    """Run ``steps`` in ``engine``; raises :class:`EngineError` when a step fails."""
    reason = missing(engine)
    if reason:
        raise RuntimeError(f"{engine} cannot run here: {reason}")
    return RUNNERS[engine](steps, timeout)
