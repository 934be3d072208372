"""The generator's view of the layer model (:mod:`facilities.schema`): layer order, allowed values, property order.

Nothing here lists a layer, a field or an allowed value of its own: every name below is read from the schema or
checked against it when this module is imported, and :func:`layer_props` checks every property the generator writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from facilities.schema import ALL_LAYERS, LAYERS, ROAD_CLASSES, STATUS

#: the order the layer files are written and reported in
LAYER_ORDER = tuple(LAYERS)


def allowed(layer: str, field: str) -> tuple[str, ...]:
    """The values ``field`` of ``layer`` accepts."""
    values = ALL_LAYERS[layer].field(field).allowed
    if values is None:
        raise ValueError(f"{layer}.{field} has no closed set of values")
    return values


def pick(values: tuple[str, ...], *names: str) -> tuple[str, ...]:
    """``names``, each checked to be one of ``values`` (in the order of ``values``)."""
    unknown = set(names) - set(values)
    if unknown:
        raise ValueError(f"{sorted(unknown)} not among {values}")
    return tuple(v for v in values if v in names)


ACTIVE = pick(STATUS, "existing", "new", "renovated")  # a facility that is in use
GRADED = pick(allowed("toilets", "grade"), "A", "AA", "AAA")  # a graded tourist toilet
MAIN = pick(ROAD_CLASSES, "arterial", "secondary")  # "named main roads" for the road-name-sign rule
MAJOR = pick(ROAD_CLASSES, "expressway", "arterial", "secondary")  # roads held to the 98 % working-lamp share
URBAN = pick(ROAD_CLASSES, "arterial", "secondary", "branch")  # streets that scattered toilets stand on

#: the fields every layer has: written first (the identity) and last (the bookkeeping)
HEAD = ("id", "name", "name_en", "name_zh")  # name_zh: only where the local name is not Chinese (never in the demo)
TAIL = ("status", "district", "unit", "updated", "source", "notes")
_COMMON = frozenset.intersection(*(frozenset(spec.field_names) for spec in LAYERS.values()))
if {*HEAD, *TAIL} != _COMMON:
    raise ValueError(f"the common fields of facilities.schema changed: {sorted(_COMMON)}")


@cache
def field_order(layer: str) -> tuple[str, ...]:
    """The order properties of ``layer`` are written in: identity, the layer's own fields, bookkeeping."""
    spec = ALL_LAYERS[layer]
    own = [name for name in spec.field_names if name not in _COMMON]
    tail = list(TAIL)
    status = spec.field("status")
    if status is not None and status.allowed != STATUS:  # a status of the layer's own (reports) goes with its type
        own.insert(own.index(spec.type_field) + 1, "status")
        tail.remove("status")
    return (*HEAD, *own, *tail)


def check_props(layer: str, props: dict) -> None:
    """Raise ``ValueError`` unless ``props`` is a valid property set of ``layer`` (fields, values, ranges)."""
    spec = ALL_LAYERS[layer]
    where = f"{layer}/{props.get('id')}"
    for key, value in props.items():
        f = spec.field(key)
        if f is None:
            raise ValueError(f"{where}: {key!r} is not a field of the layer")
        if f.allowed is not None and value not in f.allowed:
            raise ValueError(f"{where}: {key}={value!r} is not one of {f.allowed}")
        if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
            raise ValueError(f"{where}: {key}={value!r} is out of range")
    missing = [name for name in spec.required if name not in props]
    if missing:
        raise ValueError(f"{where}: required {missing} missing")


def check_records(layer: str, records: Iterable[dict]) -> None:
    """Raise ``ValueError`` where a record of hand-written data gives a field of ``layer`` a value it does not allow."""
    spec = ALL_LAYERS[layer]
    for record in records:
        for key, value in record.items():
            f = spec.field(key)
            if f is not None and f.allowed is not None and value not in f.allowed:
                raise ValueError(f"{layer}: {key}={value!r} in {record} is not one of {f.allowed}")


def layer_props(layer: str, values: dict) -> dict:
    """``values`` in the order of :func:`field_order`, those that are None left out; checked by :func:`check_props`."""
    order = field_order(layer)
    unknown = set(values) - set(order)
    if unknown:
        raise ValueError(f"{layer}: {sorted(unknown)} are not fields of the layer")
    props = {key: values[key] for key in order if values.get(key) is not None}
    check_props(layer, props)
    return props


def publish(ctx, layer: str, feats: list, prefix: str, width: int, values: Callable[[object], dict] | None = None) -> None:
    """Number the features of ``layer`` (``prefix`` + zero-padded index), give each its properties, store the layer.

    ``values(feature)`` gives a feature's property values (default: its props); it is called in order, so that it
    may draw random numbers.
    """
    for i, f in enumerate(feats, 1):
        f.props = layer_props(layer, {"id": f"{prefix}{i:0{width}d}", **(values(f) if values else f.props), "source": "simulated"})
    ctx.layers[layer] = feats
