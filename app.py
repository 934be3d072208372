"""Streamlit app: the city's facility layers on a map (旅游城市设施地图).

Run with ``make run``. Pages hold widgets and layout only; data comes from ``facilities`` and maps
from ``maps``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from facilities import City, CityValidationError, ValidationReport, load_city, settings
from facilities.check import Result, check
from facilities.rules import RULES_FILE, RulesError, load_rules
from facilities.schema import ALL_LAYERS
from maps import BASEMAPS, MAP_LAYERS, build_map
from maps.basemaps import available

TEXT = {
    "title": {"zh": "旅游城市设施地图", "en": "Tourist-city facility map"},
    "city": {"zh": "城市", "en": "City"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "layers": {"zh": "图层", "en": "Layers"},
    "lang": {"zh": "语言 Language", "en": "Language 语言"},
    "counts": {"zh": "各图层要素数量", "en": "Features per layer"},
    "invalid": {
        "zh": "该城市的数据有错误，未加载。请按下表逐条修正后刷新页面。",
        "en": "This city's files have errors and were not loaded. Fix each problem below, then reload.",
    },
    "warnings": {"zh": "数据警告", "en": "Data warnings"},
    "no_city": {"zh": "data/ 下没有城市文件夹（需含 city.toml）。", "en": "No city folder (with a city.toml) under data/."},
    "basemap_none": {"zh": "无底图（离线）", "en": "None (offline)"},
}
BASEMAP_LABEL = {
    "none": TEXT["basemap_none"],
    "osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "cartodb": {"zh": "CartoDB 浅色", "en": "CartoDB light"},
}


def t(key: str) -> str:
    return TEXT[key][st.session_state.get("lang", "zh")]


def city_folders() -> list[Path]:
    return sorted(p for p in settings.DATA_DIR.iterdir() if (p / "city.toml").is_file())


def fingerprint(folder: Path) -> tuple:
    """Names, sizes and modification times of a city's files: the cache key (GeoDataFrames cannot be hashed)."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file())


@st.cache_resource(show_spinner="Loading city 正在加载…", max_entries=8)
def load(folder: str, _fingerprint: tuple) -> City | ValidationReport:
    try:
        return load_city(folder)
    except CityValidationError as exc:
        return exc.report


@st.cache_resource(show_spinner="Checking rules 正在核查…", max_entries=8)
def checked(folder: str, _fingerprint: tuple) -> Result | None:
    """The check of the city's own rules.toml (None when it has none or it is invalid)."""
    city = load(folder, _fingerprint)
    path = Path(folder) / RULES_FILE
    if isinstance(city, ValidationReport) or not path.is_file():
        return None
    try:
        return check(city, load_rules(path))
    except RulesError:
        return None


@st.cache_resource(show_spinner="Drawing map 正在绘制地图…", max_entries=16)
def city_map(folder: str, _fingerprint: tuple, layers: tuple[str, ...], basemap: str, lang: str):
    city = load(folder, _fingerprint)
    return build_map(city, checked(folder, _fingerprint), list(layers), basemap=basemap, lang=lang)


def show_report(report: ValidationReport) -> None:
    st.error(t("invalid"))
    st.dataframe(report.to_frame(), hide_index=True)


def main() -> None:
    st.set_page_config(page_title="旅游城市设施地图 Tourist-city facilities", page_icon="🗺️", layout="wide")
    st.session_state.setdefault("lang", "zh")
    with st.sidebar:
        st.radio(t("lang"), ["zh", "en"], format_func=lambda x: "中文" if x == "zh" else "English", key="lang", horizontal=True)
        lang = st.session_state["lang"]
        folders = city_folders()
        if not folders:
            st.error(t("no_city"))
            return
        default = folders.index(settings.DEMO_CITY) if settings.DEMO_CITY in folders else 0
        folder = st.selectbox(t("city"), folders, index=default, format_func=lambda p: p.name)
        basemap = st.selectbox(
            t("basemap"), available(), format_func=lambda b: BASEMAPS[b].label_zh if lang == "zh" else BASEMAPS[b].label_en
        )
        layer_names = list(MAP_LAYERS)
        title = (lambda n: f"{ALL_LAYERS[n].title_zh}") if lang == "zh" else (lambda n: ALL_LAYERS[n].title_en)
        layers = st.multiselect(t("layers"), layer_names, default=layer_names, format_func=title)

    key = fingerprint(folder)
    city = load(str(folder), key)
    if isinstance(city, ValidationReport):
        st.title(t("title"))
        show_report(city)
        return
    st.title(f"{t('title')} · {city.config.name} {city.config.name_en}")
    # folium elements render once: give st_folium a copy, keep the cached map pristine
    m = copy.deepcopy(city_map(str(folder), key, tuple(layers), basemap, lang))
    st_folium(m, height=640, use_container_width=True, returned_objects=[], key="city_map")
    with st.expander(t("counts"), expanded=False):
        st.dataframe(city.report.counts_frame(), hide_index=True)
    if city.report.warnings:
        with st.expander(f"{t('warnings')} ({len(city.report.warnings)})"):
            st.dataframe(city.report.to_frame(), hide_index=True)


main()
