"""alloy.js 2.33.1 vs alloy-py, scenario by scenario (tests/parity/scenarios.py).

``make test`` runs the ``fast`` subset; ``make parity`` (tests/parity/report.py)
or ``ALLOY_PY_PARITY=all pytest tests/parity`` runs every scenario.
"""
from __future__ import annotations

import os

import pytest
from alloy_py_dev.repo import ALLOY_REFERENCE_DIST

from .harness import compare, describe
from .scenarios import SCENARIOS

RUN_ALL = os.environ.get("ALLOY_PY_PARITY") == "all"


def _param(scenario):
    marks = [pytest.mark.parity]
    if scenario.fast:
        marks.append(pytest.mark.parity_fast)
    elif not RUN_ALL:
        marks.append(pytest.mark.skip(reason="full parity set: make parity (or ALLOY_PY_PARITY=all)"))
    if scenario.xfail:
        marks.append(pytest.mark.xfail(reason=scenario.xfail, strict=True))
    return pytest.param(scenario, id=scenario.name, marks=marks)


@pytest.mark.skipif(not (ALLOY_REFERENCE_DIST / "alloy.js").exists(), reason="npm @adobe/alloy not installed")
@pytest.mark.parametrize("scenario", [_param(s) for s in SCENARIOS])
def test_scenario_matches_alloy_js(browser, static_server, scenario) -> None:
    result = compare(browser, static_server, scenario)
    assert result["reference"]["results"], "the scenario recorded no command results"
    assert not result["undeclared"], f"{scenario.name}: {describe(result, limit=10)}"
