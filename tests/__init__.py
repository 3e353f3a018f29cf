"""alloy-py's tests (``python -m pytest tests``)."""
