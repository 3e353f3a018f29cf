"""Two packages in one repository: the page gets ``alloy_py`` and nothing else.

``alloy_py`` (the root ``pyproject.toml``) is the SDK the browser runs;
``alloy_py_dev`` (``dev/pyproject.toml``) holds the dev server, the Edge
emulator and the ``alloy-py`` command, and is never shipped to a page.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alloy_py_dev.repo import DIST, ROOT


def build_wheel(project: Path, out: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(project)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def check_browser_files(names: list[str], *, dist_info: bool) -> None:
    """Only alloy_py's modules (and the wheel's dist-info): no emulator, no CLI, no page."""
    assert names
    allowed = ("alloy_py/", "alloy_py-0.1.0.dist-info/") if dist_info else ("alloy_py/",)
    assert [n for n in names if not n.startswith(allowed)] == []
    assert [n for n in names if "emulator" in n or "__main__" in n or n.endswith(".html")] == []


def test_the_browser_wheel_holds_alloy_py_only(tmp_path: Path) -> None:
    names = build_wheel(ROOT, tmp_path)
    check_browser_files(names, dist_info=True)
    assert "alloy_py/__init__.py" in names and "alloy_py/py.typed" in names
    assert "alloy_py/browser/cpython.py" in names  # CPython programs install the same wheel
    assert "alloy_py-0.1.0.dist-info/entry_points.txt" not in names  # no console script


def test_the_dev_wheel_holds_the_tools_and_the_command(tmp_path: Path) -> None:
    names = build_wheel(ROOT / "dev", tmp_path)
    assert {"alloy_py_dev/server.py", "alloy_py_dev/cli.py", "alloy_py_dev/__main__.py",
            "alloy_py_dev/emulator/inspector.html", "alloy_py_dev/pytest_plugin.py"} <= set(names)
    assert [n for n in names if n.startswith("alloy_py/")] == []
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(next(tmp_path.glob("*.whl"))) as archive:
        text = archive.read(entry_points).decode()
    assert "alloy-py = alloy_py_dev.cli:main" in text
    assert "[pytest11]\nalloy_py = alloy_py_dev.pytest_plugin" in text  # the pytest plugin


def test_what_make_web_serves_to_pages_holds_alloy_py_only() -> None:
    manifest_path = DIST / "manifest.json"
    if not manifest_path.is_file():
        pytest.skip("web/dist is not built (make web; make test builds it)")
    manifest = json.loads(manifest_path.read_text())
    with zipfile.ZipFile(DIST / manifest["zip"]) as archive:
        check_browser_files(archive.namelist(), dist_info=False)
        # What only CPython programs and tests use is not fetched by pages (nor in the snapshot).
        assert not {"alloy_py/browser/memory.pyc", "alloy_py/browser/cpython.pyc"} & set(archive.namelist())
        assert "alloy_py/browser/pyodide.pyc" in archive.namelist()
    with zipfile.ZipFile(DIST / manifest["wheel"]) as archive:
        check_browser_files(archive.namelist(), dist_info=True)


def test_python_m_alloy_py_dev_is_the_command() -> None:
    done = subprocess.run([sys.executable, "-m", "alloy_py_dev", "serve", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--datastream" in done.stdout, done.stdout + done.stderr


def test_the_dev_tools_type_check() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", str(ROOT / "dev" / "alloy_py_dev"), "--ignore-missing-imports"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_bench_imports_nothing_from_tests() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "bench").glob("*.py")
                 if "from tests" in p.read_text() or "import tests" in p.read_text()]
    assert offenders == []


def test_the_release_metadata_names_the_license_and_alloy(tmp_path: Path) -> None:
    build_wheel(ROOT, tmp_path)
    with zipfile.ZipFile(next(tmp_path.glob("*.whl"))) as archive:
        metadata = archive.read("alloy_py-0.1.0.dist-info/METADATA").decode()
        notice = archive.read("alloy_py-0.1.0.dist-info/licenses/NOTICE").decode()
        assert "Apache License" in archive.read("alloy_py-0.1.0.dist-info/licenses/LICENSE").decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "Classifier: Framework :: Pyodide" in metadata
    import alloy_py

    assert f"Version: {alloy_py.__version__}" in metadata  # the version's one home
    assert "adobe/alloy" in notice and "Apache License, Version 2.0" in notice


def test_the_served_lock_file_installs_alloy_py_by_name() -> None:
    if not (DIST / "manifest.json").is_file():
        pytest.skip("web/dist is not built (make web; make test builds it)")
    import hashlib

    manifest = json.loads((DIST / "manifest.json").read_text())
    lock = json.loads((DIST / "pyodide" / "pyodide-lock.json").read_text())
    entry = lock["packages"]["alloy-py"]
    assert entry["imports"] == ["alloy_py"] and entry["depends"] == []
    assert entry["file_name"] == "../" + manifest["wheel"]
    assert entry["sha256"] == hashlib.sha256((DIST / manifest["wheel"]).read_bytes()).hexdigest()
    micropip = lock["packages"]["micropip"]
    assert micropip["sha256"] == hashlib.sha256((DIST / "pyodide" / micropip["file_name"]).read_bytes()).hexdigest()
    original = json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())
    assert lock["info"] == original["info"] and set(lock["packages"]) == {*original["packages"], "alloy-py"}


def test_make_dist_builds_the_packages_and_the_folder_a_site_serves(tmp_path: Path) -> None:
    if not (DIST / "manifest.json").is_file():
        pytest.skip("web/dist is not built (make web; make test builds it)")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build_dist.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((DIST / "manifest.json").read_text())
    version, runtime = manifest["version"], f"pyodide-{manifest['pyodide']}/"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([
        f"alloy-py-{version}", f"alloy_py-{version}-py3-none-any.whl", f"alloy_py-{version}.tar.gz",
        f"alloy_py_dev-{version}-py3-none-any.whl"])
    folder = tmp_path / f"alloy-py-{version}"
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {"alloy-py.js", "alloy-py.d.ts", "LICENSE", "NOTICE", "manifest.json", manifest["zip"], manifest["wheel"],
            runtime + "pyodide-lock.json", runtime + "pyodide.asm.wasm.br", manifest["snapshot"].replace(
                "pyodide/", runtime)} <= files
    assert [f for f in files if f.startswith(("demo/", "pyscript/", "pyodide/"))] == []  # only what a site serves
    loader = (folder / "alloy-py.js").read_text()
    assert f'var RUNTIME = "{runtime}";' in loader and "__ALLOY_PY_" not in loader
    import tarfile

    with tarfile.open(tmp_path / f"alloy_py-{version}.tar.gz") as sdist:
        names = sdist.getnames()
    assert {f"alloy_py-{version}/LICENSE", f"alloy_py-{version}/NOTICE", f"alloy_py-{version}/CHANGELOG.md"} <= set(
        names)
    assert [n for n in names if "/tests/" in n or "/dev/" in n or "node_modules" in n] == []
    # Reproducible: a second build gives the same bytes.
    again = tmp_path / "again"
    subprocess.run([sys.executable, str(ROOT / "tools" / "build_dist.py"), "--out", str(again)],
                   capture_output=True, text=True, timeout=600, check=True)
    for name in (f"alloy_py-{version}-py3-none-any.whl", f"alloy_py-{version}.tar.gz"):
        assert (again / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_the_pinned_dev_requirements_are_the_test_extra() -> None:
    """make setup installs requirements/test.txt with --require-hashes: it must hold the test extra."""
    import tomllib

    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    listed = [line.strip() for line in (ROOT / "requirements" / "test.in").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert listed[: len(extra)] == extra
    pinned = (ROOT / "requirements" / "test.txt").read_text()
    for requirement in listed:
        name = requirement.split("=")[0].split(">")[0].split("[")[0].strip().lower()
        assert f"\n{name}==" in pinned.lower(), requirement
    assert "--hash=sha256:" in pinned and "file://" not in pinned
