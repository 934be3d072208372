"""An import's last steps: check the target before reading, check every record, write through the store.

:func:`open_target` refuses an unusable target or mode before the input is even read (``--mode new``, the
default, never touches an existing layer). :func:`finish_import` checks every record
(:func:`~facilities.importers.records.check_records`), lets the importer derive layers from the accepted
ones, and hands the layers to :func:`facilities.store.write_layers` — which validates the result as a whole
before anything is changed, keeps backups in ``merge`` and ``replace`` mode and moves the files into place
atomically — with the ``city.toml`` of a new city (bounds from the data with a margin,
:mod:`facilities.importers.new_city`) and, where the city has none, a ``rules.toml`` with the rules the data
can answer (:mod:`facilities.importers.starter_rules`). A write error becomes
:class:`~facilities.errors.ImportWriteError` (exit 2), naming the file and what was written before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from facilities import store
from facilities.city import City
from facilities.city_config import CONFIG_FILE, CityConfig
from facilities.errors import ImportUsageError, ImportWriteError, StoreError, StoreWriteError
from facilities.importers.new_city import NewCity, city_toml
from facilities.importers.records import Record, check_records, records_frame
from facilities.importers.result import ImportResult
from facilities.problems import Problem
from facilities.schema import LAYERS
from facilities.store import MODES, WriteResult

#: the words the import report uses for the store's actions
ACTIONS = {"new": "new 新建", "replaced": "replaced 替换", "merged": "merged 合并"}

Derive = Callable[[dict[str, list[Record]]], dict[str, list[Record]]]


@dataclass
class _Chosen:
    """The starter rules chosen for a new city (``ids``), or why none (``skipped``)."""

    ids: list[str] = field(default_factory=list)
    skipped: str = ""


@dataclass
class Target:
    """The city an import writes into: its folder, and its config (None: a new city, no ``city.toml`` yet)."""

    folder: Path
    config: CityConfig | None


def open_target(out: Path, layers: list[str], mode: str) -> Target:
    """Check the output folder and the mode before anything is read; raise ImportUsageError if unusable."""
    if mode not in MODES:
        raise ImportUsageError(f"--mode {mode!r}: accepted: {', '.join(MODES)}")
    try:
        info = store.describe(out)
    except StoreError as exc:
        raise ImportUsageError(f"--out {exc}") from None
    if info.has_config and info.config is None:
        text = "\n".join(f"  - {p.to_text()}" for p in info.problems)
        raise ImportUsageError(f"{out / CONFIG_FILE} has errors; fix it first (or import into a new folder):\n{text}")
    if mode == "new":
        existing = [LAYERS[name].filename for name in layers if name in info.layers]
        if existing:
            raise ImportUsageError(
                f"{out}: {', '.join(existing)} already exist(s); nothing was imported. "
                "Use --mode merge (add and update features by id) or --mode replace (a backup of the old file is kept)."
            )
    return Target(out, info.config)


def _accepted(result: ImportResult, target: Target, records: dict[str, list[Record]], file: str, mode: str,
              meta: NewCity, derive: Derive | None) -> dict[str, list[Record]]:  # fmt: skip
    """The records that pass the checks, per layer (derived layers included); counts in ``result``."""
    bounds = target.config.bounds if target.config else meta.bounds
    accepted: dict[str, list[Record]] = {}
    for name, recs in records.items():
        outcome = result.outcome(name)
        outcome.read += len(recs)
        ok = check_records(recs, LAYERS[name], file, bounds, result.report)
        outcome.rejected += len(recs) - len(ok)
        accepted[name] = ok
    if derive is not None:
        for name, recs in derive(accepted).items():
            open_target(target.folder, [name], mode)  # the same protection for a derived layer
            outcome = result.outcome(name)
            outcome.read += len(recs)
            ok = check_records(recs, LAYERS[name], f"{name} (derived)", bounds, result.report)
            outcome.rejected += len(recs) - len(ok)
            accepted[name] = accepted.get(name, []) + ok
    for name, recs in accepted.items():
        if not recs:
            result.outcome(name).action = (
                "nothing to write 无数据" if not result.outcome(name).read else "nothing written: every row rejected"
            )
    return {name: recs for name, recs in accepted.items() if recs}


def finish_import(
    result: ImportResult,
    target: Target,
    records: dict[str, list[Record]],
    *,
    file: str,
    mode: str,
    meta: NewCity,
    dry_run: bool = False,
    derive: Derive | None = None,
) -> ImportResult:
    """Check the records of every layer and write the accepted ones through the store; fill and return ``result``.

    ``derive(accepted: dict[layer, list[Record]]) -> dict[layer, list[Record]]`` may add layers built from
    the accepted records (e.g. roads from street lamps); they are checked and written like the others.
    """
    to_write = _accepted(result, target, records, file, mode, meta, derive)
    if not to_write:
        return result
    toml_text, bounds = None, target.config.bounds if target.config else None
    if target.config is None:
        toml_text, bounds = city_toml(meta, [r for recs in to_write.values() for r in recs])
    chosen = _Chosen()

    def starter_rules(city: City) -> str | None:
        from facilities.importers.starter_rules import rules_for_city

        text, chosen.ids, chosen.skipped = rules_for_city(city)
        return text

    frames = {name: records_frame(recs, LAYERS[name]) for name, recs in to_write.items()}
    try:
        written = store.write_layers(target.folder, frames, mode=mode, city_toml=toml_text, rules=starter_rules, dry_run=dry_run)
    except StoreWriteError as exc:
        raise ImportWriteError.from_store(exc) from None
    except StoreError as exc:
        raise ImportUsageError(str(exc)) from None
    _report(result, written, file)
    if written.written and not dry_run:
        _notes(result, written, bounds.as_tuple() if bounds else "", chosen)
    return result


def _report(result: ImportResult, written: WriteResult, file: str) -> None:
    """The store's answer in the import's report: per layer counts and actions, and its problems."""
    result.report.extend(written.problems)
    merge_refused = {p.file for p in written.errors if p.code == "merge"}
    if written.errors and not merge_refused:
        result.report.problems.append(
            Problem.error("import", file, None, None, "the result would not be a valid layer; nothing was written", "a valid city")
        )
    for name, w in written.layers.items():
        outcome = result.outcome(name)
        outcome.added, outcome.updated, outcome.kept, outcome.path, outcome.backup = w.added, w.updated, w.kept, w.path, w.backup
        if not w.action:
            refused = LAYERS[name].filename in merge_refused
            outcome.action = "nothing written: the existing layer has errors" if refused else "nothing written 未写入"
        else:
            outcome.action = ("would be " if written.dry_run else "") + ACTIONS[w.action]


def _notes(result: ImportResult, written: WriteResult, bounds: object, chosen: _Chosen) -> None:
    """What else the import wrote (or did not): the new city's ``city.toml``, its ``rules.toml``."""
    from facilities.importers.starter_rules import RULES_FILE

    if written.city_toml:
        result.notes.append(f"city.toml written 已写入: bounds {bounds} (edit name and bounds as needed)")
    if written.rules == "written":
        ids = chosen.ids
        result.notes.append(f"{RULES_FILE} written 已写入: {len(ids)} rule(s) the data can answer: {', '.join(ids)}")
    elif written.rules == "kept":
        result.notes.append(f"{RULES_FILE} kept as it is 未改动 (add rules for the new layers by hand if needed)")
    elif written.rules == "none":
        result.notes.append(f"no {RULES_FILE} written: {chosen.skipped}")
    elif written.rules == "invalid":
        result.notes.append(f"no {RULES_FILE} written: {written.rules_detail}; run `python -m facilities validate {result.out}`")


__all__ = ["ACTIONS", "Target", "finish_import", "open_target"]
