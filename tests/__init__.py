"""The test suite (a package, so that pytest puts the project root first on the path: tests.helpers)."""
