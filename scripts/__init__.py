"""The project's scripts (run from the repository root, e.g. ``python -m scripts.demo_city``)."""
