"""Credential schemas: ordered, typed attributes and their mapping to BBS scalars.

Attribute types and their scalars (specs/credential-profile.md §2):

| type     | Python value      | wire value           | BBS message scalar                  |
|----------|-------------------|----------------------|-------------------------------------|
| int      | int, 0 <= v < 2^63| int                  | v                                   |
| date     | datetime.date     | int days since 1900-01-01 | days                           |
| bool     | bool              | bool                 | 0 or 1                              |
| enum     | str (one of values)| int index           | index                               |
| string   | str               | text                 | hash_to_scalar(UTF-8, map_dst)      |
| bytes    | bytes             | bytes                | hash_to_scalar(bytes, map_dst)      |
| handle   | bytes (32)        | bytes (32)           | hash_to_scalar(bytes, map_dst)      |

Integer-like types map to their own value so that range predicates can be proven on
them; strings and bytes go through the pseudonym interface's message-to-scalar map.

A ``handle`` is a value the registrar draws for one card and the holder never shows: the
revocation handle of specs/revocation.md. It is never disclosed, never the subject of a
predicate and never displayed; requests naming it are refused (:meth:`Attribute.hidden`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sdk.bbs.ciphersuite import Ciphersuite
from sdk.bbs.utils import messages_to_scalars
from sdk.errors import CredentialError
from sdk.reasons import CredentialReason
from sdk.wire import AttributeDef, SchemaDef

__all__ = [
    "ATTRIBUTE_TYPES",
    "DATE_EPOCH",
    "INT_MAX",
    "Attribute",
    "Schema",
    "date_to_days",
    "days_to_date",
    "load_schema",
]

ATTRIBUTE_TYPES = ("int", "date", "bool", "enum", "string", "bytes", "handle")
HANDLE_BYTES = 32
DATE_EPOCH = dt.date(1900, 1, 1)
INT_MAX = 2**63 - 1


def date_to_days(d: dt.date) -> int:
    days = (d - DATE_EPOCH).days
    if days < 0:
        raise CredentialError(f"dates before {DATE_EPOCH.isoformat()} are not supported", reason=CredentialReason.INVALID_VALUE)
    return days


def days_to_date(days: int) -> dt.date:
    return DATE_EPOCH + dt.timedelta(days=days)


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    values: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.type not in ATTRIBUTE_TYPES:
            raise CredentialError(f"attribute '{self.name}' has unknown type '{self.type}'", reason=CredentialReason.INVALID_SCHEMA)
        if self.type == "enum" and not self.values:
            raise CredentialError(f"enum attribute '{self.name}' needs its values", reason=CredentialReason.INVALID_SCHEMA)
        if self.type != "enum" and self.values:
            raise CredentialError(f"only enum attributes have values ('{self.name}')", reason=CredentialReason.INVALID_SCHEMA)
        if len(set(self.values)) != len(self.values):
            raise CredentialError(f"enum attribute '{self.name}' repeats a value", reason=CredentialReason.INVALID_SCHEMA)

    @property
    def is_integer(self) -> bool:
        """Whether the scalar is the value itself (so range predicates apply)."""
        return self.type in ("int", "date")

    @property
    def hidden(self) -> bool:
        """A handle: signed into the card, never disclosed, proven about or displayed."""
        return self.type == "handle"

    def label(self, lang: str = "en") -> str:
        d = dict(self.labels)
        return d.get(lang) or d.get("en") or self.name.replace("_", " ")

    # -- conversions ------------------------------------------------------------
    def to_wire(self, value: Any) -> Any:
        """Python value -> wire value (checked)."""
        t = self.type
        bad = CredentialError(f"'{self.name}' must be a valid {t}, got {value!r}", reason=CredentialReason.INVALID_VALUE)
        if t == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT_MAX:
                raise bad
            return value
        if t == "date":
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    raise bad from None
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise bad
            return date_to_days(value)
        if t == "bool":
            if not isinstance(value, bool):
                raise bad
            return value
        if t == "enum":
            if value not in self.values:
                raise CredentialError(
                    f"'{self.name}' must be one of {', '.join(self.values)}, got {value!r}", reason=CredentialReason.INVALID_VALUE
                )
            return self.values.index(value)
        if t == "string":
            if not isinstance(value, str) or len(value) > 4096:
                raise bad
            return value
        if t == "handle":
            if not isinstance(value, bytes) or len(value) != HANDLE_BYTES:
                raise bad
            return value
        if not isinstance(value, bytes) or len(value) > 4096:
            raise bad
        return value

    def from_wire(self, raw: Any) -> Any:
        """Wire value -> Python value (checked: wire bytes are untrusted)."""
        t = self.type
        bad = CredentialError(f"'{self.name}' holds an invalid {t} value", reason=CredentialReason.INVALID_VALUE)
        if t in ("int", "date", "enum"):
            if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= INT_MAX:
                raise bad
            if t == "date":
                try:
                    return days_to_date(raw)
                except OverflowError:
                    raise bad from None
            if t == "enum":
                if raw >= len(self.values):
                    raise bad
                return self.values[raw]
            return raw
        if t == "bool":
            if not isinstance(raw, bool):
                raise bad
            return raw
        if t == "string":
            if not isinstance(raw, str):
                raise bad
            return raw
        if not isinstance(raw, bytes) or (t == "handle" and len(raw) != HANDLE_BYTES):
            raise bad
        return raw

    def raw_to_scalar(self, raw: Any, suite: Ciphersuite) -> int:
        """Wire value -> BBS message scalar (see the module table)."""
        self.from_wire(raw)  # type check
        if self.type in ("int", "date", "enum"):
            return int(raw)
        if self.type == "bool":
            return 1 if raw else 0
        data = raw.encode("utf-8") if self.type == "string" else bytes(raw)
        return messages_to_scalars([data], suite.nym_api_id, suite)[0]


@dataclass(frozen=True)
class Schema:
    id: str
    version: int
    attributes: tuple[Attribute, ...]
    title: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        names = [a.name for a in self.attributes]
        if not names:
            raise CredentialError("a schema needs at least one attribute", reason=CredentialReason.INVALID_SCHEMA)
        if len(set(names)) != len(names):
            raise CredentialError(f"schema '{self.id}' repeats an attribute name", reason=CredentialReason.INVALID_SCHEMA)
        if not self.id or self.version < 0:
            raise CredentialError("a schema needs an id and a non-negative version", reason=CredentialReason.INVALID_SCHEMA)

    @property
    def ref(self) -> str:
        """'id@version', as issuer entries in the trust list list their schemas."""
        return f"{self.id}@{self.version}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attributes)

    def index(self, name: str) -> int:
        try:
            return self.names.index(name)
        except ValueError:
            raise CredentialError(
                f"schema '{self.id}' has no attribute '{name}'", reason=CredentialReason.UNKNOWN_ATTRIBUTE
            ) from None

    def attribute(self, name: str) -> Attribute:
        return self.attributes[self.index(name)]

    def display_title(self, lang: str = "en") -> str:
        d = dict(self.title)
        return d.get(lang) or d.get("en") or self.id

    @property
    def hidden(self) -> tuple[str, ...]:
        """Names of the handle attributes (never disclosed, proven about or displayed)."""
        return tuple(a.name for a in self.attributes if a.hidden)

    def with_handles(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` plus a fresh random handle (``secrets``) for every handle attribute
        the caller left out: the registrar draws them, nobody types them."""
        out = dict(values)
        for name in self.hidden:
            if name not in out:
                out[name] = secrets.token_bytes(HANDLE_BYTES)
        return out

    def encode_values(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """Python values by name -> wire values in schema order (all attributes required)."""
        missing = [n for n in self.names if n not in values]
        extra = [n for n in values if n not in self.names]
        if missing or extra:
            raise CredentialError(
                f"values do not match schema '{self.id}': missing {missing}, unexpected {extra}",
                reason=CredentialReason.INVALID_VALUE,
            )
        return tuple(a.to_wire(values[a.name]) for a in self.attributes)

    def decode_values(self, raw: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
        if len(raw) != len(self.attributes):
            raise CredentialError(f"expected {len(self.attributes)} values for schema '{self.id}'", reason=CredentialReason.INVALID_VALUE)
        return {a.name: a.from_wire(v) for a, v in zip(self.attributes, raw, strict=True)}

    def scalars(self, raw: tuple[Any, ...] | list[Any], suite: Ciphersuite) -> list[int]:
        if len(raw) != len(self.attributes):
            raise CredentialError(f"expected {len(self.attributes)} values for schema '{self.id}'", reason=CredentialReason.INVALID_VALUE)
        return [a.raw_to_scalar(v, suite) for a, v in zip(self.attributes, raw, strict=True)]

    # -- interchange ------------------------------------------------------------
    def to_def(self) -> SchemaDef:
        return SchemaDef(
            self.id,
            self.version,
            tuple(
                AttributeDef(a.name, a.type, a.values or None, dict(a.labels) or None)
                for a in self.attributes
            ),
            dict(self.title) or None,
        )

    @classmethod
    def from_def(cls, d: SchemaDef) -> Schema:
        return cls(
            d.id,
            d.version,
            tuple(
                Attribute(a.name, a.type, tuple(a.values or ()), tuple(sorted((a.labels or {}).items())))
                for a in d.attributes
            ),
            tuple(sorted((d.title or {}).items())),
        )

    @classmethod
    def from_json(cls, text: str) -> Schema:
        try:
            doc = json.loads(text)
            attrs = tuple(
                Attribute(
                    a["name"], a["type"], tuple(a.get("values", ())),
                    tuple(sorted(a.get("labels", {}).items())),
                )
                for a in doc["attributes"]
            )
            return cls(doc["id"], int(doc["version"]), attrs, tuple(sorted(doc.get("title", {}).items())))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CredentialError(f"invalid schema file: {exc}", reason=CredentialReason.INVALID_SCHEMA) from exc

    def to_json(self) -> str:
        doc: dict[str, Any] = {"id": self.id, "version": self.version}
        if self.title:
            doc["title"] = dict(self.title)
        doc["attributes"] = []
        for a in self.attributes:
            item: dict[str, Any] = {"name": a.name, "type": a.type}
            if a.values:
                item["values"] = list(a.values)
            if a.labels:
                item["labels"] = dict(a.labels)
            doc["attributes"].append(item)
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load_schema(path: str | Path) -> Schema:
    """Load a schema JSON file (see specs/schemas/)."""
    return Schema.from_json(Path(path).read_text(encoding="utf-8"))
