"""What every page shares: the language, the chosen city, and the cached loading and checking.

Streamlit cannot hash a GeoDataFrame, so the caches are keyed on the city folder and a fingerprint of its
files (names, sizes, modification times), passed as an ordinary (hashed) argument: editing a file reloads the
city, nothing else does. (Streamlit does not hash arguments whose names start with ``_``.) The check date is
explicit: the sidebar's date picker, by default ``FACILITIES_AS_OF``, else the rules file's ``as_of``, else today.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from facilities import City, CityValidationError, ValidationReport, settings, store
from facilities.check import Result, check
from facilities.query import filter_city
from facilities.rules import RULES_FILE, RulesError, load_rules
from facilities.words import ui
from maps import build_map
from ui import foliummap
from ui.safe import md


def lang() -> str:
    """The language chosen in the sidebar: ``"zh"`` (the default) or ``"en"``."""
    return st.session_state.get("lang", "zh")


def t(key: str) -> str:
    """The interface text for `key` in the chosen language."""
    return ui(key, lang())


def city_folders() -> list[Path]:
    """The city folders (those with a ``city.toml``) in the data directory, sorted; none when it is missing."""
    if not settings.DATA_DIR.is_dir():
        return []
    return sorted(p for p in settings.DATA_DIR.iterdir() if (p / "city.toml").is_file())


def fingerprint(folder: Path) -> tuple:
    """Names, sizes and modification times of a city's files: the cache key."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file())


@st.cache_resource(show_spinner="正在加载 Loading…", max_entries=8)
def load(folder: str, key: tuple) -> City | ValidationReport:
    """The city in `folder`, loaded once per fingerprint `key`; its validation report when it has errors."""
    try:
        return store.load(folder)
    except CityValidationError as exc:
        return exc.report


@st.cache_resource(show_spinner="正在核查 Checking…", max_entries=8)
def checked(folder: str, key: tuple, as_of: dt.date) -> Result | ValidationReport | None:
    """The check of the city's rules.toml: a Result, the rules file's report when it is invalid, or None."""
    city = load(folder, key)
    path = Path(folder) / RULES_FILE
    if isinstance(city, ValidationReport) or not path.is_file():
        return None
    try:
        return check(city, load_rules(path), as_of=as_of)
    except RulesError as exc:
        return exc.report


@st.cache_resource(show_spinner="正在绘制地图 Drawing the map…", max_entries=24)
def _city_map(
    folder: str,
    key: tuple,
    as_of: dt.date,
    layers: tuple,
    basemap: str,
    language: str,
    filters: tuple,
    gaps: bool,
    view: str,
    returned: tuple,
) -> dict:
    city = load(folder, key)
    result = checked(folder, key, as_of) if gaps else None
    if filters:
        city = filter_city(city, **dict(filters))
    result = result if isinstance(result, Result) else None
    # in the app the legend starts folded: the map is smaller than a full page
    m = build_map(city, result, list(layers), basemap=basemap, lang=language, remember_view=view or None, legend_open=False)
    return foliummap.prepare(m, returned)


def city_map(
    layers: list[str], basemap: str, filters: dict | None = None, gaps: bool = True, remember_view: bool = False, returned: tuple = ()
) -> dict:
    """The chosen city's map, prepared for :func:`ui.foliummap.show` (built and rendered once, then cached).

    With ``remember_view`` the browser keeps the view, so it survives a filter change; ``returned``: what
    the map sends back on click (e.g. ``("last_object_clicked",)``).
    """
    folder, key = current_key()
    frozen = tuple(sorted((k, tuple(sorted(v))) for k, v in (filters or {}).items() if v is not None))
    view = f"{folder.name}:{basemap}" if remember_view else ""
    return _city_map(str(folder), key, as_of(), tuple(layers), basemap, lang(), frozen, gaps, view, tuple(returned))


@st.cache_data(max_entries=8)
def _rules_as_of(folder: str, key: tuple) -> dt.date | None:
    try:
        return load_rules(Path(folder) / RULES_FILE).as_of
    except RulesError:
        return None


def fixed_as_of() -> dt.date | None:
    """``FACILITIES_AS_OF``, or None; when it is not a date, says so in the sidebar (on every run) and gives None."""
    try:
        return settings.as_of_setting()
    except settings.SettingError as exc:
        st.sidebar.error(str(exc))
        return None


def default_as_of(folder: Path, fixed: dt.date | None) -> dt.date:
    """The date the picker starts at: ``fixed`` (``FACILITIES_AS_OF``), else the rules file's ``as_of``, else today."""
    rules = _rules_as_of(str(folder), fingerprint(folder)) if (folder / RULES_FILE).is_file() else None
    return settings.check_date(fixed, rules)


def as_of() -> dt.date:
    """The check date chosen in the sidebar."""
    return st.session_state["as_of"]


def current_key() -> tuple[Path, tuple]:
    """The chosen city's folder and the fingerprint of its files (the cache key)."""
    folder = Path(st.session_state["city_folder"])
    return folder, fingerprint(folder)


def page_title(page: str, city: City) -> None:
    """The page's title: its name and the city's (data: shown literally, never as Markdown)."""
    st.title(f"{t(page)} · {md(city.config.name)} {md(city.config.name_en)}")


def show_report(report: ValidationReport, message: str) -> None:
    """Show `message` as an error with the report's problems as a table below it."""
    st.error(message)
    st.dataframe(report.to_frame(), hide_index=True)


def current_city() -> City:
    """The chosen city, loaded; on errors the page shows the report (what, where, how to fix) and stops."""
    folder, key = current_key()
    city = load(str(folder), key)
    if isinstance(city, ValidationReport):
        show_report(city, t("invalid"))
        st.stop()
    return city


def current_result(required: bool = True) -> Result | None:
    """The check of the chosen city; shows why when there is none (and stops if ``required``)."""
    folder, key = current_key()
    result = checked(str(folder), key, as_of())
    if isinstance(result, Result):
        return result
    if isinstance(result, ValidationReport):
        show_report(result, t("rules_invalid"))
    else:
        st.info(t("no_rules"))
    if required:
        st.stop()
    return None


def sidebar() -> bool:
    """Language and city pickers; False when there is no city to show."""
    st.session_state.setdefault("lang", "zh")
    with st.sidebar:
        st.radio(t("lang"), ["zh", "en"], format_func=lambda x: "中文" if x == "zh" else "English", key="lang", horizontal=True)
        folders = city_folders()
        if not folders:
            st.error(t("no_city"))
            return False
        if st.session_state.get("city_folder") not in [str(f) for f in folders]:
            st.session_state["city_folder"] = str(settings.DEMO_CITY if settings.DEMO_CITY in folders else folders[0])
        st.selectbox(t("city"), [str(f) for f in folders], key="city_folder", format_func=lambda p: Path(p).name)
        fixed = fixed_as_of()
        if "as_of" not in st.session_state:
            st.session_state["as_of"] = default_as_of(Path(st.session_state["city_folder"]), fixed)
        st.date_input(t("as_of"), key="as_of", help=t("as_of_help"), format="YYYY-MM-DD")
    return True
