"""The two changes alloy-py makes to the Pyodide it serves: the same function table in every engine,
and integrity for the two files Pyodide fetches itself (the wasm, the stdlib zip).

Pyodide's start-up (Emscripten's dynamic-linking glue in ``pyodide.asm.mjs``)
gives every function the main wasm module exports a slot in the function
table (``receiveInstance`` → ``updateGOT(origExports)`` → ``addFunction``).
``addFunction`` reuses the slot the function already has by looking the
export up in a WeakMap keyed by the objects ``wasmTable.get(i)`` returns
(``getFunctionAddress`` / ``updateTableMap`` / ``functionsInTableMap``), and
otherwise grows the table by one:

    var getFunctionAddress=func=>{...return functionsInTableMap.get(func)||0};
    var addFunction=(func,sig)=>{var rtn=getFunctionAddress(func);if(rtn){return rtn}
      var ret=getEmptyTableSlot();...

V8 and SpiderMonkey return the very export object from ``table.get``;
JavaScriptCore (Safari, WebKitGTK 2.50) returns another object for the same
function, so every export that is in the table (972 of Pyodide 314.0.7's 4,534)
gets a second slot there: the table ends 14,175 long in Chromium and 15,147 in
WebKit, and every slot ``addFunction`` hands out afterwards (JS callbacks
whose indices the heap keeps) is 972 further on. A memory snapshot made in
Chromium then calls the wrong functions in WebKit: "call_indirect to a
signature that does not match (evaluating 'Module._init_pyodide_proxy()')".

The patch: just before that ``updateGOT``, while the table holds nothing but
the main module's own elements, teach the WeakMap the exports it missed, by
the export's ``name``, which the WebAssembly JS API sets to the function's
index in its module in every engine (and ``length``, its arity, as a check).
Where ``table.get`` already returns the export (Chromium) there is nothing
to teach: the table and the snapshot are byte for byte what they were
(``Module.alloyPyTableAliases`` counts the slots taught: 0 in Chromium, 972
in WebKit; -1 if two table entries of the same name disagree, and then it
teaches nothing, which is Pyodide's own behaviour).

It is pinned: the exact ``pyodide.asm.mjs`` (sha256) and each anchor found
exactly once, else the build fails. ``BUILD_ID``, which a snapshot restore
checks, is a constant in ``pyodide.mjs`` (unchanged), not a hash computed at
run time, so restores keep accepting snapshots.
"""
from __future__ import annotations

import hashlib

# node_modules/pyodide/pyodide.asm.mjs of pyodide 314.0.7.
ASM_MJS_SHA256 = "f7cdc8ece80678ceb712f8e65ebe6d3a83203a180c399865f49612a051693635"

ALIAS = (
    "var alloyPyAliasTable=exports=>{getFunctionAddress(alloyPyAliasTable);var byName=new Map;"
    "for(var i=0;i<wasmTable.length;i++){var f=getWasmTableEntry(i);if(f&&/^\\d+$/.test(f.name)){"
    "var o=byName.get(f.name);if(o&&o.length!==f.length){return -1}byName.set(f.name,{index:i,length:f.length})}}"
    "var n=0;for(var k in exports){var v=exports[k];if(typeof v==\"function\"&&!functionsInTableMap.has(v)){"
    "var e=byName.get(v.name);if(e&&e.length===v.length){functionsInTableMap.set(v,e.index);n++}}}return n};"
)

# (anchor, replacement): each anchor must occur exactly once.
EDITS = (
    ("var updateGOT=(", ALIAS + "var updateGOT=("),
    ("updateGOT(origExports);LDSO.init();",
     'Module["alloyPyTableAliases"]=alloyPyAliasTable(origExports);updateGOT(origExports);LDSO.init();'),
)


# node_modules/pyodide/pyodide.mjs of pyodide 314.0.7.
MJS_SHA256 = "6f1d60f7bf529beb300f0f47983c921d3982363640ba20af0e38efdddbc66109"

# pyodide.mjs fetches pyodide.asm.wasm (``Ie``, getInstantiateWasmFunc) and the stdlib
# zip (``he``, installStdlib) through its loadBinaryFile, which already takes an SRI
# string (``fetch(url, {integrity})``; packages use it): the loader's
# ``alloyPyIntegrity`` option ({wasm, stdlib, failed}) is handed down to those two
# (``stdlib`` may instead be the promise of the zip's bytes, fetched and checked by the
# loader: installStdlib writes those, and nothing else writes the stdlib's path)
# calls, ``response()`` (if given) is the wasm's fetch() the loader started early,
# and ``failed(error)`` hears of a wasm that could not be fetched or compiled,
# which Pyodide only logs (loadPyodide would then never settle). Without the option
# they behave as before (the snapshot builder's pages).
MJS_EDITS = (
    ("function he(e){let t=j(e);", "function he(e,w){let t=w&&w.then?w:j(e,w);"),
    ("[he(t),ve(e.env.HOME)", "[he(t,(e.alloyPyIntegrity||{}).stdlib),ve(e.env.HOME)"),
    ('function Ie(e){if(typeof WasmOffsetConverter<"u")return;let{binary:t,response:n}=_(e+"pyodide.asm.wasm")',
     'function Ie(e,w){w=w||{};if(typeof WasmOffsetConverter<"u")return;'
     'let{binary:t,response:n}=w.response?{response:w.response()}:_(e+"pyodide.asm.wasm",w.wasm)'),
    ('catch(l){console.warn("wasm instantiation failed!"),console.warn(l)}',
     'catch(l){if(w.failed)return w.failed(l);console.warn("wasm instantiation failed!"),console.warn(l)}'),
    ("instantiateWasm:Ie(e.indexURL)", "instantiateWasm:Ie(e.indexURL,e.alloyPyIntegrity)"),
)


class PatchError(RuntimeError):
    pass


def patch_asm_mjs(text: str) -> str:
    """``pyodide.asm.mjs`` as alloy-py serves it; :class:`PatchError` unless it is the pinned file."""
    return _patch("pyodide.asm.mjs", text, ASM_MJS_SHA256, EDITS,
                  "the function-table patch against the new Emscripten glue "
                  "(updateGOT, addFunction, getFunctionAddress in receiveInstance)")


def patch_mjs(text: str) -> str:
    """``pyodide.mjs`` as alloy-py serves it; :class:`PatchError` unless it is the pinned file."""
    return _patch("pyodide.mjs", text, MJS_SHA256, MJS_EDITS,
                  "the integrity patch against the new loader (getInstantiateWasmFunc, installStdlib, loadBinaryFile)")


PATCHES = {"pyodide.asm.mjs": patch_asm_mjs, "pyodide.mjs": patch_mjs}


def _patch(name: str, text: str, pin: str, edits: tuple[tuple[str, str], ...], what: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != pin:
        raise PatchError(
            f"{name} is not the pinned one (sha256 {digest[:16]}…, want {pin[:16]}…): "
            f"re-check {what} in tools/patch_pyodide.py and update the pin")
    for anchor, replacement in edits:
        count = text.count(anchor)
        if count != 1:
            raise PatchError(f"{name}: {anchor!r} found {count} times, expected once")
        text = text.replace(anchor, replacement)
    return text
