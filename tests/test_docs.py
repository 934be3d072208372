"""The docs cannot drift from the code: the layer table is the schema's own rendering, and every link works.

- ``docs/validation.md``'s layer table (between the ``schema-table`` markers) is
  :func:`facilities.schema.markdown_table`;
- every relative link in ``README.md`` and ``docs/*.md`` points at a file or folder that exists, and a
  ``#fragment`` into a Markdown file names one of its headings (GitHub's anchors).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilities.schema import markdown_table
from tests.helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: ``[text](target)`` — inline Markdown links and images (reference-style links are not used here)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_layer_table_matches_schema():
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    start = text.index("<!-- schema-table")
    block = text[text.index("\n", start) + 1 : text.index("<!-- /schema-table -->")].strip()
    assert block == markdown_table()


def _links(path: Path) -> list[str]:
    """The targets of the links of ``path`` (code blocks left out)."""
    return [m.group(1) for m in LINK.finditer(FENCE.sub("", path.read_text(encoding="utf-8")))]


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
    out: set[str] = set()
    seen: dict[str, int] = {}
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def test_the_readme_links_to_the_docs():
    links = {t.partition("#")[0] for t in _links(ROOT / "README.md")}
    missing = [_name(p) for p in DOCS[1:] if _name(p) not in links]
    assert len(DOCS) > 1, "docs/*.md is missing"
    assert not missing, f"README.md does not link to {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_name)
def test_every_relative_link_points_at_a_file_that_exists(doc):
    bad = []
    for target in sorted(set(_links(doc))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto: …
            continue
        file, _, fragment = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            bad.append(f"{target}: {_name(dest) if dest.is_relative_to(ROOT) else dest} does not exist")
        elif fragment and dest.suffix == ".md" and fragment not in _anchors(dest):
            bad.append(f"{target}: no heading #{fragment} in {_name(dest)}")
    assert not bad, f"{_name(doc)}:\n" + "\n".join(bad)
