"""The layout's rules, checked on the source: one declaration per concept, and arrows that run one way.

- every layer, field and allowed value has a Chinese and an English label; every drawn layer has a style,
  and every value of the field that picks its colour has a colour;
- data → ``facilities`` (no Streamlit, Folium, HTML) → ``maps`` (Folium, no Streamlit, no command line) →
  ``ui`` / ``views`` / ``app.py``; ``documents`` builds printable documents from ``facilities``; ``cli`` sits on top;
- no source file over about 600 lines (data excepted); no test imports another test module or ``bench``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from facilities import words
from facilities.schema import ALL_LAYERS, MAP_LAYERS

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600


def _pair_ok(pair) -> bool:
    return isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) and x.strip() for x in pair)


@pytest.mark.parametrize("layer", list(ALL_LAYERS))
def test_every_field_and_value_has_both_labels(layer):
    spec = ALL_LAYERS[layer]
    assert _pair_ok(spec.title), layer
    for f in spec.fields:
        assert _pair_ok(f.label), f"{layer}.{f.name} has no Chinese and English label"
        for value in f.allowed or ():
            assert _pair_ok(f.value_labels.get(value)), f"{layer}.{f.name} = {value!r} has no Chinese and English label"
        assert set(f.value_labels) == set(f.allowed or ()), f"{layer}.{f.name}: labels for values it does not allow"


@pytest.mark.parametrize("layer", list(ALL_LAYERS))
def test_every_layer_has_a_style_covering_its_values(layer):
    spec = ALL_LAYERS[layer]
    assert spec.style is not None, f"{layer} has no style"
    st = spec.style
    assert st.color.startswith("#")
    for popup_field in spec.popup:
        assert spec.field(popup_field) is not None, f"{layer}: popup field {popup_field!r} is not a field of the layer"
    if st.by is not None:
        by = spec.field(st.by)
        assert by is not None, f"{layer}: style field {st.by!r} is not a field"
        table = st.weight or st.palette
        missing = [v for v in by.allowed or () if v not in table]
        assert not missing, f"{layer}: no colour (or width) for {st.by} = {missing}"
        assert set(table) <= set(by.allowed or ()), f"{layer}: style for values {st.by} does not allow"
    for key, (color, label, _hollow) in st.classes.items():
        assert color.startswith("#") and _pair_ok(label), (layer, key)


def test_map_layers_are_drawn_in_a_declared_order():
    assert MAP_LAYERS, "no facility layer is drawn"
    orders = [ALL_LAYERS[n].draw_order for n in MAP_LAYERS]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)


def test_every_task_state_and_step_has_both_labels_and_states_a_colour():
    from facilities.tasks import flow
    from maps.style import STATE_COLORS

    labelled = {**flow.STATES, **{s.name: s.label for s in flow.STEPS.values()}, **flow.EVENTS}
    bad = [k for k, pair in labelled.items() if not _pair_ok(pair)]
    assert not bad, f"task states/steps/events without a Chinese or an English label: {bad}"
    assert set(STATE_COLORS) == set(flow.STATES), "maps.style.STATE_COLORS must give every task state (and only those) a colour"
    assert {s.source for s in flow.STEPS.values()} | {s.target for s in flow.STEPS.values()} <= set(flow.STATES)


@pytest.mark.parametrize("table", ["COLUMNS", "MAP_WORDS", "APP_WORDS", "VERDICTS"])
def test_every_word_in_both_languages(table):
    bad = [k for k, pair in getattr(words, table).items() if not _pair_ok(pair)]
    assert not bad, f"words.{table}: {bad} lack a Chinese or an English text"


def test_no_word_table_repeats_a_key():
    # a dict literal silently keeps the last of two equal keys: read the source
    for module in ("words.py", "app_words.py"):
        _no_repeated_key(ast.parse((ROOT / "facilities" / module).read_text(encoding="utf-8")))


def _no_repeated_key(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


# --------------------------------------------------------------------------- imports


def _modules(package: str) -> list[Path]:
    base = ROOT / package
    if base.is_dir():
        return sorted(base.rglob("*.py"))
    return [p for p in (ROOT / f"{package}.py",) if p.exists()]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


FORBIDDEN = {
    # package: top-level names its modules may not import
    "facilities": {"streamlit", "folium", "branca", "jinja2", "maps", "documents", "ui", "views", "cli", "app", "bench", "tests"},
    "maps": {"streamlit", "ui", "views", "cli", "app", "argparse", "bench", "tests"},
    "documents": {"streamlit", "ui", "views", "cli", "app", "bench", "tests"},
    "ui": {"cli", "bench", "tests"},
}
#: the program entry point ``python -m facilities``: nothing imports it; it starts the command line on top
ENTRY_POINTS = {ROOT / "facilities" / "__main__.py"}


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_dependencies_run_one_way(package):
    bad = []
    for path in _modules(package):
        if path in ENTRY_POINTS:
            continue
        wrong = _imports(path) & FORBIDDEN[package]
        if wrong:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(wrong)}")
    assert not bad, "\n".join(bad)


def test_no_test_imports_another_test_module_or_bench():
    helpers = {"conftest", "helpers", "oracles", "appserver", "net_audit", "store_demo"}
    bad = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                if parts[0] == "bench" or (parts[0] == "tests" and parts[-1] not in helpers) or parts[0].startswith("test_"):
                    bad.append(f"{path.name} imports {name}")
    assert not bad, "\n".join(bad)


def test_no_source_file_is_too_long():
    long = []
    for package in ("facilities", "maps", "documents", "ui", "views", "cli", "scripts", "bench", "tests"):
        for path in _modules(package):
            if "data" in path.relative_to(ROOT).parts:
                continue
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > MAX_LINES:
                long.append(f"{path.relative_to(ROOT)}: {n} lines")
    assert not long, "\n".join(long)
