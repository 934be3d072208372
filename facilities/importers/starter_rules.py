"""A ``rules.toml`` for an imported city: the candidate rules (``rules_template.toml``) its data can answer.

A rule is copied when every selection it makes (target, facility, roads, zones) matches at least one
feature of the city, and, for a ``share`` rule, when at least half of its targets record every field its
condition reads. Anything else would score the *source* (OSM does not record lamp outages or sign
languages), not the city. The blocks are copied as text, comments included; ``total`` stays the national
checklist's 1000 and ``pass_mark`` its 850, so that the scorecard's assessed share says how much of the
checklist the chosen rules cover (a city whose data answers 270 of the 1000 points is *incomplete*, never
passed).

Every candidate says what it assumes in a ``# Assumed:`` comment. Where fewer than half of a city's lamps
record ``working`` (OpenStreetMap has no outage tag), the lamp rules are copied without ``working = true``
in their facility filter, so every lamp in use counts as working, with a comment saying so: a filter cannot
say "working or unknown" (a missing value matches only ``null``), and without the change no lamp rule could
be answered at all.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

from facilities.city import City
from facilities.rules import RULES_FILE, Rule, parse_rules

TEMPLATE = Path(__file__).with_name("rules_template.toml")
PASS_SHARE = 0.85
#: the national checklist's points (GB/T "Excellent Tourist City" inspection: 1000, pass at 850)
CHECKLIST_TOTAL = 1000.0
#: the part of a lamp facility filter dropped where lamps record no working state
WORKING = "working = true, "


def _blocks(text: str) -> tuple[str, list[str]]:
    """Split a rules file into its head and one text block per ``[[rule]]`` (with the comments just above it)."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == "[[rule]]"]
    cut = []
    for s in starts:
        while s > 0 and lines[s - 1].lstrip().startswith("#"):
            s -= 1
        cut.append(s)
    head = "".join(lines[: cut[0]]) if cut else text
    blocks = ["".join(lines[a:b]).rstrip() + "\n" for a, b in zip(cut, [*cut[1:], len(lines)], strict=True)]
    return head, blocks


def lamp_states(city: City) -> tuple[int, int]:
    """How many of the city's lamps record no ``working`` value, and how many lamps it has."""
    lamps = city["lamps"]
    if "working" not in lamps.columns:
        return len(lamps), len(lamps)
    return int(lamps["working"].isna().sum()), len(lamps)


def _unknown_lamps(block: str, unknown: int, total: int) -> str:
    """``block`` with ``working = true`` dropped from its lamp facility filter, and a comment saying so."""
    lines = block.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.startswith('facility = { layer = "lamps"') and WORKING in line]
    if not hits:
        return block
    for i in hits:
        lines[i] = lines[i].replace(WORKING, "", 1)
    at = next(i for i, line in enumerate(lines) if line.strip() == "[[rule]]")
    lines[at:at] = [
        f"# Assumed: {unknown} of {total} lamps record no working state (OpenStreetMap has no outage tag), so every lamp in\n",
        '# use counts as working here (a filter cannot say "working or unknown"); put `working = true, ` back at the\n',
        "# start of the facility filter once outages are surveyed.\n",
    ]
    return "".join(lines)


def answerable(city: City, rule: Rule, today: dt.date) -> bool:
    """True when the city's data can answer ``rule`` (see the module docstring)."""
    for sel in rule.selections.values():
        if not sel.where.mask(city[sel.layer], today).any():
            return False
    if rule.kind == "share":
        sel = rule.selections["target"]
        targets = city[sel.layer][sel.where.mask(city[sel.layer], today)]
        fields = [c.field for c in rule.condition.clauses] if rule.condition else []
        if rule.days is not None:
            fields.append(rule.days.start)
        present = [f for f in fields if f in targets.columns]
        # at least half the targets record the condition's fields (else the rule scores the source's gaps)
        if len(present) < len(fields) or targets[present].notna().all(axis=1).mean() < 0.5:
            return False
    return True


def rules_for_city(city: City, template: Path = TEMPLATE) -> tuple[str | None, list[str], str]:
    """The text of a rules file for ``city``; the chosen rule ids; why none, if none."""
    today = dt.date.today()
    head, blocks = _blocks(template.read_text(encoding="utf-8"))
    if not len(city["roads"]):  # nothing to walk along: straight lines
        blocks = [b.replace('metric = "walk"\n', 'metric = "straight"  # no roads imported: no walking network\n') for b in blocks]
    unknown, lamps = lamp_states(city)
    if lamps and unknown * 2 > lamps:  # fewer than half record it: the share rules' test
        blocks = [_unknown_lamps(b, unknown, lamps) for b in blocks]
    rules = parse_rules((head + "\n".join(blocks)).encode("utf-8"), template)
    chosen, left, texts = [], [], []
    for rule, block in zip(rules, blocks, strict=True):
        if answerable(city, rule, today):
            chosen.append(rule)
            texts.append(block)
        else:
            left.append(rule.id)
    if not chosen:
        return None, [], "no candidate rule can be answered by the imported layers"
    total = sum(r.weight for r in chosen)
    intro = (
        f"# Coverage rules for {city.name} ({city.config.name_en}), chosen by `python -m facilities import` on {today.isoformat()}\n"
        f"# from {template.name}: the rules this city's data can answer. Left out (no data to answer them yet):\n"
        + "".join(f"# {line}\n" for line in textwrap.wrap(", ".join(left) + "." if left else "none.", 100))
        + "# Copy a rule from data/xiangyang/rules.toml when the data arrives. Numbers marked ⚠ were read second-hand.\n"
        f"# total and pass_mark are the national checklist's: the rules below weigh {total:g} of its {CHECKLIST_TOTAL:g} points, so\n"
        f"# the scorecard assesses {min(total / CHECKLIST_TOTAL, 1):.0%} of it (incomplete below min_assessed, 80 %).\n"
    )
    settings = f"total = {CHECKLIST_TOTAL:g}\npass_mark = {CHECKLIST_TOTAL * PASS_SHARE:g}\n"
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(texts))
    return intro + settings + "\n" + body, [r.id for r in chosen], ""


__all__ = ["RULES_FILE", "TEMPLATE", "answerable", "lamp_states", "rules_for_city"]
