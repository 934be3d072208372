"""Key figures for leaders, by district: lighting, dark roads, signs, rules to improve, gaps per unit.

Every table is a plain :class:`pandas.DataFrame`. The district tables have a ``district`` column, one
row per district and a final total row whose district is :data:`CITY` (全市 City). Districts come in the
order of the city's district zones (``zones`` with ``zone_type = "district"``), then any other district
named by the data (sorted), then :data:`UNSPECIFIED` for features with no district.

A feature's district is its own ``district`` field (the data's declaration, which the validator checks
against the district zones), not a spatial join. :func:`district_comparison` puts every layer side by side,
district by district, with each district's area (its zones measured in the city's metric CRS).

:data:`facilities.words.COLUMNS` gives a bilingual heading for every column, for reports and pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from facilities.check import Result, illuminance_stretches
from facilities.city import City
from facilities.kinds import along, road_keys, select
from facilities.rules import Rule
from facilities.schema import LAYERS, NOT_IN_USE, ROAD_CLASSES

CITY = "全市 City"
UNSPECIFIED = "未注明 Not given"
ALL_CLASSES = "全部 All"

# --------------------------------------------------------------------------- districts


def district_names(city: City) -> list[str]:
    """The city's districts in the order of its district zones (their ``district``, else their ``name``)."""
    zones = city["zones"]
    d = zones[zones["zone_type"] == "district"]
    names = d["district"].astype("object").where(d["district"].notna(), d["name"].astype("object"))
    out: list[str] = []
    for n in names:
        if isinstance(n, str) and n.strip() and n not in out:
            out.append(n)
    return out


def _filled(values: pd.Series) -> pd.Series:
    """A text column (district, unit) with empty values replaced by :data:`UNSPECIFIED` (object dtype)."""
    s = values.astype("object")
    empty = s.isna() | (s.astype("string").str.strip() == "").fillna(True).astype(bool)
    return s.where(~empty, UNSPECIFIED)


def _order(known: list[str], present) -> list[str]:
    """``known`` first, then the other present districts sorted, then :data:`UNSPECIFIED` if present."""
    present = set(present)
    others = sorted(d for d in present if d not in known and d != UNSPECIFIED)
    return [*known, *others, *([UNSPECIFIED] if UNSPECIFIED in present else [])]


def _in_use(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf[~gdf["status"].isin(NOT_IN_USE).fillna(False).to_numpy(dtype=bool)]


def _count_table(frame: pd.DataFrame, order: list[str], counts: list[str]) -> pd.DataFrame:
    """Sum the boolean/int ``counts`` columns of ``frame`` by district (every district of ``order``), plus the total row."""
    sums = frame.groupby("district")[counts].sum() if len(frame) else pd.DataFrame(columns=counts, dtype="int64")
    table = sums.reindex(order, fill_value=0).astype("int64")
    table.loc[CITY] = table.sum()
    return table.rename_axis("district").reset_index()


def _share(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype("float64")


# --------------------------------------------------------------------------- lighting


def lamp_figures(city: City) -> pd.DataFrame:
    """Lamps in use (status not planned/closed) by district: working, not working, unknown, 亮灯率.

    Returns
    -------
    DataFrame with columns ``district, lamps, working, not_working, unknown, working_share``;
    ``working_share`` = working / lamps (a lamp of unknown state counts as not lit, as in the
    ``lamps_working`` rule); NaN for a district with no lamps.
    """
    lamps = _in_use(city["lamps"])
    w = lamps["working"]
    frame = pd.DataFrame(
        {
            "district": _filled(lamps["district"]),
            "lamps": 1,
            "working": w.eq(True).fillna(False).astype(bool),
            "not_working": w.eq(False).fillna(False).astype(bool),
            "unknown": w.isna(),
        }
    )
    order = _order(district_names(city), frame["district"])
    table = _count_table(frame, order, ["lamps", "working", "not_working", "unknown"])
    table["working_share"] = _share(table["working"], table["lamps"])
    return table


def lamp_gap_rules(result: Result) -> list[Rule]:
    """The lamp-gap rules of a check: ``along`` rules whose facility layer is ``lamps``."""
    if result.rules is None:
        raise ValueError("this result carries no rules (Result.rules is None); run facilities.check.check(city, rules)")
    return [r for r in result.rules if r.kind == along.KIND.name and r.selections["facility"].layer == "lamps"]


def _pieces(line) -> tuple[np.ndarray, np.ndarray]:
    """The straight pieces of a (multi)line: their midpoints and lengths."""
    parts = list(line.geoms) if line.geom_type == "MultiLineString" else [line]
    mids, lengths = [], []
    for part in parts:
        xy = np.asarray(part.coords)[:, :2]
        if len(xy) < 2:
            continue
        mids.append((xy[1:] + xy[:-1]) / 2)
        lengths.append(np.hypot(*(xy[1:] - xy[:-1]).T))
    if not mids:
        return np.empty((0, 2)), np.empty(0)
    return np.concatenate(mids), np.concatenate(lengths)


def dark_road_km(result: Result, city: City) -> pd.DataFrame:
    """Kilometres of dark stretches found by the lamp-gap rules, by district and road class (long form).

    A dark stretch is the gap of a lamp-gap rule (:func:`lamp_gap_rules`); its length is the gap's
    ``measure``. A stretch may run over several segments of its road (e.g. across a district border):
    each straight piece of it is given to the nearest segment of that road among the roads the rule
    checks, and takes that segment's ``district`` and ``road_class``; the stretch's length is shared
    out in proportion. ``checked_km`` is the length of the roads each rule checks (the rule's
    ``checked`` in the summary), by the same segment attributes. A road checked by two lamp-gap rules
    counts under each.

    Returns
    -------
    DataFrame with columns ``district, road_class, km, checked_km, dark_share`` (dark km / checked km):
    one row per district and road class with roads checked, then one :data:`CITY` row per road class,
    then the :data:`CITY` / :data:`ALL_CLASSES` total row.
    """
    today = result.as_of
    roads_all = city.metric("roads")
    keys_all = road_keys(roads_all)
    dark: dict[tuple[str, str], float] = {}
    checked: dict[tuple[str, str], float] = {}
    for rule in lamp_gap_rules(result):
        roads = select(city, rule.selections["roads"], today)
        keys = keys_all.loc[roads.index]
        district = _filled(roads["district"])
        cls = roads["road_class"].astype("object").fillna(UNSPECIFIED)
        for d, c, length in zip(district, cls, roads.geometry.length, strict=True):
            checked[(d, c)] = checked.get((d, c), 0.0) + float(length)
        gaps = result.gaps[result.gaps["rule"] == rule.id]
        if not len(gaps):
            continue
        geoms = gaps.geometry.to_crs(city.metric_crs)
        for key, measure, geom in zip(gaps["feature_id"], gaps["measure"], geoms, strict=True):
            seg = np.flatnonzero((keys == key).to_numpy())
            mids, lengths = _pieces(geom)
            if not len(seg) or not lengths.sum():
                raise ValueError(f"rule {rule.id}: dark stretch on road {key!r} matches no checked road segment")
            seg_geoms = roads.geometry.to_numpy()[seg]
            # distance of every piece midpoint to every segment of the road: the nearest takes the piece
            dist = shapely.distance(shapely.points(mids)[:, None], seg_geoms[None, :])
            owner = seg[np.argmin(dist, axis=1)]
            scale = float(measure) / lengths.sum()
            for o, piece in zip(owner.tolist(), lengths.tolist(), strict=True):
                k = (district.iloc[o], cls.iloc[o])
                dark[k] = dark.get(k, 0.0) + piece * scale
    order = _order(district_names(city), [d for d, _ in checked] + [d for d, _ in dark])
    classes = [c for c in ROAD_CLASSES if any(c == k[1] for k in checked)]
    classes += sorted({k[1] for k in checked} - set(classes))
    rows = [(d, c, dark.get((d, c), 0.0) / 1000, checked[(d, c)] / 1000) for d in order for c in classes if (d, c) in checked]
    table = pd.DataFrame(rows, columns=["district", "road_class", "km", "checked_km"])
    by_class = table.groupby("road_class", sort=False)[["km", "checked_km"]].sum().reindex(classes).reset_index()
    by_class.insert(0, "district", CITY)
    total = pd.DataFrame([{"district": CITY, "road_class": ALL_CLASSES, "km": table["km"].sum(), "checked_km": table["checked_km"].sum()}])
    table = pd.concat([table, by_class, total], ignore_index=True).astype({"km": "float64", "checked_km": "float64"})
    table["dark_share"] = _share(table["km"], table["checked_km"])
    return table


def illuminance_km(city: City, rule: Rule, as_of: dt.date | None = None, stretches: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Lit kilometres meeting CJJ 45-2015 by the estimate of an ``illuminance`` rule, by district and road class.

    Returns
    -------
    DataFrame with columns ``district, road_class, checked_km, meeting_km, meeting_share`` (the length of the
    stretches the rule checks and of those meeting the level, :func:`facilities.check.illuminance_stretches`):
    one row per district and road class checked, then one :data:`CITY` row per road class, then the
    :data:`CITY` / :data:`ALL_CLASSES` total row, as :func:`dark_road_km`. ``stretches``: the rule's
    stretches when they are at hand (they are computed otherwise).
    """
    s = illuminance_stretches(city, rule, as_of) if stretches is None else stretches
    frame = pd.DataFrame(
        {
            "district": _filled(s["district"]),
            "road_class": s["road_class"].astype("object"),
            "checked_km": s["length_m"].to_numpy(dtype=float) / 1000,
            "meeting_km": np.where(s["ok"].to_numpy(dtype=bool), s["length_m"].to_numpy(dtype=float), 0.0) / 1000,
        }
    )
    order = _order(district_names(city), frame["district"])
    classes = [c for c in ROAD_CLASSES if c in set(frame["road_class"])]
    sums = frame.groupby(["district", "road_class"], sort=False)[["checked_km", "meeting_km"]].sum()
    rows = [(d, c, sums.at[(d, c), "checked_km"], sums.at[(d, c), "meeting_km"]) for d in order for c in classes if (d, c) in sums.index]
    table = pd.DataFrame(rows, columns=["district", "road_class", "checked_km", "meeting_km"])
    by_class = table.groupby("road_class", sort=False)[["checked_km", "meeting_km"]].sum().reindex(classes).reset_index()
    by_class.insert(0, "district", CITY)
    total = {"district": CITY, "road_class": ALL_CLASSES, "checked_km": table["checked_km"].sum(), "meeting_km": table["meeting_km"].sum()}
    table = pd.concat([table, by_class, pd.DataFrame([total])], ignore_index=True)
    table = table.astype({"checked_km": "float64", "meeting_km": "float64"})
    table["meeting_share"] = _share(table["meeting_km"], table["checked_km"])
    return table


# --------------------------------------------------------------------------- signs


def sign_figures(city: City) -> pd.DataFrame:
    """Signs in use by district: bilingual (``text_en`` not empty), bilingual share, damaged, missing.

    Returns
    -------
    DataFrame with columns ``district, signs, bilingual, bilingual_share, damaged, missing``.
    """
    signs = _in_use(city["signs"])
    en = signs["text_en"].astype("string").str.strip()
    frame = pd.DataFrame(
        {
            "district": _filled(signs["district"]),
            "signs": 1,
            "bilingual": (en.notna() & (en != "")).fillna(False).astype(bool),
            "damaged": signs["condition"].eq("damaged").fillna(False).astype(bool),
            "missing": signs["condition"].eq("missing").fillna(False).astype(bool),
        }
    )
    order = _order(district_names(city), frame["district"])
    table = _count_table(frame, order, ["signs", "bilingual", "damaged", "missing"])
    table.insert(3, "bilingual_share", _share(table["bilingual"], table["signs"]))
    return table


# --------------------------------------------------------------------------- every layer, district by district

#: layers the comparison only counts (in use, by district)
_PLAIN = ("stops", "docks", "billboards")
#: street reports not yet fixed (待处理 open, 已派遣 assigned): what the comparison counts of that layer
UNFIXED = ("open", "assigned")


def toilet_grades() -> list[str]:
    """The toilets' grades of the layer model, best first (AAA, AA, A), the ungraded (``none``) last."""
    grade = LAYERS["toilets"].field("grade")
    grades = list(grade.allowed) if grade is not None else []
    return [*reversed([g for g in grades if g != "none"]), *[g for g in grades if g == "none"]]


def _comparison_layers() -> dict[str, tuple[str, ...]]:
    """Layer -> the columns of :func:`district_comparison` it gives (declared once, here)."""
    grades = tuple(c for g in toilet_grades() for c in (f"toilets_{g}", f"toilets_{g}_per_km2"))
    return {
        "toilets": ("toilets", "toilets_per_km2", *grades),
        "signs": ("signs", "bilingual", "bilingual_share"),
        "lamps": ("lamps", "working", "working_share"),
        "stops": ("stops", "stops_per_km2"),
        "docks": ("docks",),
        "billboards": ("billboards",),
        "reports": ("reports_open",),
    }


#: layer -> its columns in :func:`district_comparison`, in the table's order
COMPARISON_LAYERS: dict[str, tuple[str, ...]] = _comparison_layers()


def district_areas(city: City) -> pd.Series:
    """Each district's area in km²: its district zones merged, measured in the city's metric CRS.

    Indexed by :func:`district_names`, then :data:`CITY` (every district zone merged); NaN for a city
    with no district zone.
    """
    zones = city.metric("zones")
    d = zones[(zones["zone_type"] == "district").fillna(False).to_numpy(dtype=bool)]
    names = d["district"].astype("object").where(d["district"].notna(), d["name"].astype("object")).to_numpy()
    geoms = d.geometry.to_numpy()
    area = {n: float(shapely.union_all(geoms[names == n]).area) / 1e6 for n in district_names(city)}
    area[CITY] = float(shapely.union_all(geoms).area) / 1e6 if len(d) else np.nan
    return pd.Series(area, dtype="float64")


def district_comparison(city: City) -> pd.DataFrame:
    """Every layer side by side, one row per district: the figures planners and leaders compare.

    Counts are of the features in use (status not planned/closed), by their ``district`` field; street
    reports count those not yet fixed (:data:`UNFIXED`). Rows: the districts in the module's order, then
    the :data:`CITY` total (its area: every district zone merged).

    Returns
    -------
    DataFrame with columns ``district, area_km2`` and those of :data:`COMPARISON_LAYERS`: ``toilets``,
    ``toilets_per_km2`` and per grade (:func:`toilet_grades`) ``toilets_<grade>``,
    ``toilets_<grade>_per_km2``; ``signs, bilingual, bilingual_share`` (as :func:`sign_figures`);
    ``lamps, working, working_share`` (as :func:`lamp_figures`); ``stops, stops_per_km2``; ``docks``;
    ``billboards``; ``reports_open``. Counts are ``Int64``, the rest ``float64``. A figure that cannot be
    computed is missing (NA / NaN), never 0: every column of a layer with no record at all; a share
    in a district with none of the layer in use; a density where the district has no zone (no area).
    """
    grades = toilet_grades()
    toilets, reports = _in_use(city["toilets"]), city["reports"]
    counted = {
        "toilets": pd.DataFrame(
            {
                "district": _filled(toilets["district"]),
                "toilets": 1,
                **{f"toilets_{g}": toilets["grade"].eq(g).fillna(False).astype(bool) for g in grades},
            }
        ),
        **{layer: pd.DataFrame({"district": _filled(_in_use(city[layer])["district"]), layer: 1}) for layer in _PLAIN},
        "reports": pd.DataFrame(
            {"district": _filled(reports["district"]), "reports_open": reports["status"].isin(UNFIXED).fillna(False).astype(bool)}
        ),
    }
    lamps, signs = lamp_figures(city).set_index("district"), sign_figures(city).set_index("district")
    present = [d for f in counted.values() for d in f["district"]] + [d for d in [*lamps.index, *signs.index] if d != CITY]
    order = _order(district_names(city), present)
    rows = [*order, CITY]
    table = pd.DataFrame({"district": rows, "area_km2": district_areas(city).reindex(rows).to_numpy(dtype=float)})
    area = table["area_km2"].where(table["area_km2"] > 0)
    for frame in counted.values():
        counts = [c for c in frame.columns if c != "district"]
        table[counts] = _count_table(frame, order, counts)[counts].to_numpy()
    for figures, pair in ((signs, ["signs", "bilingual"]), (lamps, ["lamps", "working"])):
        table[pair] = figures[pair].reindex(rows, fill_value=0).to_numpy(dtype="int64")
    table["bilingual_share"] = _share(table["bilingual"], table["signs"])
    table["working_share"] = _share(table["working"], table["lamps"])
    for count in ("toilets", *(f"toilets_{g}" for g in grades), "stops"):
        table[f"{count}_per_km2"] = _share(table[count], area)
    columns = [c for cols in COMPARISON_LAYERS.values() for c in cols]
    table = table[["district", "area_km2", *columns]]
    table = table.astype({c: "float64" if c.endswith(("_share", "_per_km2")) else "Int64" for c in columns})
    for layer, own in COMPARISON_LAYERS.items():
        if not len(city[layer]):  # nothing recorded: no figure at all, not zeros
            table[list(own)] = table[list(own)].mask(np.ones((len(table), len(own)), dtype=bool))
    return table


# --------------------------------------------------------------------------- rules and gaps


def gap_districts(result: Result, city: City | None = None) -> pd.Series:
    """Each gap's district: the one the check gave it (its feature's); for a gap with none (e.g. an
    intersection) and a ``city``, the district zone containing the gap's representative point; else
    :data:`UNSPECIFIED`.
    """
    district = _filled(result.gaps["district"])
    if city is None or not len(result.gaps):
        return district
    zones = city["zones"]
    zones = zones[(zones["zone_type"] == "district").fillna(False).to_numpy(dtype=bool)]
    names = zones["district"].astype("object").where(zones["district"].notna(), zones["name"].astype("object"))
    todo = np.flatnonzero((district == UNSPECIFIED).to_numpy())
    if not len(todo) or not len(zones):
        return district
    points = shapely.point_on_surface(result.gaps.geometry.to_numpy()[todo])
    found = district.to_numpy(copy=True)
    for name, zone in zip(names, zones.geometry, strict=True):
        if not isinstance(name, str) or not name.strip() or zone is None:
            continue
        inside = shapely.covers(zone, points) & (found[todo] == UNSPECIFIED)
        found[todo[inside]] = name
    return pd.Series(found, index=district.index, dtype="object")


def rules_to_improve(result: Result) -> pd.DataFrame:
    """Every rule, those losing the most points first; rules not assessed (合理缺项 not applicable, 无数据 no data) last.

    Returns
    -------
    DataFrame with columns ``rule, title_zh, title_en, kind, share, threshold, passed, points, weight,
    points_missing, gain, gaps``: ``points_missing`` = weight − points (NaN when not applicable);
    ``gain`` = how much the total (out of ``max_points``) would rise if the rule were fully met, i.e.
    points_missing × max_points / Σ applicable weights; ``gaps`` = the rule's gap count.
    Ties keep the rules file's order.
    """
    s = result.summary
    applicable = s["points"].notna()
    weight = float(s.loc[applicable, "weight"].sum())
    out = s[["rule", "title_zh", "title_en", "kind", "share", "threshold", "passed", "points", "weight"]].copy()
    out["points_missing"] = (s["weight"] - s["points"]).round(2) + 0.0  # + 0.0: never -0.0
    out["gain"] = (out["points_missing"] * result.max_points / weight).round(2) + 0.0 if weight else np.nan
    counts = result.gaps["rule"].value_counts()
    out["gaps"] = out["rule"].map(counts).fillna(0).astype("int64")
    out["_na"] = ~applicable
    out["_pos"] = range(len(out))
    out = out.sort_values(["_na", "points_missing", "_pos"], ascending=[True, False, True], na_position="last")
    return out.drop(columns=["_na", "_pos"]).reset_index(drop=True)


def gap_counts(result: Result, by: Literal["district", "unit"] = "district", city: City | None = None) -> pd.DataFrame:
    """Gap counts by rule × district, or by responsible unit (责任单位).

    A gap's district is given by :func:`gap_districts`; its unit is the one the check gave it (the
    target feature's, or for a road stretch the road's first segment's); empty ones are :data:`UNSPECIFIED`.

    Parameters
    ----------
    by : ``"district"``: one row per rule (every rule, in the rules file's order; columns ``rule,
        title_zh, title_en``, one column per district, ``total``) and a final row ``rule`` =
        :data:`CITY` with the column sums. ``"unit"``: one row per unit, most gaps first (columns
        ``unit, gaps, rules`` — the rule ids with their counts, e.g. ``"signs_condition 3, dock_sign 1"``)
        and a final :data:`CITY` row.
    city : gives the district order (:func:`district_names`) and columns for districts with no gap;
        without it the districts with gaps are sorted by name.
    """
    gaps = result.gaps
    if by == "district":
        district = gap_districts(result, city)
        order = _order(district_names(city) if city is not None else [], district)
        counts = pd.crosstab(gaps["rule"], district) if len(gaps) else pd.DataFrame()
        table = counts.reindex(index=result.summary["rule"], columns=order, fill_value=0).fillna(0).astype("int64")
        table["total"] = table.sum(axis=1)
        table = table.rename_axis(index="rule", columns=None).reset_index()
        table.insert(1, "title_zh", result.summary["title_zh"].to_numpy())
        table.insert(2, "title_en", result.summary["title_en"].to_numpy())
        sums = table[[*order, "total"]].sum()
        total = pd.DataFrame([{"rule": CITY, "title_zh": "全部规则", "title_en": "All rules", **sums.to_dict()}])
        return pd.concat([table, total], ignore_index=True)
    if by == "unit":
        unit = _filled(gaps["unit"])
        position = {r: i for i, r in enumerate(result.summary["rule"])}
        rows = []
        for u, rules in pd.DataFrame({"unit": unit, "rule": gaps["rule"]}).groupby("unit")["rule"]:
            per_rule = rules.value_counts(sort=False)
            ranked = sorted(per_rule.items(), key=lambda kv: (-kv[1], position[kv[0]]))
            rows.append({"unit": u, "gaps": len(rules), "rules": ", ".join(f"{r} {n}" for r, n in ranked)})
        table = pd.DataFrame(rows, columns=["unit", "gaps", "rules"])
        table = table.sort_values(["gaps", "unit"], ascending=[False, True]).reset_index(drop=True)
        total = pd.DataFrame([{"unit": CITY, "gaps": int(table["gaps"].sum()), "rules": ""}])
        out = pd.concat([table, total], ignore_index=True)
        out["gaps"] = out["gaps"].astype("int64")
        return out
    raise ValueError(f"by should be 'district' or 'unit', got {by!r}")


__all__ = [
    "ALL_CLASSES",
    "CITY",
    "COMPARISON_LAYERS",
    "UNFIXED",
    "UNSPECIFIED",
    "dark_road_km",
    "district_areas",
    "district_comparison",
    "district_names",
    "gap_counts",
    "gap_districts",
    "lamp_figures",
    "lamp_gap_rules",
    "rules_to_improve",
    "sign_figures",
    "toilet_grades",
]
