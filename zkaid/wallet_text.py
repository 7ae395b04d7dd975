"""What ``zkaid wallet`` prints: plain text for a person, or JSON (``--json``) for scripts.

The wallet's views (:class:`wallet_app.cards.CardView`, :class:`wallet_app.presenting.ConsentView`)
are the same ones the app's screens show; this module only lays them out for a terminal.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

__all__ = ["card_text", "consent_text", "to_json"]


def to_json(view: Any) -> str:
    """One JSON object (a view dataclass, its nested items as objects)."""
    return json.dumps(dataclasses.asdict(view), ensure_ascii=False)


def card_text(card: Any) -> str:
    """A card as the card screen shows it: title, issuer, what it says, validity."""
    lines = [f"{card.title}  (id {card.id})", f"  issued by {card.issuer}; {card.received}"]
    lines += [f"  {item.label}: {item.value}" for item in card.items]
    if card.expired:  # the validity is one of the items already; an expired card says so loudly
        lines.append(f"  EXPIRED: {card.expiry}")
    return "\n".join(lines)


def consent_text(view: Any) -> str:
    """The consent screen in words: who asks, why, what they will see and only learn."""
    who = view.requester if view.verified else f"{view.requester} (NOT VERIFIED: the request is not signed by a known agency)"
    lines = [f"Request from: {who}", f"Purpose: {view.purpose}",
             f"Card that answers: {view.card_title}, issued by {view.issuer}"]
    if view.shown:
        lines.append("They will see:")
        lines += [f"  {item.label}: {item.value}" for item in view.shown]
    if view.proven:
        lines.append("They will only learn that:")
        lines += [f"  {p}" for p in view.proven]
    lines.append(f"Round identifier: {view.scope} (every agency in this round can tell if you enroll twice)")
    lines += [f"Warning: {w}" for w in view.warnings]
    return "\n".join(lines)
