"""After a snapshot restore, the zips on ``sys.path`` arrive on the first import that needs them.

The memory snapshot holds every module the commands import, so a restore
starts with an empty stdlib zip and no alloy_py zip: 4.6 MB a visitor never
needs (``tests/browser/test_snapshot_boot.py`` runs every command without
them). The zipimport tables inside the snapshot still describe the real
files, so an import of anything else must not reach zipimport before those
very bytes are back at those paths: this finder, first on ``sys.meta_path``,
has the loader write them (a synchronous download) on the first import of a
module that is neither loaded nor built in, then steps aside. A synchronous
request takes no ``integrity``, so the finder checks what was written against
the digests the loader was built with, and removes a file that differs.
"""

from __future__ import annotations

import binascii
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hashlib import sha256
else:
    try:  # built in under Pyodide, where hashlib (a stdlib .py) may be one of the files not there yet
        from _sha2 import sha256
    except ImportError:  # pragma: no cover - a CPython built without it
        from hashlib import sha256

__all__ = ["FetchOnFirstImport", "install", "sri"]


def sri(data: bytes) -> str:
    """The Subresource Integrity string of ``data`` (tools/build_web.py ``sri``)."""
    return "sha256-" + binascii.b2a_base64(sha256(data).digest(), newline=False).decode("ascii")


class FetchOnFirstImport:
    """A meta path finder that finds nothing: it only makes the files present."""

    def __init__(self, write_files: Callable[[], object], digests: Mapping[str, str] | None = None) -> None:
        self._write_files: Callable[[], object] | None = write_files
        self._digests = dict(digests or {})

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name in sys.builtin_module_names:
            return None
        self.remove()
        write_files, self._write_files = self._write_files, None
        if write_files is not None and write_files() is not False:
            self._check()
        return None  # the path finders, with the files in place, do the import

    def _check(self) -> None:
        wrong = []
        for file, digest in self._digests.items():
            with open(file, "rb") as written:
                if sri(written.read()) != digest:
                    wrong.append(file)
        for file in wrong:
            os.remove(file)
        if wrong:
            raise ImportError(f"alloy-py: {', '.join(wrong)} is not the file alloy-py.js was built with "
                              "(integrity): modules not in the snapshot cannot be imported.")

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    @property
    def pending(self) -> bool:
        return self._write_files is not None


def install(write_files: Callable[[], object], digests: Mapping[str, str] | None = None) -> FetchOnFirstImport:
    """Put the finder first; ``write_files`` runs at most once (``False``: it wrote nothing).

    ``digests``: file -> SRI string the written file must have.
    """
    finder = FetchOnFirstImport(write_files, digests)
    sys.meta_path.insert(0, finder)
    return finder
