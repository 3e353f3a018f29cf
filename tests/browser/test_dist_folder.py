"""``make dist``'s folder, deployed as it is: the loader boots from the versioned runtime folder."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alloy_py_dev.emulator import DEMO_DATASTREAM_ID, DEMO_ORG_ID, EdgeEmulator
from alloy_py_dev.repo import ROOT
from alloy_py_dev.samples import BASE_CODE


@pytest.fixture(scope="module")
def dist_folder(tmp_path_factory: pytest.TempPathFactory, dist_manifest: dict) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_dist.py"), "--no-packages", "--out", str(out)],
                   check=True, capture_output=True, timeout=600)
    return out / f"alloy-py-{dist_manifest['version']}"


def test_a_site_serving_the_dist_folder_sends_events(page, dist_folder: Path) -> None:
    manifest = json.loads((dist_folder / "manifest.json").read_text())
    runtime = manifest["pyodideIndexURL"]
    with EdgeEmulator(port=0, static_dir=dist_folder) as edge:
        edge.add_page("/shop/index.html", (
            f"<!doctype html><script>{BASE_CODE}</script><script src='/alloy-py.js' async></script>"
            "<script>alloy('configure', {datastreamId: '" + DEMO_DATASTREAM_ID + "', orgId: '" + DEMO_ORG_ID
            + "', edgeDomain: location.origin}); window.sent = alloy('sendEvent', {xdm: {eventType: 'dist'}})"
            ".then(function () { return 'ok'; }, function (e) { return e.message; });</script>"))
        paths: list[str] = []
        page.on("request", lambda r: paths.append(r.url.split("//", 1)[1].split("/", 1)[1]))
        warnings: list[str] = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        page.goto(edge.url_for("/shop/index.html"))
        assert page.evaluate("window.sent") == "ok"
        assert warnings == []  # no fallback boot
        [event] = edge.wait_for(1, action="interact")
        assert event["eventTypes"] == ["dist"]
    assert runtime.startswith("pyodide-") and f"{runtime}pyodide.asm.wasm" in paths
    assert manifest["snapshot"] in paths  # restored from the snapshot, not a fallback boot
    assert not any(p.startswith("pyodide/") for p in paths)
