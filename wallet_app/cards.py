"""The cards in the wallet: their views in the person's language, removal, and readying proofs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sdk.credential import Credential, Schema
from sdk.curves import get_backend
from sdk.errors import ZkaidError
from sdk.predicates import load_range_params
from sdk.wire import StoredCredential, decode
from wallet_app.reasons import WalletReason
from wallet_app.session import SessionBase, WalletError
from wallet_app.state import CardRecord
from wallet_app.words import attribute_label, schema_title, value_text

__all__ = ["CardView", "CardsSection", "ShownItem"]


@dataclass(frozen=True)
class ShownItem:
    label: str
    value: str


@dataclass(frozen=True)
class CardView:
    id: str
    title: str
    issuer: str
    items: tuple[ShownItem, ...]
    expiry: str  # "Valid until 1 Nov 2027" / "Expired on ..."
    expired: bool
    received: str


def _local(ts: int) -> dt.datetime:
    """The phone's local time: what the person reads on the wall clock."""
    return dt.datetime.fromtimestamp(ts)


class CardsSection(SessionBase):
    """Cards stored in the vault."""

    def _schema(self, ref: str) -> Schema:
        return Schema.from_json(self._require().schemas[ref])

    def _credentials(self) -> list[Credential]:
        state = self._require()
        return [Credential(decode(c.stored, StoredCredential), self._schema(c.schema_ref)) for c in state.cards]

    def cards(self) -> list[CardView]:
        return [self._card_view(c) for c in self._require().cards]

    def remove_card(self, card_id: str) -> None:
        """Delete a card from this phone (the person's choice, e.g. a shared phone). The
        registrar can re-issue it; the recovery code keeps the same pseudonyms."""
        state = self._require()
        if not any(c.id == card_id for c in state.cards):
            raise WalletError("there is no such card on this phone", reason=WalletReason.UNKNOWN_CARD)
        new = state.copy()
        new.cards = [c for c in new.cards if c.id != card_id]
        self._commit(new)

    def _card_view(self, record: CardRecord) -> CardView:
        t = self.t
        schema = self._schema(record.schema_ref)
        cred = Credential(decode(record.stored, StoredCredential), schema)
        values = cred.values
        items = tuple(ShownItem(attribute_label(t, a), value_text(t, a, values[a.name])) for a in schema.attributes
                      if not a.hidden)  # the revocation handle is never displayed (specs/revocation.md)
        expiry = self._expiry(schema, values, cred.issuer_kid)
        today = _local(self.now()).date()
        if expiry is None:
            text, expired = t("card.no_expiry"), False
        elif expiry < today:
            text, expired = t("card.expired_on", date=t.date(expiry)), True
        else:
            text, expired = t("card.valid_until", date=t.date(expiry)), False
        received = t.date(_local(record.received_at).date())
        return CardView(record.id, schema_title(t, schema), record.issuer_name, items, text, expired,
                        t("card.received_on", date=received))

    def _expiry(self, schema: Schema, values: Mapping[str, Any], kid: bytes) -> dt.date | None:
        for name in ("valid_until", "expires", "expiry_date"):
            if name in schema.names and isinstance(values.get(name), dt.date):
                return values[name]  # type: ignore[no-any-return]
        tl = self.trust_list()
        entry = tl.issuer(kid) if tl else None
        return dt.datetime.fromtimestamp(entry.not_after, dt.UTC).date() if entry else None

    def prepare(self) -> None:
        """Check the card issuers' range parameters now, in the background, so that the
        first consent screen of the session opens at once. The check is cached per process
        and costs ~0.1 s natively but ~1.5 s in pure Python on a laptop (more on a phone)."""
        tl = self.trust_list()
        if tl is None:
            return
        params = {e.range_params for c in self._require().cards
                  if (e := tl.issuer(decode(c.stored, StoredCredential).issuer_kid)) and e.range_params}
        backend = get_backend(self.config.backend)
        for p in params:
            try:
                load_range_params(p, backend)
            except ZkaidError:
                continue  # assess() reports it, in words, when a request needs it

