"""Errors raised by the facilities package.

Each is a subclass of a built-in error so callers can catch broadly, and each carries
enough context (file, feature, field, value, what is accepted) to be shown to a user as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facilities.validation import ValidationReport


class CityValidationError(ValueError):
    """A city folder has errors; ``report`` lists every one of them."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        n = len(report.errors)
        super().__init__(
            f"{report.folder}: {n} error{'s' if n != 1 else ''} in the city's files; nothing was loaded.\n"
            + report.to_text(include_warnings=False)
        )
