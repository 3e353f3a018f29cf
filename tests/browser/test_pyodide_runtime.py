"""Self-hosted Pyodide boots from web/dist and loads the alloy_py wheel, offline."""
from __future__ import annotations

from urllib.parse import urlsplit

BOOT_TIMEOUT_MS = 60_000

BOOT_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>pyodide runtime</title>
<script type="module">
  const t0 = performance.now();
  try {
    const { loadPyodide } = await import("/pyodide/pyodide.mjs");
    window.pyodide = await loadPyodide({
      indexURL: "/pyodide/",
      packages: [new URL("/__WHEEL__", location).href],
    });
    window.__boot = { ok: true, ms: performance.now() - t0 };
  } catch (e) {
    window.__boot = { ok: false, error: String(e && e.stack || e) };
  }
</script>
"""


def test_pyodide_loads_alloy_py_wheel_offline(page, add_page, dist_manifest, wheel_url, base_url):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))

    add_page("/t/pyodide-runtime.html", BOOT_PAGE.replace("__WHEEL__", dist_manifest["wheel"]))
    page.goto("/t/pyodide-runtime.html")
    page.wait_for_function("() => window.__boot !== undefined", timeout=BOOT_TIMEOUT_MS)
    boot = page.evaluate("window.__boot")
    assert boot["ok"], boot["error"]

    # loadPackage/packages resolve even when a wheel fails: check explicitly.
    loaded = page.evaluate("Object.keys(pyodide.loadedPackages)")
    assert "alloy_py" in loaded, f"alloy_py not loaded; console: {console}"

    version = page.evaluate("pyodide.runPythonAsync('import alloy_py; alloy_py.__version__')")
    assert version == dist_manifest["version"]
    where = page.evaluate("pyodide.runPython('import alloy_py; alloy_py.__file__')")
    assert "site-packages/alloy_py/" in where
    assert page.evaluate("pyodide.version") == dist_manifest["pyodide"]

    assert not errors, errors
    host = urlsplit(base_url).hostname
    outside = [u for u in requests
               if urlsplit(u).hostname != host and not u.startswith(("data:", "blob:"))]
    assert not outside, f"requests left {host}: {outside}"
    assert any(u.endswith("/pyodide/pyodide.asm.wasm") for u in requests)
    assert wheel_url in requests
    print(f"pyodide boot + wheel: {boot['ms']:.0f} ms")


BY_NAME_PAGE = """<!doctype html>
<meta charset="utf-8">
<title>install by name</title>
<script type="module">
  try {
    const { loadPyodide } = await import("/pyodide/pyodide.mjs");
    const pyodide = await loadPyodide({ indexURL: "/pyodide/" });
    __INSTALL__
    window.__boot = { ok: true, version: pyodide.runPython("import alloy_py; alloy_py.__version__"),
                      file: pyodide.runPython("alloy_py.__file__") };
  } catch (e) {
    window.__boot = { ok: false, error: String(e && e.stack || e) };
  }
</script>
"""
INSTALLS = {
    "loadPackage": 'await pyodide.loadPackage("alloy_py");',
    "micropip": 'await pyodide.loadPackage("micropip");'
                ' await pyodide.runPythonAsync("import micropip; await micropip.install(\\"alloy-py\\")");',
}


def test_alloy_py_installs_by_name_from_the_served_lock_file(page, add_page, dist_manifest, wheel_url, base_url):
    """The README's plain-Pyodide recipe: no wheel URL, no CDN, no index but this site's lock file."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for how, install in INSTALLS.items():
        requests.clear()
        add_page(f"/t/by-name-{how}.html", BY_NAME_PAGE.replace("__INSTALL__", install))
        page.goto(f"/t/by-name-{how}.html")
        page.wait_for_function("() => window.__boot !== undefined", timeout=BOOT_TIMEOUT_MS)
        boot = page.evaluate("window.__boot")
        assert boot["ok"], f"{how}: {boot['error']}"
        assert boot["version"] == dist_manifest["version"] and "site-packages/alloy_py/" in boot["file"], how
        assert wheel_url in requests, how
        host = urlsplit(base_url).hostname
        assert [u for u in requests if urlsplit(u).hostname != host] == [], how
