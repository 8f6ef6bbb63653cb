"""Parameter checks shared by every query: each failure names the parameter and the reason."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from graph.errors import InputError, SchemaError
from graph.schema import Label, RelType, label, rel_type

#: no query returns more rows than this, whatever the caller asks
MAX_LIMIT = 1000
#: no walk goes further than this
MAX_HOPS = 6


def integer(name: str, value: Any, *, lo: int, hi: int, default: int | None = None) -> int:
    """An integer parameter within ``lo..hi``."""
    if value is None or value == "":
        if default is None:
            raise InputError(f"parameter {name!r} is required")
        value = default
    if isinstance(value, bool):
        raise InputError(f"parameter {name!r} must be an integer, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(f"parameter {name!r} must be an integer, got {value!r}") from None
    if isinstance(value, float) and value != number:
        raise InputError(f"parameter {name!r} must be an integer, got {value!r}")
    if not lo <= number <= hi:
        raise InputError(f"parameter {name!r} must be between {lo} and {hi}, got {number}")
    return number


def optional_year(name: str, value: Any) -> int | None:
    """A year (1949..2100) or None."""
    if value is None or value == "":
        return None
    return integer(name, value, lo=1949, hi=2100)


def year_range(year_from: Any, year_to: Any) -> tuple[int | None, int | None]:
    lo, hi = optional_year("year_from", year_from), optional_year("year_to", year_to)
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"parameter 'year_from' ({lo}) is after 'year_to' ({hi})")
    return lo, hi


def text(name: str, value: Any, *, required: bool = True, max_length: int = 200) -> str | None:
    """A non-empty string parameter."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"parameter {name!r} is required")
        return None
    if not isinstance(value, str):
        raise InputError(f"parameter {name!r} must be text, got {value!r}")
    value = value.strip()
    if len(value) > max_length:
        raise InputError(f"parameter {name!r} is longer than {max_length} characters")
    return value


def node_label(name: str, value: Any, *, allowed: Iterable[Label] | None = None) -> Label | None:
    """A label of the ontology (e.g. ``University``), or None."""
    if value is None or value == "":
        return None
    try:
        lbl = label(value)
    except SchemaError as exc:
        raise InputError(f"parameter {name!r}: {exc}") from None
    if allowed is not None and lbl not in set(allowed):
        raise InputError(f"parameter {name!r} must be one of {', '.join(x.value for x in allowed)}, got {lbl.value!r}")
    return lbl


def rel_types(name: str, value: Any, *, default: Sequence[RelType] | None) -> list[RelType] | None:
    """A list of relationship types (a list or a comma-separated string); None means all."""
    if value is None or value == "" or value == []:
        return list(default) if default is not None else None
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[RelType] = []
    for item in items:
        item = str(getattr(item, "value", item)).strip()
        if not item:
            continue
        try:
            out.append(rel_type(item))
        except SchemaError as exc:
            raise InputError(f"parameter {name!r}: {exc}") from None
    if not out:
        raise InputError(f"parameter {name!r} names no relationship type")
    return list(dict.fromkeys(out))


def choices(name: str, value: Any, allowed: Sequence[str], *, default: Sequence[str]) -> list[str]:
    """A list drawn from ``allowed`` (a list or a comma-separated string)."""
    if value is None or value == "" or value == []:
        return list(default)
    items = [str(x).strip() for x in (value.split(",") if isinstance(value, str) else value) if str(x).strip()]
    bad = [x for x in items if x not in allowed]
    if bad:
        raise InputError(f"parameter {name!r}: unknown {', '.join(map(repr, bad))}; allowed: {', '.join(allowed)}")
    return list(dict.fromkeys(items))
