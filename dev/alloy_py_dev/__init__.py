"""alloy-py's developer tools: the dev server, the local Edge emulator, the ``alloy-py`` CLI.

A separate distribution (``alloy-py-dev``, ``dev/pyproject.toml``): the page
runs :mod:`alloy_py` alone and never downloads any of this.

- :class:`alloy_py_dev.server.DevServer`: static files, in-memory pages, routes;
- :class:`alloy_py_dev.emulator.EdgeEmulator`: a DevServer with an emulated Edge
  Network and its inspector;
- :mod:`alloy_py_dev.samples`: values the tests and benchmarks share;
- :mod:`alloy_py_dev.repo`: the repository's paths and Chromium launch settings.
"""

from .emulator import EdgeEmulator
from .server import DevServer

__all__ = ["DevServer", "EdgeEmulator"]
