"""A user's script type-checks against alloy_py's typed commands (mypy --strict), or is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = '''
from alloy_py import alloy, create_instance
from alloy_py.browser.memory import MemoryBrowser
from alloy_py.commands import Consent


async def main() -> None:
    await alloy("configure", {"datastreamId": "ds", "orgId": "ABC@AdobeOrg", "defaultConsent": "pending",
                              "clickCollection": {"internalLinkEnabled": False}})
    result = await alloy("sendEvent", {"renderDecisions": True, "xdm": {"eventType": "web.webpagedetails.pageViews"},
                                       "personalization": {"decisionScopes": ["hero"]}})
    ids: list[str] = [p["id"] for p in result["propositions"]]
    identity = await alloy("getIdentity", {"namespaces": ["ECID"]})
    ecid: str = identity["identity"]["ECID"]
    url: str = (await alloy("appendIdentityToUrl", {"url": "https://example.com/"}))["url"]
    consent: Consent = {"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "y"}}}
    await alloy("setConsent", {"consent": [consent]})
    info = await alloy("getLibraryInfo")
    commands: list[str] = info["libraryInfo"]["commands"]
    applied = await alloy("applyPropositions", {"propositions": result["propositions"], "viewName": "cart"})
    await alloy("sendConversationEvent", {"message": "Hi", "onStreamResponse": print,
                                          "xdm": {"conversationId": "c-1"}})
    await alloy("sendPushSubscription")
    other = create_instance("other", MemoryBrowser())
    await other("sendEvent", {})
    print(ids, ecid, url, commands, applied["propositions"])
'''

BAD = '''
from alloy_py import alloy, create_instance


async def main() -> None:
    await alloy("sendEvnt", {})
    await alloy("sendEvent", {"renderDecisions": "yes"})
    await alloy("configure", {"datastreamId": "ds"})
    await alloy("sendEvent", {"xdmm": {}})
    result = await alloy("sendEvent", {})
    wrong: int = result["propositions"]
    other = create_instance("other")
    await other("getIdentty")
'''


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "user_script.py"
    script.write_text(source)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)


def test_a_correct_script_passes_mypy_strict(tmp_path: Path) -> None:
    done = mypy(tmp_path, GOOD)
    assert done.returncode == 0, done.stdout + done.stderr


def test_misspelt_commands_and_wrong_options_are_refused(tmp_path: Path) -> None:
    done = mypy(tmp_path, BAD)
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    lines = sorted({int(line.split(":")[1]) for line in errors})
    assert lines == [6, 7, 8, 9, 11, 13], done.stdout  # each bad line, and only those
