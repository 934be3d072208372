"""The map of rectification tasks: one marker per task at its gap, coloured by state, ringed when overdue
(no Streamlit). Text from data is escaped (:func:`maps.city_map.features` / :mod:`maps.escape`).
"""

from __future__ import annotations

import datetime as dt

import folium
import geopandas as gpd
import pandas as pd

from facilities import City
from facilities.tasks import flow
from facilities.words import LANGS, pick
from maps.assets import APP_STATIC_URL, localize
from maps.basemaps import display_shift, resolve
from maps.city_map import background, features
from maps.style import STATE_COLORS

OVERDUE_COLOR = "#c0392b"
FIELDS = ["id", "state_label", "unit", "due", "title", "detail", "overdue_label"]
_LABELS = {
    "id": ("任务", "Task"),
    "state_label": ("状态", "State"),
    "unit": ("责任单位", "Unit"),
    "due": ("期限", "Due"),
    "title": ("规则", "Rule"),
    "detail": ("缺口", "Gap"),
    "overdue_label": ("逾期", "Overdue"),
}


def task_points(frame: pd.DataFrame, as_of: dt.date, lang: str = "zh") -> gpd.GeoDataFrame:
    """Tasks as points (WGS84) with the text their markers show."""
    ok = frame["lon"].notna() & frame["lat"].notna()
    f = frame[ok]
    overdue = [flow.is_overdue(s, d, as_of) for s, d in zip(f["state"], f["due"], strict=True)]
    return gpd.GeoDataFrame(
        {
            "id": f["id"].astype(int).to_numpy(),
            "state": f["state"].to_numpy(),
            "state_label": [pick(flow.STATES[s], lang) for s in f["state"]],
            "unit": f["unit"].fillna("—").to_numpy(),
            "due": [d.isoformat() if isinstance(d, dt.date) else "" for d in f["due"]],
            "title": (f["title_zh"] if lang == "zh" else f["title_en"]).to_numpy(),
            "detail": f["detail"].fillna("").to_numpy(),
            "overdue": overdue,
            "overdue_label": [("⚠ " + pick(("逾期", "overdue"), lang)) if o else "" for o in overdue],
        },
        geometry=gpd.points_from_xy(f["lon"], f["lat"]),
        crs=4326,
    )


def tasks_map(
    city: City, frame: pd.DataFrame, as_of: dt.date, basemap: str = "none", lang: str = "zh", focus: int | None = None,
    asset_url: str = APP_STATIC_URL,
) -> folium.Map:  # fmt: skip
    """The city's background and one marker per task of ``frame`` (rows of :func:`facilities.tasks.queries.tasks`);
    ``focus``: a task drawn larger (the map is centred on it by the page)."""
    if lang not in LANGS:
        raise ValueError(f"lang should be one of {', '.join(LANGS)}, got {lang!r}")
    b, urls = resolve(basemap)
    cfg = city.config
    m = folium.Map(location=[cfg.center_lat, cfg.center_lon], zoom_start=cfg.zoom, tiles=None, prefer_canvas=True, control_scale=True)
    for url in urls:
        folium.TileLayer(tiles=url, attr=b.attr, name=b.label_en, subdomains=b.subdomains, control=False, max_zoom=19).add_to(m)
    for lyr in background(city, b, lang):
        lyr.add_to(m)
    points = display_shift(task_points(frame, as_of, lang), b)
    aliases = [pick(_LABELS[f], lang) for f in FIELDS]
    for state, group in points.groupby("state", sort=False):
        color = STATE_COLORS[state]
        name = f"{pick(flow.STATES[state], lang)} ({len(group)})"
        folium.GeoJson(
            features(group, [*FIELDS, "overdue"]),
            name=name,
            marker=folium.CircleMarker(radius=8, fill=True, fill_opacity=0.9, weight=2),
            style_function=lambda f, color=color: {
                "color": OVERDUE_COLOR if f["properties"].get("overdue") == "✓" else "#ffffff",
                "weight": 4 if f["properties"].get("overdue") == "✓" else 2,
                "fillColor": color,
                "radius": 12 if f["properties"].get("id") == focus else 8,
            },
            tooltip=folium.GeoJsonTooltip(fields=FIELDS, aliases=aliases, sticky=False),
            popup=folium.GeoJsonPopup(fields=FIELDS, aliases=aliases, max_width=360),
        ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return localize(m, asset_url)


__all__ = ["FIELDS", "task_points", "tasks_map"]
