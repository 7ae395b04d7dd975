"""What a field device is set up to do, and the data folder that keeps it.

The data folder holds everything the device needs to work offline::

    config.json        agency, device id, service address, scope, request template, anchors
    api_key            the device's API key for the agency service            (mode 0600)
    verifier_key.pem   the device's Ed25519 request-signing key (optional)    (mode 0600)
    trust_list.cbor    the last signed trust list that verified
    ledger.sqlite3     enrollments, sync cursor, conflicts (field_app.ledger)
    requests/          requests handed out from the command line, until answered

Secrets are written with mode 0600 and never appear in ``config.json``, in logs or in a
``repr``. Nothing here is personal data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appkit.files import atomic_write
from field_app.reasons import SetupReason
from sdk.credential import VerifierKey
from sdk.credential.request import PREDICATE_OPS
from sdk.credential.schema import Attribute, date_to_days
from sdk.errors import ScopeError, ZkaidError
from sdk.wire import PredicateSpec
from sdk.wire.scope import normalize_scope

__all__ = [
    "DEFAULT_PURPOSE",
    "DEFAULT_SCHEMA",
    "DataFolder",
    "FieldConfig",
    "PredicateRule",
    "RequestTemplate",
    "SetupError",
    "default_data_dir",
    "parse_list",
]

DEFAULT_PURPOSE = {
    "en": "Check that you are registered for this cash assistance round, without sharing your name.",
    "fr": "Vérifier que vous êtes inscrit pour ce tour d'aide en espèces, sans donner votre nom.",
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
_HEX_KID = re.compile(r"^[0-9a-fA-F]{16}$")
_RELATIVE = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")


class SetupError(ZkaidError):
    """A setup value is missing or wrong; ``reason`` names which (for the setup screen)."""

    default_reason: ClassVar[str] = SetupReason.SETUP


def default_data_dir() -> Path:
    """``$ZKAID_FIELD_HOME``, else ``~/.zkaid/field`` (the Kivy app uses its user_data_dir)."""
    env = os.environ.get("ZKAID_FIELD_HOME")
    return Path(env) if env else Path.home() / ".zkaid" / "field"


# -- request template --------------------------------------------------------------


def _shift(today: dt.date, sign: str, n: int, unit: str) -> dt.date:
    k = n if sign == "+" else -n
    if unit == "d":
        return today + dt.timedelta(days=k)
    months = today.year * 12 + (today.month - 1) + (k if unit == "m" else 12 * k)
    year, month = divmod(months, 12)
    month += 1
    # the last day of the month when the day does not exist (29 Feb - 1 year -> 28 Feb)
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day, today.day))
        except ValueError:
            continue
    raise SetupError(f"cannot shift {today} by {sign}{n}{unit}", reason=SetupReason.BAD_PREDICATE)  # pragma: no cover


@dataclass(frozen=True)
class PredicateRule:
    """A predicate as the operator writes it: ``valid_until ge today``,
    ``head_birth_date le today-60y``, ``household_size between 2 9``.

    Date bounds may be relative to the day the request is made (``today``, ``today-60y``,
    ``today+30d``, ``today-6m``) or absolute ISO dates; number bounds are integers. They
    are turned into a :class:`~sdk.wire.PredicateSpec` for each request, so "not expired"
    always means "not expired today".
    """

    attribute: str
    op: str
    bounds: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.op not in PREDICATE_OPS:
            raise SetupError(f"unknown operator {self.op!r} (use ge, le or between)", reason=SetupReason.BAD_PREDICATE)
        want = 2 if self.op == "between" else 1
        if len(self.bounds) != want:
            raise SetupError(f"'{self.op}' needs {want} bound(s)", reason=SetupReason.BAD_PREDICATE)

    @classmethod
    def parse(cls, text: str) -> PredicateRule:
        parts = text.split()
        if len(parts) < 3:
            raise SetupError(f"write a condition as 'attribute op bound', not {text!r}", reason=SetupReason.BAD_PREDICATE)
        return cls(parts[0], parts[1], tuple(parts[2:]))

    def __str__(self) -> str:
        return " ".join((self.attribute, self.op, *self.bounds))

    def resolve(self, attribute: Attribute, today: dt.date) -> PredicateSpec:
        """The concrete predicate for a request made on ``today``."""
        if not attribute.is_integer:
            raise SetupError(f"conditions apply to numbers and dates, not '{attribute.name}'",
                             reason=SetupReason.BAD_PREDICATE)
        values = tuple(self._bound(b, attribute, today) for b in self.bounds)
        return PredicateSpec(self.attribute, self.op, values)

    @staticmethod
    def _bound(text: str, attribute: Attribute, today: dt.date) -> int:
        if attribute.type == "date":
            m = _RELATIVE.match(text)
            if m:
                day = today if not m.group(1) else _shift(today, m.group(1), int(m.group(2)), m.group(3))
                return date_to_days(day)
            try:
                return date_to_days(dt.date.fromisoformat(text))
            except ValueError:
                raise SetupError(f"{text!r} is not a date (use 2026-12-01, today or today-60y)",
                                 reason=SetupReason.BAD_PREDICATE) from None
        try:
            value = int(text)
        except ValueError:
            raise SetupError(f"{text!r} is not a whole number", reason=SetupReason.BAD_PREDICATE) from None
        if value < 0:
            raise SetupError("bounds cannot be negative", reason=SetupReason.BAD_PREDICATE)
        return value


#: The kind of card a new round asks for: ``household@2`` cards carry a revocation handle, so
#: one card can be withdrawn on every device (issue 13, specs/revocation.md). A device set up
#: for ``org.zkaid.household@1`` keeps asking for it (the template is saved with the kind).
DEFAULT_SCHEMA = "org.zkaid.household@2"

#: The default request's condition: the card's ``valid_until`` is today or later.
DEFAULT_PREDICATES: tuple[PredicateRule, ...] = (PredicateRule("valid_until", "ge", ("today",)),)


@dataclass(frozen=True)
class RequestTemplate:
    """What every request of this round asks for."""

    schema: str = DEFAULT_SCHEMA
    disclose: tuple[str, ...] = ("region",)
    # Expiry by default (issue 13): every request proves the card is still valid today.
    predicates: tuple[PredicateRule, ...] = field(default_factory=lambda: DEFAULT_PREDICATES)
    purpose: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PURPOSE))
    issuers: tuple[str, ...] = ()  # hex key ids; empty: every trust-list issuer of the schema
    request_ttl: int = 900  # seconds a request stays answerable

    def __post_init__(self) -> None:
        if "@" not in self.schema:
            raise SetupError("the credential kind is written id@version, e.g. org.zkaid.household@2",
                             reason=SetupReason.BAD_SCHEMA)
        sid, _, ver = self.schema.rpartition("@")
        if not sid or not ver.isdigit():
            raise SetupError(f"{self.schema!r} is not id@version", reason=SetupReason.BAD_SCHEMA)
        for kid in self.issuers:
            if not _HEX_KID.match(kid):
                raise SetupError(f"{kid!r} is not an issuer key id (16 hex digits)", reason=SetupReason.BAD_ISSUER)
        if not any(v.strip() for v in self.purpose.values()):
            raise SetupError("say why you ask (purpose text)", reason=SetupReason.MISSING_PURPOSE)
        if not 30 <= self.request_ttl <= 7 * 86400:
            raise SetupError("a request lives between 30 seconds and 7 days", reason=SetupReason.BAD_TTL)
        both = set(self.disclose) & {p.attribute for p in self.predicates}
        if both:
            raise SetupError(f"{', '.join(sorted(both))}: ask either to see it or for a condition, not both",
                             reason=SetupReason.BAD_PREDICATE)

    @property
    def schema_id(self) -> str:
        return self.schema.rpartition("@")[0]

    @property
    def schema_version(self) -> int:
        return int(self.schema.rpartition("@")[2])

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema, "disclose": list(self.disclose),
            "predicates": [str(p) for p in self.predicates], "purpose": dict(self.purpose),
            "issuers": list(self.issuers), "request_ttl": self.request_ttl,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RequestTemplate:
        return cls(
            schema=str(d.get("schema", DEFAULT_SCHEMA)),
            disclose=tuple(str(x) for x in d.get("disclose", ())),
            predicates=(tuple(PredicateRule.parse(str(x)) for x in d["predicates"])
                        if "predicates" in d else DEFAULT_PREDICATES),
            purpose={str(k): str(v) for k, v in dict(d.get("purpose") or DEFAULT_PURPOSE).items()},
            issuers=tuple(str(x).lower() for x in d.get("issuers", ())),
            request_ttl=int(d.get("request_ttl", 900)),
        )


@dataclass(frozen=True)
class FieldConfig:
    """The device's setup (no secrets: those are files of their own)."""

    agency: str
    device_id: str
    scope: str
    service_url: str = ""
    anchors: tuple[str, ...] = ()  # trust-list signing keys (Ed25519, 64 hex digits)
    template: RequestTemplate = field(default_factory=RequestTemplate)
    language: str = "en"

    def __post_init__(self) -> None:
        if not _ID.match(self.agency):
            raise SetupError("the agency id is required (letters, digits, . _ : -)", reason=SetupReason.MISSING_AGENCY)
        if not _ID.match(self.device_id):
            raise SetupError("the device id is required (letters, digits, . _ : -)", reason=SetupReason.MISSING_DEVICE)
        if not self.scope.strip() or len(self.scope) > 256:
            raise SetupError("the scope of this round is required, e.g. cva/2026-12/round-1",
                             reason=SetupReason.MISSING_SCOPE)
        try:  # one spelling per round (sdk.wire.scope): an NFD spelling becomes the NFC one
            object.__setattr__(self, "scope", normalize_scope(self.scope))
        except ScopeError as exc:
            raise SetupError(str(exc), reason=SetupReason.BAD_SCOPE) from exc
        if self.service_url and not re.match(r"^https?://[^\s/]+", self.service_url):
            raise SetupError(f"{self.service_url!r} is not a service address (http[s]://...)",
                             reason=SetupReason.BAD_URL)
        for a in self.anchors:
            if not _HEX_KEY.match(a):
                raise SetupError("a trust anchor is a public key of 64 hex digits", reason=SetupReason.BAD_ANCHOR)

    def with_changes(self, **changes: Any) -> FieldConfig:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "device_id": self.device_id, "scope": self.scope,
            "service_url": self.service_url, "anchors": list(self.anchors),
            "template": self.template.to_json(), "language": self.language,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> FieldConfig:
        return cls(
            agency=str(d.get("agency", "")), device_id=str(d.get("device_id", "")),
            scope=str(d.get("scope", "")), service_url=str(d.get("service_url", "")),
            anchors=tuple(str(a).lower() for a in d.get("anchors", ())),
            template=RequestTemplate.from_json(d.get("template") or {}),
            language=str(d.get("language", "en")),
        )


# -- the data folder ---------------------------------------------------------------


def _write(path: Path, data: bytes, *, secret: bool = False) -> None:
    """Replace a file durably (:func:`appkit.files.atomic_write`); secrets are 0600 from the
    first byte, the rest 0644."""
    atomic_write(path, data, mode=0o600 if secret else 0o644, make_parents=True)


class DataFolder:
    """Files of one field device. Nothing is created until something is saved."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"DataFolder({str(self.root)!r})"

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    @property
    def api_key_path(self) -> Path:
        return self.root / "api_key"

    @property
    def verifier_key_path(self) -> Path:
        return self.root / "verifier_key.pem"

    @property
    def trust_list_path(self) -> Path:
        return self.root / "trust_list.cbor"

    @property
    def ledger_path(self) -> Path:
        return self.root / "ledger.sqlite3"

    @property
    def requests_path(self) -> Path:
        return self.root / "requests"


    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            os.chmod(self.root, 0o700)

    # config
    def load_config(self) -> FieldConfig | None:
        try:
            text = self.config_path.read_text("utf-8")
        except FileNotFoundError:
            return None
        try:
            return FieldConfig.from_json(json.loads(text))
        except (ValueError, TypeError) as exc:
            raise SetupError(f"{self.config_path} is damaged: {exc}", reason=SetupReason.BAD_CONFIG) from exc

    def save_config(self, config: FieldConfig) -> None:
        self.ensure()
        _write(self.config_path, json.dumps(config.to_json(), indent=2, ensure_ascii=False).encode())

    # API key
    def load_api_key(self) -> str | None:
        try:
            return self.api_key_path.read_text("utf-8").strip() or None
        except FileNotFoundError:
            return None

    def save_api_key(self, key: str) -> None:
        key = key.strip()
        if not key or any(c.isspace() for c in key):
            raise SetupError("the API key is one word without spaces", reason=SetupReason.BAD_API_KEY)
        self.ensure()
        _write(self.api_key_path, key.encode(), secret=True)

    # verifier key
    def load_verifier_key(self, name: str) -> VerifierKey | None:
        try:
            pem = self.verifier_key_path.read_bytes()
        except FileNotFoundError:
            return None
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SetupError(f"{self.verifier_key_path} is not an Ed25519 key", reason=SetupReason.BAD_VERIFIER_KEY)
        return VerifierKey(name, key)

    def save_verifier_key(self, key: VerifierKey) -> None:
        self.ensure()
        pem = key.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
        _write(self.verifier_key_path, pem, secret=True)

    # trust list
    def load_trust_list_bytes(self) -> bytes | None:
        try:
            return self.trust_list_path.read_bytes()
        except FileNotFoundError:
            return None

    def save_trust_list_bytes(self, data: bytes) -> None:
        self.ensure()
        _write(self.trust_list_path, data)

    # requests handed out from the command line
    def save_request(self, digest: bytes, data: bytes) -> Path:
        self.ensure()
        path = self.requests_path / f"{digest.hex()}.cbor"
        _write(path, data)
        return path

    def load_requests(self) -> list[tuple[Path, bytes]]:
        if not self.requests_path.is_dir():
            return []
        return [(p, p.read_bytes()) for p in sorted(self.requests_path.glob("*.cbor"))]

    def forget_request(self, digest: bytes) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.requests_path / f"{digest.hex()}.cbor").unlink()


def parse_list(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma- or line-separated values from a text field, stripped, empty ones dropped."""
    items = re.split(r"[,\n]", text) if isinstance(text, str) else list(text)
    return tuple(i.strip() for i in items if i.strip())
