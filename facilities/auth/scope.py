"""What a user may see of a city: a responsible unit's user sees only its own unit's facilities (every
inventory layer filtered on ``unit``; the background layers, e.g. water, stay); everyone else sees it all."""

from __future__ import annotations

from facilities.auth.roles import User, allow, scope_unit
from facilities.city import City
from facilities.schema import LAYERS


def visible_city(city: City, user: User | None) -> City:
    """``city`` as ``user`` may see it (Forbidden when not signed in)."""
    allow(user, "read")
    return unit_city(city, scope_unit(user))  # type: ignore[arg-type]


def unit_city(city: City, unit: str | None) -> City:
    """``city`` with only ``unit``'s facilities in its inventory layers (``unit`` None: all of it)."""
    if unit is None:
        return city
    layers = dict(city.layers)
    for name in LAYERS:
        gdf = layers[name]
        layers[name] = gdf[(gdf["unit"] == unit).fillna(False).to_numpy(dtype=bool)]
    return city.with_layers(layers)


__all__ = ["unit_city", "visible_city"]
