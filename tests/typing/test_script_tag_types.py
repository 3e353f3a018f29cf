"""web/alloy-py.d.ts: a page's TypeScript type-checks against window.alloy (tsc --strict), or is refused."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alloy_py_dev.repo import ROOT

TSC = ROOT / "node_modules" / ".bin" / "tsc"
DTS = ROOT / "web" / "alloy-py.d.ts"

GOOD = """
alloy("configure", { datastreamId: "ds", orgId: "ABC@AdobeOrg", defaultConsent: "pending",
                     onBeforeEventSend: (content) => { content.xdm.x = 1; } });
window.alloy("sendEvent", { renderDecisions: true, xdm: { eventType: "web.webpagedetails.pageViews" } })
  .then((result) => { const ids: string[] = result.propositions.map((p) => p.id); console.log(ids); });
alloy("getIdentity", { namespaces: ["ECID"] }).then((r) => { const ecid: string | undefined = r.identity.ECID; });
alloy("applyPropositions", { propositions: [], metadata: { hero: { selector: "#hero", actionType: "setHtml" } } });
alloy("getLibraryInfo").then((info) => info.libraryInfo.commands.join());
alloy("sendConversationEvent", { message: "Hi", onStreamResponse: (r) => console.log(r),
                                 xdm: { conversation: { feedback: { reasons: ["fast"] } } } });
alloy("sendPushSubscription").then((result) => Object.keys(result).length);
"""

BAD = """
alloy("sendEvnt", {});
alloy("sendEvent", { renderDecisions: "yes" });
alloy("configure", { datastreamId: "ds" });
alloy("sendEvent", { xdmm: {} });
alloy("sendEvent").then((result) => { const n: number = result.propositions; });
"""


def tsc(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    page = tmp_path / "page.ts"
    page.write_text(source)
    return subprocess.run([str(TSC), "--noEmit", "--strict", "--target", "es2020", "--lib", "es2020,dom",
                           str(DTS), str(page)], capture_output=True, text=True, timeout=300, cwd=tmp_path)


@pytest.fixture(autouse=True)
def _needs_tsc() -> None:
    if not TSC.exists():
        pytest.fail("node_modules/.bin/tsc is missing: run `make setup` (npm ci)", pytrace=False)


def test_a_correct_page_script_passes_tsc_strict(tmp_path: Path) -> None:
    done = tsc(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr


def test_misspelt_commands_and_wrong_options_are_refused(tmp_path: Path) -> None:
    done = tsc(tmp_path, BAD)
    assert done.returncode != 0
    lines = sorted({int(line.split("(", 1)[1].split(",", 1)[0]) for line in done.stdout.splitlines()
                    if line.startswith("page.ts(") and ": error" in line})
    assert lines == [2, 3, 4, 5, 6], done.stdout  # each bad line, and only those
