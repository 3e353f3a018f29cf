"""tools/patch_pyodide.py: the pinned patches apply to the npm Pyodide, and refuse anything else; micropip is pinned."""
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


MJS_SOURCE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"


@pytest.mark.skipif(not MJS_SOURCE.is_file(), reason="node_modules/pyodide missing (npm ci)")
def test_the_pinned_loader_gets_the_integrity_options_and_anything_else_fails() -> None:
    text = MJS_SOURCE.read_text(encoding="utf-8")
    patched = patch_pyodide.patch_mjs(text)
    # The wasm and the stdlib zip are fetched with the SRI strings the loader passes.
    assert 'w.response?{response:w.response()}:_(e+"pyodide.asm.wasm",w.wasm)' in patched
    assert "he(t,(e.alloyPyIntegrity||{}).stdlib)" in patched
    # or the loader's own checked download of the stdlib: then nothing else writes its path
    assert "function he(e,w){let t=w&&w.then?w:j(e,w);" in patched
    assert "instantiateWasm:Ie(e.indexURL,e.alloyPyIntegrity)" in patched
    with pytest.raises(patch_pyodide.PatchError, match="not the pinned one"):
        patch_pyodide.patch_mjs(text.replace("function he(e){", "function he(e,x){"))
    served = DIST / "pyodide" / "pyodide.mjs"
    if served.is_file():
        assert served.read_text(encoding="utf-8") == patched


def test_micropip_is_the_pinned_wheel() -> None:
    """PyPI's wheel is downloaded with --require-hashes (tools/build_web.py): what web/dist serves is it."""
    import hashlib

    import build_web
    served = sorted((DIST / "pyodide").glob("micropip-*.whl"))
    if not served:
        pytest.skip("web/dist not built")
    [wheel] = served
    version = wheel.name.split("-")[1]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == build_web.MICROPIP_SHA256[version]
