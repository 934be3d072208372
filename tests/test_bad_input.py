"""The bad-input corpus (tests/data/bad/): every kind of bad input gets a clear answer and loses nothing.

Each case folder holds ``case.toml`` — ``args`` (after ``python -m facilities``; ``{input}`` is the case's
``input/`` folder, ``{out}`` a fresh empty folder), the expected ``exit`` code, the words the message must
``expect`` (file, feature, field, value, what is accepted) and optional ``env`` — and ``input/``. For each
case: the exit code, every expected word, no traceback, and the input folder byte for byte unchanged.
The classes of tests/data/broken_city (tests/test_validate.py) are run the same way, one case each.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import DATA, EXPECTED, EXPECTED_WARNINGS, ROOT

BAD = DATA / "bad"
CASES = sorted(p.parent for p in BAD.glob("*/case.toml"))


def tree_hash(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) and the SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "facilities", *args], capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=300)


def test_the_corpus_has_a_case_per_class():
    names = {p.name for p in CASES}
    for needed in ("validate_deep_json", "check_impossible_as_of", "map_impossible_as_of", "rules_filter_unknown_field",
                   "hostile_text_map", "hostile_text_check", "import_mixed_gbk", "import_mixed_big5", "import_utf16_cut",
                   "import_zip_bomb", "import_zip_members", "import_xlsx_bomb", "import_leftovers"):  # fmt: skip
        assert needed in names
    assert len(CASES) >= 21


@pytest.mark.parametrize("folder", CASES, ids=[p.name for p in CASES])
def test_bad_input_case(folder: Path, tmp_path: Path):
    spec = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    source = folder / "input"
    before = tree_hash(source)
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace("{input}", str(source)).replace("{out}", str(out)) for a in spec["args"]]
    run = run_cli(args, spec.get("env"))
    said = run.stdout + run.stderr
    assert run.returncode == spec["exit"], f"{spec['description']}: exit {run.returncode}\n{said}"
    assert "Traceback" not in said and "Error:" not in said.replace("error:", ""), said
    missing = [w for w in spec["expect"] if w not in said]
    assert not missing, f"{spec['description']}: {missing} not in:\n{said}"
    assert tree_hash(source) == before, "the input folder changed"
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix in (".tmp", ".part")]
    assert not leftovers, f"partial files left: {leftovers}"


@pytest.mark.parametrize("expected", EXPECTED + EXPECTED_WARNINGS, ids=[f"{e[0]}-{e[1]}-{e[2]}" for e in EXPECTED + EXPECTED_WARNINGS])
def test_broken_city_class(expected, broken_city: Path):
    """One line of ``validate``'s report per class, naming the file, feature, field and value; exit 1."""
    _code, file, feature, field, value = expected
    before = tree_hash(broken_city)
    run = run_cli(["validate", str(broken_city), "--limit", "100"])
    assert run.returncode == 1 and "Traceback" not in run.stdout + run.stderr
    lines = [ln for ln in run.stdout.splitlines() if file in ln and (feature or "") in ln and (value or "") in ln]
    assert lines and (field is None or any(f"field {field}" in ln for ln in lines)), f"{expected} not in:\n{run.stdout}"
    assert "accepted" in " ".join(lines) or "did you mean" in " ".join(lines)
    assert tree_hash(broken_city) == before
