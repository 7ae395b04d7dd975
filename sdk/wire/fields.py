"""Declarative field kinds for zkaid's CBOR messages (one validator set for every message).

A message is a CBOR map with small unsigned-integer keys; each field declares its key,
its kind (a validator that also states limits) and whether it may be absent. Decoding
fails on a missing required field, an unknown key or a value of the wrong kind, with a
:class:`~sdk.errors.WireError` that names the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sdk.errors import WireError
from sdk.reasons import WireReason

__all__ = [
    "Field",
    "Kind",
    "array_of",
    "attr_value",
    "boolean",
    "bstr",
    "map_of",
    "sint",
    "struct",
    "tstr",
    "uint",
]

# A kind checks a decoded CBOR value and returns the Python value for the dataclass
# (and `dump` turns it back). Both raise WireError(reason="field") on mismatch.


@dataclass(frozen=True)
class Kind:
    name: str
    load: Callable[[Any, str], Any]
    dump: Callable[[Any, str], Any]


@dataclass(frozen=True)
class Field:
    key: int
    name: str
    kind: Kind
    optional: bool = False


def _bad(where: str, expected: str) -> WireError:
    return WireError(f"field '{where}' must be {expected}", reason=WireReason.FIELD)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def uint(max_value: int = 2**64 - 1, min_value: int = 0) -> Kind:
    def check(v: Any, where: str) -> int:
        if not _is_int(v) or v < min_value or v > max_value:
            raise _bad(where, f"an integer in {min_value}..{max_value}")
        return int(v)

    return Kind("uint", check, check)


def sint(bits: int = 64) -> Kind:
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def check(v: Any, where: str) -> int:
        if not _is_int(v) or not lo <= v <= hi:
            raise _bad(where, f"a {bits}-bit signed integer")
        return int(v)

    return Kind("int", check, check)


def boolean() -> Kind:
    def check(v: Any, where: str) -> bool:
        if not isinstance(v, bool):
            raise _bad(where, "true or false")
        return v

    return Kind("bool", check, check)


def bstr(min_len: int = 0, max_len: int = 65536) -> Kind:
    def check(v: Any, where: str) -> bytes:
        if not isinstance(v, bytes) or not min_len <= len(v) <= max_len:
            size = f"{min_len}" if min_len == max_len else f"{min_len}..{max_len}"
            raise _bad(where, f"a byte string of {size} bytes")
        return v

    return Kind("bstr", check, check)


def tstr(max_len: int = 1024, min_len: int = 0) -> Kind:
    def check(v: Any, where: str) -> str:
        if not isinstance(v, str) or not min_len <= len(v) <= max_len:
            raise _bad(where, f"a text string of {min_len}..{max_len} characters")
        return v

    return Kind("tstr", check, check)


def attr_value() -> Kind:
    """An attribute value on the wire: int (64-bit), text, bytes or bool."""

    def check(v: Any, where: str) -> Any:
        if isinstance(v, bool) or isinstance(v, str | bytes):
            if isinstance(v, str | bytes) and len(v) > 4096:
                raise _bad(where, "at most 4096 bytes or characters")
            return v
        if _is_int(v) and -(2**63) <= v < 2**63:
            return v
        raise _bad(where, "an integer, text, bytes or boolean attribute value")

    return Kind("value", check, check)


def array_of(item: Kind, max_items: int = 256, min_items: int = 0) -> Kind:
    def load(v: Any, where: str) -> tuple[Any, ...]:
        if not isinstance(v, (list, tuple)) or not min_items <= len(v) <= max_items:
            raise _bad(where, f"an array of {min_items}..{max_items} items")
        return tuple(item.load(x, f"{where}[{i}]") for i, x in enumerate(v))

    def dump(v: Any, where: str) -> list[Any]:
        if not isinstance(v, (list, tuple)) or not min_items <= len(v) <= max_items:
            raise _bad(where, f"an array of {min_items}..{max_items} items")
        return [item.dump(x, f"{where}[{i}]") for i, x in enumerate(v)]

    return Kind("array", load, dump)


def map_of(key: Kind, value: Kind, max_items: int = 256) -> Kind:
    def load(v: Any, where: str) -> dict[Any, Any]:
        if not isinstance(v, Mapping) or len(v) > max_items:
            raise _bad(where, f"a map of at most {max_items} entries")
        return {key.load(k, f"{where} key"): value.load(x, f"{where}[{k!r}]") for k, x in v.items()}

    def dump(v: Any, where: str) -> dict[Any, Any]:
        if not isinstance(v, dict) or len(v) > max_items:
            raise _bad(where, f"a map of at most {max_items} entries")
        return {key.dump(k, f"{where} key"): value.dump(x, f"{where}[{k!r}]") for k, x in v.items()}

    return Kind("map", load, dump)


def struct(cls: Any) -> Kind:
    """A nested structure (a class with FIELDS, see sdk.wire.messages.Struct)."""

    def load(v: Any, where: str) -> Any:
        return cls.from_map(v, where)

    def dump(v: Any, where: str) -> Any:
        if not isinstance(v, cls):
            raise _bad(where, f"a {cls.__name__}")
        return v.to_map()

    return Kind(cls.__name__, load, dump)
