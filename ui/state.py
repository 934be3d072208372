"""What every page shares: the language, the chosen city, who is signed in (:mod:`ui.auth`), and the cached
loading and checking.

The cities are those of the store's database (``FACILITIES_DB``; by default the SQLite file in the data
folder, created on first start). A city folder of the data folder that the database does not hold yet is
loaded into it on first start; one with errors is not, and its report is shown until its files are fixed.

Streamlit cannot hash a GeoDataFrame, so the caches are keyed on the database, the city's key and its
**revision**, passed as ordinary (hashed) arguments: every save — in the app, from the command line, or by a
GIS user editing the tables — makes a new revision, so the next rerun loads and checks the city again (only
the rules reading a changed layer run again), and nothing else does. The check date is explicit: the
sidebar's date picker, by default ``FACILITIES_AS_OF``, else the rules file's ``as_of``, else today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from facilities import City, ValidationReport, settings, stats, store
from facilities.auth import SETUP, accounts, scope_unit
from facilities.auth.scope import unit_city, visible_city
from facilities.check import Result, check, illuminance_stretches
from facilities.errors import StoreError
from facilities.query import filter_gaps, select_gaps
from facilities.rules import RulesError, city_rules
from facilities.words import ui
from maps import MAP_LAYERS, build_map
from maps.filtering import filter_call, kept
from maps.highlight import mark_gap
from ui import foliummap
from ui.auth import account_box, allowed, signed_in
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
    """Names, sizes and modification times of a folder's files (the key of a folder's validation)."""
    return tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file())


@st.cache_resource(show_spinner="首次启动：正在建立数据库 First start: loading the city into the database…", max_entries=64)
def _seed(database: str, folder: str, key: tuple) -> ValidationReport | None:
    """Load a city folder that is not in the database yet (once per version of its files, ``key``): see
    :func:`seed_folder`."""
    return seed_folder(database, folder)


def seed_folder(database: str, folder: str) -> ValidationReport | None:
    """Load a city folder that is not in the database yet, with the demo accounts of a demo city; its report
    when it has errors (then nothing is loaded, and it is tried again once its files change). (Also run by
    the first start's background thread, :mod:`ui.startup`.)"""
    try:
        result, report = store.load_folder(folder, store.DbCity(Path(folder).name, database), user=SETUP)
    except StoreError:
        if Path(folder).name in {c.key for c in store.cities(database)}:
            return None  # another process loaded it meanwhile
        raise
    if report.ok and result.written:
        accounts.ensure_demo_accounts(folder, database)  # a demo city's accounts.toml (none in a real city)
        return None
    return report


def _choices() -> tuple[list[str], dict[str, ValidationReport]]:
    """The cities to pick from: every city in the database (``db:<key>``), after loading into it the city
    folders of the data directory it does not hold yet; and the folders that could not be loaded (their
    path -> report), which the pages show as reports."""
    database = settings.database_url()
    stored = {c.key for c in store.cities(database)}
    broken: dict[str, ValidationReport] = {}
    for folder in city_folders():
        if folder.name in stored:
            continue
        report = _seed(database, str(folder), fingerprint(folder))
        if report is None:
            stored.add(folder.name)
        else:
            broken[str(folder)] = report
    return [f"{store.DB_PREFIX}{k}" for k in sorted(stored)] + sorted(broken), broken


@st.cache_resource(show_spinner="正在加载 Loading…", max_entries=8)
def load(database: str, key: str, revision: int) -> City:
    """City ``key`` of the database, loaded once per revision (a save anywhere makes a new revision)."""
    return store.load(store.DbCity(key, database))


_last: dict[tuple[str, str, dt.date], tuple[int, Result]] = {}


@st.cache_resource(show_spinner="正在核查 Checking…", max_entries=8)
def checked(database: str, key: str, revision: int, as_of: dt.date) -> Result | ValidationReport | None:
    """The check of the city's rules: a Result, the rules file's report when it is invalid, or None.

    After a save only the rules that read a changed layer run again (the others are taken from the check
    of the previous revision, when there is one of the same date in this process).
    """
    city = load(database, key, revision)
    try:
        rules = city_rules(city)
    except RulesError as exc:
        return exc.report
    if rules is None:
        return None
    previous = _last.get((database, key, as_of))
    changed = None
    if previous is not None and previous[0] < revision:
        changed = store.changed_layers(store.DbCity(key, database), previous[0])
    result = check(city, rules, as_of=as_of, previous=previous[1] if changed is not None and previous else None, changed=changed)
    _last[(database, key, as_of)] = (revision, result)
    return result


@st.cache_resource(show_spinner="正在估算照度 Estimating illuminance…", max_entries=16)
def illuminance(database: str, key: str, revision: int, as_of: dt.date) -> dict[str, gpd.GeoDataFrame]:
    """The illuminance estimate of every illuminance rule of the city's check (rule id -> its stretches, WGS84)."""
    result = checked(database, key, revision, as_of)
    if not isinstance(result, Result):
        return {}
    city = load(database, key, revision)
    return {r.id: illuminance_stretches(city, r, as_of) for r in result.rules or () if r.kind == "illuminance"}


@st.cache_resource(show_spinner=False, max_entries=8)
def _district_comparison(database: str, key: str, revision: int, unit: str | None) -> pd.DataFrame:
    return stats.district_comparison(unit_city(load(database, key, revision), unit))


def district_comparison() -> pd.DataFrame:
    """:func:`facilities.stats.district_comparison` of the chosen city as the user sees it, once per revision
    (not on every rerun of the page: choosing the figure to chart reruns it). Read only."""
    database, key, revision = current_key()
    return _district_comparison(database, key, revision, own_unit())


@st.cache_resource(show_spinner="正在绘制地图 Drawing the map…", max_entries=24)
def _city_map(
    database: str,
    key: str,
    revision: int,
    as_of: dt.date,
    layers: tuple,
    basemap: str,
    language: str,
    gaps: bool,
    view: str,
    returned: tuple,
    unit: str | None,
    gap_select: tuple,
    picked: str | None,
) -> dict:
    city = unit_city(load(database, key, revision), unit)
    result = checked(database, key, revision, as_of) if gaps else None
    result = result if isinstance(result, Result) else None
    if gap_select and result is not None:  # the gaps page: only the gaps it lists
        result = dataclasses.replace(result, gaps=select_gaps(result.gaps, **dict(gap_select)))
    # in the app the legend starts folded: the map is smaller than a full page
    lux = illuminance(database, key, revision, as_of) if result is not None else None
    m = build_map(
        city, result, list(layers), basemap=basemap, lang=language, remember_view=view or None, legend_open=False, illuminance=lux
    )
    if picked and result is not None:  # the gap picked in a list, marked above every layer
        mark_gap(m, result, picked, basemap, language)
    return foliummap.prepare(m, returned)


#: what the map page's map sends back: clicks only (panning and zooming do not rerun the app)
MAP_PAGE_RETURNED = ("last_object_clicked",)


def _map_args(
    database: str,
    key: str,
    revision: int,
    as_of: dt.date,
    layers: list[str] | tuple[str, ...],
    basemap: str,
    language: str,
    gaps: bool,
    remember_view: bool,
    returned: tuple,
    unit: str | None,
    gap_select: dict | None,
    picked: str | None,
) -> tuple:
    """The arguments of :func:`_city_map` (its cache key) for a map: one way to spell them, for the pages
    (:func:`city_map`) and for the first start's warm-up (:func:`warm_map`)."""
    view = f"{key}:{basemap}" if remember_view else ""
    chosen = tuple(sorted((k, tuple(sorted(v))) for k, v in (gap_select or {}).items() if v is not None))
    return database, key, revision, as_of, tuple(layers), basemap, language, gaps, view, tuple(returned), unit, chosen, picked


def city_map(
    layers: list[str],
    basemap: str,
    gaps: bool = True,
    remember_view: bool = False,
    returned: tuple = (),
    gap_select: dict | None = None,
    picked: str | None = None,
) -> dict:
    """The chosen city's map, prepared for :func:`ui.foliummap.show` (built and rendered once, then cached).

    With ``remember_view`` the browser keeps the view across redraws; ``returned``: what the map sends back
    on click (e.g. ``("last_object_clicked",)``). ``gap_select``: only the gaps of these rules, districts
    and units are drawn (:func:`facilities.query.select_gaps`'s arguments); ``picked``: the gap id marked on
    the map (:func:`maps.highlight.mark_gap`).
    """
    database, key, revision = current_key()
    gaps = gaps and allowed("read_all")  # a unit's user sees its own facilities, not the city's gaps
    unit = own_unit()
    return _city_map(
        *_map_args(database, key, revision, as_of(), layers, basemap, lang(), gaps, remember_view, returned, unit, gap_select, picked)
    )


def filtered_map(
    city: City, shown: City | None, layers: list[str], basemap: str, districts: list[str] | None = None, gaps: bool = True
) -> tuple[dict, str]:
    """The map page's map and what its filters keep: (the whole city's map, prepared and cached once per city,
    basemap and language; the JavaScript that shows only the chosen ``layers``, the features the filters
    kept and their gaps, unless ``gaps`` is off). ``city`` is the city as the user sees it
    (:func:`current_city`), ``shown`` what the filters kept of it (:func:`facilities.query.filter_city`; None:
    no filter), ``districts`` the districts chosen. A filter change then costs the server no map and the
    browser no redraw (:mod:`maps.filtering`)."""
    prepared = city_map(list(MAP_LAYERS), basemap, gaps=True, remember_view=True, returned=MAP_PAGE_RETURNED)
    kept_layers = {n: (shown[n] if shown is not None else None) for n in layers if n in MAP_LAYERS}
    result = checked(*current_key(), as_of()) if gaps and allowed("read_all") else None
    gap_rows = None
    if not isinstance(result, Result):
        gap_rows = pd.DataFrame({"gap_id": []})
    elif shown is not None:
        gap_rows = filter_gaps(result.gaps, shown, districts)
    drawn = {n: city[n] for n in MAP_LAYERS if len(city[n])}
    return prepared, filter_call(kept(drawn, kept_layers, gap_rows))


def warm_map(database: str, key: str, revision: int, as_of: dt.date, basemap: str) -> None:
    """Draw into the cache the map page's first map (every layer, gaps, Chinese, the view kept, clicks
    returned): what :func:`filtered_map` asks for on that page's first run by staff, leaders and viewers
    (called by the first start's background thread, :mod:`ui.startup`)."""
    _city_map(*_map_args(database, key, revision, as_of, MAP_LAYERS, basemap, "zh", True, True, MAP_PAGE_RETURNED, None, None, None))


def city_check_date(city: City, fixed: dt.date | None) -> dt.date:
    """The check date a page starts at for ``city``: ``fixed`` (``FACILITIES_AS_OF``), else its rules file's
    ``as_of``, else today (a rules file with errors gives no date: its report is shown elsewhere)."""
    try:
        rules = city_rules(city)
    except RulesError:
        rules = None
    return settings.check_date(fixed, rules.as_of if rules else None)


def fixed_as_of() -> dt.date | None:
    """``FACILITIES_AS_OF``, or None; when it is not a date, says so in the sidebar (on every run) and gives None."""
    try:
        return settings.as_of_setting()
    except settings.SettingError as exc:
        st.sidebar.error(str(exc))
        return None


def default_as_of(fixed: dt.date | None) -> dt.date:
    """The date the picker starts at: ``fixed`` (``FACILITIES_AS_OF``), else the rules file's ``as_of``, else today."""
    if chosen_key() is None:
        return settings.check_date(fixed, None)
    return city_check_date(load(*current_key()), fixed)


def as_of() -> dt.date:
    """The check date chosen in the sidebar."""
    return st.session_state["as_of"]


def chosen_key() -> str | None:
    """The chosen city's key in the database (None when the choice is a folder that could not be loaded)."""
    choice = st.session_state["city_folder"]
    return choice[len(store.DB_PREFIX) :] if choice.startswith(store.DB_PREFIX) else None


def current_key() -> tuple[str, str, int]:
    """The database, the chosen city's key and its revision now (the cache key: a save changes it)."""
    database = settings.database_url()
    key = chosen_key()
    if key is None:
        show_report(_choices()[1][st.session_state["city_folder"]], t("invalid"))
        st.stop()
    revision = store.revision(store.DbCity(key, database))
    if revision is None:  # deleted meanwhile
        st.error(t("no_city"))
        st.stop()
    return database, key, revision


def current_source() -> store.DbCity:
    """The chosen city, as the store names it (for saving edits)."""
    database, key, _ = current_key()
    return store.DbCity(key, database)


def own_unit() -> str | None:
    """The unit the signed-in user's reads are limited to (a responsible unit's user), or None."""
    user = signed_in()
    return scope_unit(user) if user is not None else None


def page_title(page: str, city: City) -> None:
    """The page's title: its name and the city's (data: shown literally, never as Markdown)."""
    st.title(f"{t(page)} · {md(city.config.name)} {md(city.config.name_en)}")


def show_report(report: ValidationReport, message: str) -> None:
    """Show `message` as an error with the report's problems as a table below it."""
    st.error(message)
    st.dataframe(report.to_frame(), hide_index=True)


def current_city() -> City:
    """The chosen city as the signed-in user may see it (a unit's user: its own facilities), loaded; on
    errors the page shows the report (what, where, how to fix) and stops."""
    return visible_city(load(*current_key()), signed_in())


def current_result(required: bool = True) -> Result | None:
    """The check of the chosen city; shows why when there is none (and stops if ``required``)."""
    database, key, revision = current_key()
    result = checked(database, key, revision, as_of())
    if isinstance(result, Result):
        return result
    if isinstance(result, ValidationReport):
        show_report(result, t("rules_invalid"))
    else:
        st.info(t("no_rules"))
    if required:
        st.stop()
    return None


def seed() -> None:
    """Bring the store up to date before anyone signs in: the database created and migrated, the city
    folders it does not hold yet loaded (with a demo city's accounts). Shows nothing from the cities."""
    try:
        _choices()
    except (StoreError, settings.SettingError) as exc:
        st.error(f"{t('no_store')}: {exc}")
        st.stop()


def sidebar() -> bool:
    """Who is signed in, the language and city pickers; False when there is no city to show."""
    with st.sidebar:
        # bound to the address (?lang=English): a reload, a bookmark or a shared link keeps the language
        st.radio(t("lang"), ["zh", "en"], format_func=lambda x: "中文" if x == "zh" else "English", key="lang", horizontal=True,
                 bind="query-params")  # fmt: skip
        account_box()  # (after the language: its words follow the choice made on this run)
        try:
            choices, _ = _choices()
        except (StoreError, settings.SettingError) as exc:
            st.error(f"{t('no_store')}: {exc}")
            return False
        if not choices:
            st.error(t("no_city"))
            return False
        if st.session_state.get("city_folder") not in choices:
            demo = f"{store.DB_PREFIX}{settings.DEMO_CITY.name}"
            st.session_state["city_folder"] = demo if demo in choices else choices[0]
        st.selectbox(
            t("city"),
            choices,
            key="city_folder",
            format_func=lambda p: p.removeprefix(store.DB_PREFIX) if p.startswith(store.DB_PREFIX) else f"{Path(p).name} ⚠",
        )
        fixed = fixed_as_of()
        if "as_of" not in st.session_state:
            st.session_state["as_of"] = default_as_of(fixed)
        st.date_input(t("as_of"), key="as_of", help=t("as_of_help"), format="YYYY-MM-DD")
    return True
