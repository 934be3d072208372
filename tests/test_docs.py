"""The README's layer table is the schema's own rendering (docs cannot drift from code)."""

from facilities.schema import markdown_table
from tests.helpers import ROOT


def test_readme_layer_table_matches_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- schema-table")
    block = readme[readme.index("\n", start) + 1 : readme.index("<!-- /schema-table -->")].strip()
    assert block == markdown_table()
