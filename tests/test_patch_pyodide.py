"""tools/patch_pyodide.py: the pinned patch applies to the npm Pyodide, and refuses anything else."""
from __future__ import annotations

import sys

import pytest
from alloy_py_dev.repo import DIST, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import patch_pyodide  # noqa: E402

SOURCE = ROOT / "node_modules" / "pyodide" / "pyodide.asm.mjs"


@pytest.mark.skipif(not SOURCE.is_file(), reason="node_modules/pyodide missing (npm ci)")
def test_the_pinned_glue_is_patched_once_and_anything_else_fails() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    patched = patch_pyodide.patch_asm_mjs(text)
    assert patched.count("alloyPyAliasTable(origExports);updateGOT(origExports);") == 1
    assert len(patched) == len(text) + sum(len(new) - len(old) for old, new in patch_pyodide.EDITS)
    with pytest.raises(patch_pyodide.PatchError, match="not the pinned one"):
        patch_pyodide.patch_asm_mjs(text.replace("updateGOT(origExports);", "updateGOT(origExports, 0);"))
    served = DIST / "pyodide" / "pyodide.asm.mjs"
    if served.is_file():
        assert served.read_text(encoding="utf-8") == patched
