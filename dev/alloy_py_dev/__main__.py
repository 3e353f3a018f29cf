"""``python -m alloy_py_dev``: the ``alloy-py`` command line (:mod:`alloy_py_dev.cli`)."""

import sys

from .cli import main

sys.exit(main())
