"""variants: keep near-duplicate documents in one source and show where they differ."""

__version__ = "0.1.0"
