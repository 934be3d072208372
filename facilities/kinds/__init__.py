"""The rule kinds, one module each: its parameters, its evaluation, its gaps (with their stable ids) and
how its gaps are drawn. Adding a kind: a module here with a ``KIND``, listed in :data:`KINDS`, and its tests.
"""

from __future__ import annotations

from facilities.kinds import along, density, illuminance, intersections, reach, share
from facilities.kinds.base import GAP_SHAPES, NOTHING, SHARE, Context, Kind, Outcome, Param, road_key, road_keys, select

#: every rule kind, by name (the order of the docs)
KINDS: dict[str, Kind] = {m.KIND.name: m.KIND for m in (reach, along, intersections, density, share, illuminance)}

__all__ = ["GAP_SHAPES", "KINDS", "NOTHING", "SHARE", "Context", "Kind", "Outcome", "Param", "road_key", "road_keys", "select"]
