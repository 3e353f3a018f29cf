"""The version's one home (hatch reads it; alloy's getLibraryInfo and the context report it).

Its own module, at the bottom of the layers: the components import it without the package's
``__init__``, which imports the instance and the components (an import cycle).
"""

__version__ = "0.1.0"
