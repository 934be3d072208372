"""Walkways: where walking differs from a straight line. Yuliang Island (鱼梁洲): a scenic spot in the Han River,
its island path, the footbridge to the north bank and the stairs up to it.

Built after every other layer and without random numbers, so that the rest of the city is what it was before
the island was added; the water gets the island as a hole when it is written (:mod:`.output`).
"""

from __future__ import annotations

from shapely.geometry import LineString, Polygon

from .frame import Ctx, Feat, P, Pl
from .model import layer_props
from .places import CITY_MGMT, PLACES

WALKWAYS = PLACES["walkways"]


def build_walkways(ctx: Ctx) -> None:
    """Add the island's scenic spot and walkways to the published attractions and roads."""
    ctx.island = Polygon(Pl(WALKWAYS["island"]))
    s = WALKWAYS["spot"]
    x, y = P(*s["at"])
    spots = ctx.layers["attractions"]
    props = {
        "id": f"A{len(spots) + 1:02d}", "name": s["name"], "name_en": s["name_en"], "kind": s["kind"], "grade": s["grade"],
        "daily_visitors": int(s["visitors"]), "status": "existing", "district": ctx.district_of(x, y), "unit": s["unit"],
        "updated": s["updated"], "source": "simulated", "notes": "approximate position; grade and visitors illustrative",
    }  # fmt: skip
    spot = Feat(layer_props("attractions", props), x, y, None, s["key"])
    spots.append(spot)  # (the published layer is the list ctx.attractions)
    roads = ctx.layers["roads"]
    for r in WALKWAYS["roads"]:
        line = LineString(Pl(r["points"]))
        district = ctx.district_of(*line.interpolate(0.5, normalized=True).coords[0])
        props = {
            "id": f"R{len(roads) + 1:04d}", "name": r["name"], "name_en": r["name_en"], "road_class": r["class"], "lit": False,
            "bridge": r.get("bridge"), "status": "existing", "district": district, "unit": CITY_MGMT[district],
            "updated": s["updated"], "source": "simulated",
        }  # fmt: skip
        roads.append(Feat(layer_props("roads", props), geom=line, tag=r["name"]))
