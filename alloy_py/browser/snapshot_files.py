"""After a snapshot restore, the zips on ``sys.path`` arrive on the first import that needs them.

The memory snapshot holds every module the commands import, so a restore
starts with an empty stdlib zip and no alloy_py zip: 4.6 MB a visitor never
needs (``tests/browser/test_snapshot_boot.py`` runs every command without
them). The zipimport tables inside the snapshot still describe the real
files, so an import of anything else must not reach zipimport before those
very bytes are back at those paths: this finder, first on ``sys.meta_path``,
has the loader write them (a synchronous download) on the first import of a
module that is neither loaded nor built in, then steps aside.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["FetchOnFirstImport", "install"]


class FetchOnFirstImport:
    """A meta path finder that finds nothing: it only makes the files present."""

    def __init__(self, write_files: Callable[[], object]) -> None:
        self._write_files: Callable[[], object] | None = write_files

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if name in sys.builtin_module_names:
            return None
        self.remove()
        write_files, self._write_files = self._write_files, None
        if write_files is not None:
            write_files()
        return None  # the path finders, with the files in place, do the import

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)

    @property
    def pending(self) -> bool:
        return self._write_files is not None


def install(write_files: Callable[[], object]) -> FetchOnFirstImport:
    """Put the finder first; ``write_files`` runs at most once."""
    finder = FetchOnFirstImport(write_files)
    sys.meta_path.insert(0, finder)
    return finder
