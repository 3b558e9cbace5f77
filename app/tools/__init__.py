"""Developer tools run with ``python -m`` (they need the dev extras)."""
