"""What the person showed to whom: kept only in the encrypted vault, never sent anywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wallet_app.cards import CardsSection, ShownItem, _local
from wallet_app.words import attribute_label, predicate_text, value_text

__all__ = ["HistorySection", "HistoryView"]


@dataclass(frozen=True)
class HistoryView:
    when: str
    requester: str
    verified: bool
    purpose: str
    shown: tuple[ShownItem, ...]
    proven: tuple[str, ...]


class HistorySection(CardsSection):
    """The presentation history."""

    def history(self) -> list[HistoryView]:
        t = self.t
        out = []
        for h in self._require().history:
            try:
                schema = self._schema(h.schema_ref)
            except KeyError:
                continue
            shown = tuple(
                ShownItem(attribute_label(t, schema.attribute(n)), value_text(t, schema.attribute(n),
                          schema.attribute(n).from_wire(v)))
                for n, v in h.disclosed.items()
            )
            on = dt.datetime.fromtimestamp(h.request_time, dt.UTC).date()
            proven = tuple(predicate_text(t, schema.attribute(a), op, b, on=on) for a, op, b in h.predicates)
            purpose = h.purpose.get(t.lang) or h.purpose.get("en") or next(iter(h.purpose.values()), "")
            when = t.datetime(_local(h.at))
            out.append(HistoryView(when, h.verifier_name or h.verifier_id, h.verifier_name is not None,
                                   purpose, shown, proven))
        return out

    def clear_history(self) -> int:
        """Forget the record of past presentations kept on this phone; returns how many."""
        state = self._require()
        n = len(state.history)
        new = state.copy()
        new.history = []
        self._commit(new)
        return n

