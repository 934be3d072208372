"""What the store says about a target before a write, and what a write did."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from facilities.city_config import CityConfig
from facilities.problems import Problem

#: how :func:`facilities.store.write_layers` treats a layer that is already stored
MODES = ("new", "merge", "replace")


@dataclass(frozen=True)
class StoredCity:
    """What a target holds (:func:`facilities.store.describe`), before anything is read or written.

    Attributes
    ----------
    name : the city's name in the store (its folder's name).
    where : where it is, for messages (the folder).
    has_config : a ``city.toml`` is there (readable or not).
    config : the config, or None (no ``city.toml``, or one with errors: see ``problems``).
    problems : the errors of the config.
    layers : the layers already stored.
    """

    name: str
    where: str
    has_config: bool
    config: CityConfig | None
    problems: tuple[Problem, ...] = ()
    layers: frozenset[str] = frozenset()


@dataclass
class LayerWrite:
    """What a write did (or, in a dry run, would do) to one layer.

    ``action``: ``"new"`` (there was no such layer), ``"replaced"``, ``"merged"``, or ``""`` when nothing
    was written (``WriteResult.problems`` says why). Counts: features ``added``, ``updated`` (same id) and
    ``kept`` (stored, not in the write). ``path``: where the layer is stored; ``backup``: the previous one.
    """

    layer: str
    action: str = ""
    added: int = 0
    updated: int = 0
    kept: int = 0
    path: Path | None = None
    backup: Path | None = None

    @property
    def written(self) -> int:
        """Features in the layer after the write."""
        return self.added + self.updated + self.kept


@dataclass
class WriteResult:
    """What :func:`facilities.store.write_layers` did.

    ``written``: every layer is in place (False: nothing was changed; ``problems`` has the errors).
    ``city_toml``: a new city's config was written. ``rules``: ``"written"``, ``"kept"`` (there was one),
    ``"none"`` (the rules callback had none to give), ``"invalid"`` (the city could not be loaded to choose
    rules: ``rules_detail`` says why), ``"failed"`` (could not be written: a warning in ``problems``), or
    ``""`` (not asked, or nothing written).
    """

    target: str
    dry_run: bool = False
    layers: dict[str, LayerWrite] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False
    city_toml: bool = False
    rules: str = ""
    rules_detail: str = ""

    @property
    def errors(self) -> list[Problem]:
        """The problems that stopped the write."""
        return [p for p in self.problems if p.severity == "error"]


def check_mode_and_layers(mode: str, layers: Iterable[str]) -> None:
    """Refuse (StoreError) a write mode or a layer name that does not exist: before any backend reads anything."""
    from facilities.errors import StoreError
    from facilities.schema import ALL_LAYERS

    if mode not in MODES:
        raise StoreError(f"mode {mode!r}: accepted: {', '.join(MODES)}")
    unknown = [name for name in layers if name not in ALL_LAYERS]
    if unknown:
        raise StoreError(f"{', '.join(map(repr, unknown))}: not a layer (accepted: {', '.join(ALL_LAYERS)})")


__all__ = ["MODES", "LayerWrite", "StoredCity", "WriteResult", "check_mode_and_layers"]
