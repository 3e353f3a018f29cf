"""The layering rules the package promises, checked on its source."""

from __future__ import annotations
import __future__

import ast
import types
from pathlib import Path

import alloy_py

PACKAGE = Path(alloy_py.__file__).parent
BROWSER_MODULES = {"browser/pyodide.py", "browser/bridge.py"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_browser_seam_imports_pyodide() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if str(path.relative_to(PACKAGE)) not in BROWSER_MODULES and imported_roots(path) & {"js", "pyodide"}
    ]
    assert offenders == []


def test_no_runtime_dependencies() -> None:
    import sys

    # _sha2: built in since CPython 3.12 (Pyodide's is 3.14; this may run under 3.11).
    allowed = set(sys.stdlib_module_names) | {"alloy_py", "js", "pyodide", "__future__", "_sha2"}
    for path in PACKAGE.rglob("*.py"):
        # The in-memory browser parses test pages with Beautiful Soup (the test extra).
        extra = {"bs4", "soupsieve"} if path.name == "memory.py" else set()
        # The page, from a PyScript worker: PyScript's own module, there only under PyScript.
        extra |= {"pyscript"} if path.name == "pyodide.py" else set()
        assert imported_roots(path) <= allowed | extra, path


# Names alloy_py/__init__.py imports for its own use (create_instance's signature and
# body, alloy's), not exports. A name may leave this set, or be exported, at any time.
NOT_EXPORTED = {"Browser", "CommandResult", "Json", "PageInstances"}


def test_all_is_exactly_the_public_names_and_package_is_typed() -> None:
    """httpx's tests/test_exported_members.py: ``__all__`` lists every public name, and only those."""
    public = {
        name
        for name, value in vars(alloy_py).items()
        if (not name.startswith("_") or name == "__version__")
        # Submodules (alloy_py.browser…) become attributes when imported; __future__
        # imports bind a feature object (``annotations``).
        and not isinstance(value, (types.ModuleType, __future__._Feature))
    }
    assert len(alloy_py.__all__) == len(set(alloy_py.__all__)), "a name is listed twice"
    for name in alloy_py.__all__:
        assert hasattr(alloy_py, name), name
    assert set(alloy_py.__all__) <= public
    assert public - set(alloy_py.__all__) <= NOT_EXPORTED, "public names missing from __all__"
    assert (PACKAGE / "py.typed").exists()


def test_the_package_type_checks() -> None:
    import subprocess
    import sys

    # The whole package, with mypy's defaults: pyproject.toml's strict [tool.mypy] is `make lint`'s.
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file=", str(PACKAGE), "--ignore-missing-imports"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_nothing_the_page_runs_evaluates_a_string_as_javascript() -> None:
    """A CSP without 'unsafe-eval' (the AEM boilerplate's) must never refuse alloy-py (issue 21)."""
    import re

    root = PACKAGE.parent
    pattern = re.compile(r"\bjs\.eval\b|\brunJS\b|\bnew\s+Function\b|(?<![\w.])Function\s*\(|(?<![\w.])eval\s*\("
                         r"|set(?:Timeout|Interval)\s*\(\s*[\"'`]|\bimportScripts\b")
    sources = [*PACKAGE.rglob("*.py"), root / "web" / "alloy-py.js"]
    found = [f"{path.relative_to(root)}:{n}: {line.strip()}"
             for path in sources for n, line in enumerate(path.read_text().splitlines(), 1)
             if pattern.search(line) and not line.lstrip().startswith(("#", "//", "*"))]
    assert found == []


def test_background_work_starts_only_through_spawn() -> None:
    """One way to start a task (alloy_py._futures.spawn): it keeps the task referenced until it ends."""
    import re

    pattern = re.compile(r"\b(ensure_future|create_task)\s*\(|asyncio\.Task\s*\(")
    found = [f"{path.relative_to(PACKAGE)}:{n}" for path in PACKAGE.rglob("*.py") if path.name != "_futures.py"
             for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == []


async def test_spawned_work_is_kept_until_it_ends() -> None:
    """asyncio holds a task weakly: one waiting on a future only it knows of is garbage (a JS
    promise's future, say) and would vanish mid-flight, its failure never reported."""
    import asyncio
    import gc
    import weakref

    from alloy_py._futures import _running, spawn

    async def work() -> None:
        await asyncio.get_running_loop().create_future()

    bare = weakref.ref(asyncio.ensure_future(work()))  # what spawn prevents
    kept = weakref.ref(spawn(work()))
    await asyncio.sleep(0)
    gc.collect()
    assert bare() is None and kept() is not None
    task = kept()
    assert task is not None
    task.cancel()
    for _ in range(3):  # the cancellation, then the done callbacks
        await asyncio.sleep(0)
    assert task.cancelled() and task not in _running  # let go once it ended
