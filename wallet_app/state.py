"""What the vault holds, as plain data with a CBOR encoding.

Everything here is secret or personal (the seed, the credentials with their nym secrets,
the history of who was shown what), so it only ever exists encrypted on disk
(:mod:`wallet_app.storage`) and in memory while the wallet is unlocked. History entries keep
attribute *names* and wire values, not sentences, so they are shown in whatever language
the person picks later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import cbor2

from sdk.errors import ZkaidError
from wallet_app.reasons import VaultReason

__all__ = ["STATE_VERSION", "CardRecord", "HistoryEntry", "StateError", "WalletState"]

STATE_VERSION = 1


class StateError(ZkaidError):
    default_reason: ClassVar[str] = VaultReason.CORRUPTED


@dataclass(frozen=True)
class CardRecord:
    id: str
    stored: bytes  # StoredCredential message bytes (secrets included)
    schema_ref: str  # "id@version", key into WalletState.schemas
    issuer_name: str
    received_at: int

    def to_map(self) -> dict[str, Any]:
        return {"id": self.id, "stored": self.stored, "schema": self.schema_ref,
                "issuer": self.issuer_name, "received_at": self.received_at}

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> CardRecord:
        return cls(str(m["id"]), bytes(m["stored"]), str(m["schema"]), str(m["issuer"]), int(m["received_at"]))


@dataclass(frozen=True)
class HistoryEntry:
    at: int
    verifier_id: str
    verifier_name: str | None  # verified agency name; None when the request was unverified
    purpose: dict[str, str]
    scope: str
    issuer_name: str
    schema_ref: str
    disclosed: dict[str, Any]  # attribute name -> wire value
    predicates: tuple[tuple[str, str, tuple[int, ...]], ...]
    request_time: int

    def to_map(self) -> dict[str, Any]:
        return {
            "at": self.at, "verifier_id": self.verifier_id, "verifier_name": self.verifier_name,
            "purpose": dict(self.purpose), "scope": self.scope, "issuer": self.issuer_name,
            "schema": self.schema_ref, "disclosed": dict(self.disclosed),
            "predicates": [[a, op, list(b)] for a, op, b in self.predicates],
            "request_time": self.request_time,
        }

    @classmethod
    def from_map(cls, m: dict[str, Any]) -> HistoryEntry:
        return cls(
            int(m["at"]), str(m["verifier_id"]),
            None if m["verifier_name"] is None else str(m["verifier_name"]),
            {str(k): str(v) for k, v in m["purpose"].items()}, str(m["scope"]), str(m["issuer"]),
            str(m["schema"]), dict(m["disclosed"]),
            tuple((str(a), str(op), tuple(int(x) for x in b)) for a, op, b in m["predicates"]),
            int(m["request_time"]),
        )


@dataclass
class WalletState:
    seed: bytes
    cards: list[CardRecord] = field(default_factory=list)
    schemas: dict[str, str] = field(default_factory=dict)  # schema ref -> schema JSON
    trust_list: bytes | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print the seed
        return f"WalletState(<seed>, cards={len(self.cards)}, history={len(self.history)})"

    def to_bytes(self) -> bytes:
        return cbor2.dumps({
            "v": STATE_VERSION, "seed": self.seed, "cards": [c.to_map() for c in self.cards],
            "schemas": dict(self.schemas), "trust_list": self.trust_list,
            "history": [h.to_map() for h in self.history], "settings": dict(self.settings),
        }, canonical=True)

    @classmethod
    def from_bytes(cls, data: bytes) -> WalletState:
        try:
            m = cbor2.loads(data)
            if m.get("v") != STATE_VERSION:
                raise StateError("the wallet content has an unknown version: update the app",
                                 reason=VaultReason.UNKNOWN_VERSION)
            tl = m.get("trust_list")
            return cls(
                seed=bytes(m["seed"]),
                cards=[CardRecord.from_map(c) for c in m["cards"]],
                schemas={str(k): str(v) for k, v in m["schemas"].items()},
                trust_list=None if tl is None else bytes(tl),
                history=[HistoryEntry.from_map(h) for h in m["history"]],
                settings=dict(m["settings"]),
            )
        except (cbor2.CBORDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise StateError("the wallet content is unreadable") from exc

    def copy(self) -> WalletState:
        return WalletState.from_bytes(self.to_bytes())
