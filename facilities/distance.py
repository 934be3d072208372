"""How far apart two places are: the one seam every rule kind measures through.

Today there is one measure, :data:`EUCLIDEAN` (straight lines in the city's metric CRS). A walking-network
measure (see the walking-distance issue) implements the same two methods and is passed to
:func:`facilities.check.check` as ``distance=``; no rule kind changes.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from facilities import coverage


class Distance(Protocol):
    """A measure of distance between geometries in the city's metric CRS (metres)."""

    name: str

    def count_within(self, targets: np.ndarray, facilities: np.ndarray, distance: float, cap: int) -> np.ndarray:
        """For each target, the number of facilities within ``distance`` (≤), capped at ``cap``."""
        ...

    def nearest(self, targets: np.ndarray, facilities: np.ndarray) -> np.ndarray:
        """For each target, the distance to the nearest facility (inf when there is none)."""
        ...


class Euclidean:
    """Straight-line distance (to a polygon: to its edge, 0 inside), by the kernels of :mod:`facilities.coverage`."""

    name = "euclidean"

    def count_within(self, targets: np.ndarray, facilities: np.ndarray, distance: float, cap: int) -> np.ndarray:
        """See :func:`facilities.coverage.count_within`."""
        return coverage.count_within(targets, facilities, distance, cap)

    def nearest(self, targets: np.ndarray, facilities: np.ndarray) -> np.ndarray:
        """See :func:`facilities.coverage.nearest_distance`."""
        return coverage.nearest_distance(targets, facilities)


EUCLIDEAN = Euclidean()
