"""alloy's components, in alloy's registration order.

A component is a class with a ``namespace``, optional ``config_schema`` (an
``object_of`` validator merged into ``configure``'s), a ``commands()`` map and
the lifecycle hooks it overrides (see :mod:`alloy_py.lifecycle`). The order in
``alloy_py.instance.DEFAULT_COMPONENTS`` decides hook order, the key order of
what they merge into requests, and the order of the "List of available commands".
"""

from ..component import Command, Component, ComponentServices

__all__ = ["Command", "Component", "ComponentServices"]
