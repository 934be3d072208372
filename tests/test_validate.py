"""Validation: every problem class, each message naming file, feature, field and value."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilities import store
from facilities.errors import CityValidationError
from facilities.schema import LAYERS, Field
from facilities.validation import _plainly_valid, check_value
from tests.helpers import EXPECTED, EXPECTED_WARNINGS, ROOT

# (code, file, feature, field, value shown) — one row per problem class planted in tests/data/broken_city


@pytest.fixture(scope="module")
def report():
    return store.validate(Path(__file__).parent / "data" / "broken_city")


@pytest.mark.parametrize(("code", "file", "feature", "field", "value"), EXPECTED, ids=[f"{e[0]}-{e[1]}-{e[3]}" for e in EXPECTED])
def test_each_problem_class_is_reported_precisely(report, code, file, feature, field, value):
    matches = [p for p in report.errors if (p.code, p.file, p.feature, p.field, p.value) == (code, file, feature, field, value)]
    assert len(matches) == 1, f"expected one {code} error in {file} {feature} {field}; got:\n{report.to_text()}"
    problem = matches[0]
    assert problem.message and problem.accepted
    text = problem.to_text()
    for part in (file, feature, field, value):
        if part is not None:
            assert part in text


def _key(row: tuple) -> tuple:
    return tuple(str(x) for x in row)


def test_nothing_else_is_reported(report):
    found = sorted(((p.code, p.file, p.feature, p.field, p.value) for p in report.errors), key=_key)
    assert found == sorted(EXPECTED, key=_key)
    warned = sorted(((p.code, p.file, p.feature, p.field, p.value) for p in report.warnings), key=_key)
    assert warned == sorted(EXPECTED_WARNINGS, key=_key)


def test_specific_messages(report):
    by_code = {p.code: p for p in report.errors}
    assert "looks like GBK/GB18030" in next(p.message for p in report.errors if p.code == "encoding" and p.feature is None)
    assert "swapped" in by_code["swapped"].message
    assert "line 3" in by_code["json"].message
    assert 'did you mean "AAA"' in next(p.message for p in report.errors if p.value == '"AAAA"')
    assert "one of none, A, AA, AAA" in next(p.accepted for p in report.errors if p.value == '"AAAA"')


def test_report_as_data_and_text(report):
    frame = report.to_frame()
    assert list(frame.columns) == ["severity", "code", "file", "feature", "field", "value", "message", "accepted"]
    assert len(frame) == len(EXPECTED) + len(EXPECTED_WARNINGS)
    assert (frame["severity"].iloc[: len(EXPECTED)] == "error").all()
    text = report.to_text()
    assert "INVALID" in text and "ERRORS" in text and "WARNINGS" in text
    assert text.count("\n  - ") == len(EXPECTED) + len(EXPECTED_WARNINGS)
    assert "WARNINGS" not in report.to_text(include_warnings=False)


def test_invalid_city_never_loads(broken_city):
    with pytest.raises(CityValidationError) as info:
        store.load(broken_city)
    assert len(info.value.report.errors) == len(EXPECTED)
    assert "toilets.geojson, feature T12 (#12), field grade" in str(info.value)


def test_text_report_caps_lines_per_kind_but_data_keeps_all(mini_city):
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"L{i}", "status": "existing", "lamp_type": "street", "working": "yes"},
            "geometry": {"type": "Point", "coordinates": [112.1, 32.0]},
        }
        for i in range(30)
    ]
    (mini_city / "lamps.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = store.validate(mini_city)
    assert len(report.errors) == 30
    text = report.to_text(limit=5)
    assert text.count("field working") == 5
    assert "… and 25 more type problems in lamps.geojson" in text


def _write(folder: Path, layer: str, features: list[dict], **extra) -> None:
    fc = {"type": "FeatureCollection", **extra, "features": features}
    (folder / f"{layer}.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


def _point(lon, lat, **props):
    return {
        "type": "Feature",
        "properties": {"id": "T1", "status": "existing", "grade": "A", **props},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def test_swap_detected_inside_wgs84_range(tmp_path):
    # a city where both orders are valid WGS84: only the bounds tell the swap
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "city.toml").write_text(
        'name="x"\nname_en="x"\n[center]\nlon=31.2\nlat=30.0\n[bounds]\nwest=31.0\nsouth=29.8\neast=31.4\nnorth=30.2\n'
    )
    _write(folder, "toilets", [_point(30.05, 31.25)])
    report = store.validate(folder)
    assert [p.code for p in report.errors] == ["swapped"]


def test_partly_outside_bounds_is_a_warning(mini_city):
    road = {
        "type": "Feature",
        "properties": {"id": "R1", "status": "existing", "road_class": "branch"},
        "geometry": {"type": "LineString", "coordinates": [[112.19, 32.0], [112.21, 32.0]]},
    }
    _write(mini_city, "roads", [road])
    report = store.validate(mini_city)
    assert report.ok and [p.code for p in report.warnings] == ["out_of_bounds"]


def test_cgcs2000_is_a_warning_and_bom_is_a_warning(mini_city):
    crs = {"type": "name", "properties": {"name": "EPSG:4490"}}
    _write(mini_city, "toilets", [_point(112.1, 32.0)], crs=crs)
    raw = (mini_city / "toilets.geojson").read_bytes()
    (mini_city / "toilets.geojson").write_bytes(b"\xef\xbb\xbf" + raw)
    report = store.validate(mini_city)
    assert report.ok
    assert sorted(p.code for p in report.warnings) == ["crs", "encoding"]


def test_missing_layer_is_empty_and_extra_properties_are_kept(mini_city):
    _write(mini_city, "toilets", [_point(112.1, 32.0, wheelchair="yes", 管理单位="市城管局")])
    city = store.load(mini_city)
    assert len(city["lamps"]) == 0 and list(city["lamps"].columns)[:2] == ["id", "name"]
    toilets = city["toilets"]
    assert toilets.loc[0, "wheelchair"] == "yes" and toilets.loc[0, "管理单位"] == "市城管局"


@pytest.mark.parametrize(
    ("toml", "field", "fragment"),
    [
        ("", None, "no city.toml"),
        ("name = [", None, "not valid TOML"),
        (
            'name="x"\nname_en="x"\n[center]\nlon=300\nlat=32\n[bounds]\nwest=112\nsouth=31\neast=113\nnorth=33\n',
            "center.lon",
            "out of range",
        ),
        ('name="x"\nname_en="x"\n[center]\nlon=112.5\nlat=32\n[bounds]\nwest=113\nsouth=31\neast=112\nnorth=33\n', "bounds", "empty box"),
        ('name="x"\n[center]\nlon=112.5\nlat=32\n[bounds]\nwest=112\nsouth=31\neast=113\nnorth=33\n', "name_en", "missing"),
        (
            'name="x"\nname_en="x"\ncrs="EPSG:4326"\n[center]\nlon=112.5\nlat=32\n[bounds]\nwest=112\nsouth=31\neast=113\nnorth=33\n',
            "crs",
            "not a projected CRS",
        ),
    ],
    ids=["missing", "toml-syntax", "lon-range", "empty-bounds", "missing-name", "geographic-crs"],
)
def test_city_toml_problems(tmp_path, toml, field, fragment):
    folder = tmp_path / "c"
    folder.mkdir()
    if toml:
        (folder / "city.toml").write_text(toml)
    report = store.validate(folder)
    assert not report.ok
    assert any(p.file == "city.toml" and p.field == field and fragment in p.message for p in report.errors), report.to_text()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        (Field("n", "int"), 3.0, None),
        (Field("n", "int"), 3.5, "type"),
        (Field("n", "int"), True, "type"),
        (Field("b", "bool"), 1, "type"),
        (Field("d", "date"), "2026-02-30", "type"),
        (Field("d", "date"), "2026-02-28", None),
        (Field("f", "float", min=0), -0.1, "range"),
        (Field("s", allowed=("a", "b")), "A", "allowed"),
        (Field("s", required=True), "  ", "required"),
        (Field("s"), None, None),
    ],
)
def test_check_value(field, value, code):
    problems = check_value(field, value, "f.geojson", "X1 (#1)")
    assert [p.code for p in problems] == ([code] if code else [])


def test_every_layer_declares_its_type_field():
    for spec in LAYERS.values():
        assert spec.type_field in spec.field_names and spec.field(spec.type_field).allowed


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_cli_on_broken_folder_exits_1_and_lists_every_problem():
    run = _cli("validate", "tests/data/broken_city")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    for _code, file, feature, field, value in EXPECTED:
        line = next((ln for ln in run.stdout.splitlines() if file in ln and (feature or "") in ln and (value or "") in ln), None)
        assert line is not None, f"{file} {feature} {field} {value} missing from:\n{run.stdout}"


def test_cli_json_output():
    run = _cli("validate", "--json", "tests/data/broken_city")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert data["ok"] is False and len(data["problems"]) == len(EXPECTED) + len(EXPECTED_WARNINGS)
    assert data["counts"]["toilets"]["features"] == 15


def test_cli_on_missing_folder():
    run = _cli("validate", "no/such/folder")
    assert run.returncode == 1 and "no such folder" in run.stdout and "Traceback" not in run.stderr


FIELDS = [
    Field("s"), Field("s", required=True), Field("s", allowed=("a", "b")), Field("b", "bool"), Field("d", "date"),
    Field("i", "int", min=0, max=5), Field("f", "float", min=0), Field("f", "float"), Field("i", "int"),
]  # fmt: skip
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
    st.sampled_from(["a", "b", " ", "", "2026-01-01"]), st.lists(st.integers(), max_size=2),
)  # fmt: skip


@given(field=st.sampled_from(FIELDS), value=VALUES)
def test_fast_path_never_accepts_what_the_full_check_rejects(field, value):
    if value is not None and _plainly_valid(field, value):
        assert check_value(field, value, "f.geojson", "X (#1)") == []
