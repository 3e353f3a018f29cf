"""``make demo HEADLESS=1`` as a test: both demo pages against the emulator, in Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
def test_headless_demo_passes_every_check() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py"), "--headless"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    for line in (
        "ok   page view received",
        "ok   commerce event received",
        "ok   display notification received",
        "ok   outbound link beacon received at /collect",
        "ok   Target click goal reported (add to cart)",
        "ok   AJO offer click reported as an interaction",
        "ok   personalized hero banner rendered",
        "ok   page view from Python received",
        "ok   button event from Python received",
        "ok   no request left the machine (0 did)",
    ):
        assert line in output, output
    assert (ROOT / "build" / "demo" / "shop.png").exists()
    assert (ROOT / "build" / "demo" / "pyscript.png").exists()
