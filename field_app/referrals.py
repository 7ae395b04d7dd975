"""Referrals at an agency desk (Kivy-free): the desk's private referral keys, and the list of
referrals addressed to the agency, decrypted here and nowhere else.

- :class:`DeskKeyring` keeps the desk's referral keys in one file (mode 0600, written
  atomically). ``zkaid referral keygen`` adds a key; only its public half is registered
  with the service. Old keys stay in the ring after rotation so that referrals sealed to
  them can still be opened until they expire.
- :class:`DeskReferrals` lists today's referrals (or those of the person whose wallet the
  desk just scanned: by pseudonym in the agency's referral scope), fetches and decrypts
  them, and records the status. The service sees ids and statuses, never the content.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from appkit.files import atomic_write
from field_app.reasons import SetupReason
from sdk.errors import ReferralError
from sdk.referral import X25519, ReferralContent, ReferralKeyPair, open_referral
from sdk.trust import TrustList

__all__ = ["DeskKeyring", "DeskReferral", "DeskReferrals", "day_start"]

DAY = 86400


def day_start(now: int) -> int:
    return now - now % DAY


class ReferralClient(Protocol):
    def referrals(self, *, box: str = ..., status: str | None = ..., pseudonym: bytes | None = ...,
                  since: int | None = ...) -> list[dict[str, Any]]: ...
    def referral_sealed(self, referral_id: str) -> bytes: ...
    def referral_status(self, referral_id: str, status: str) -> dict[str, Any]: ...


class DeskKeyring:
    """The desk's referral key pairs for one agency."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {"agency": None, "keys": []}
        except (OSError, ValueError) as exc:
            raise ReferralError(f"the desk keyring {self.path} is unreadable: {exc}", reason=SetupReason.BAD_KEYRING) from exc
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise ReferralError(f"{self.path} is not a desk keyring", reason=SetupReason.BAD_KEYRING)
        return data

    @property
    def agency(self) -> str | None:
        a = self._read().get("agency")
        return a if isinstance(a, str) else None

    def keys(self) -> list[ReferralKeyPair]:
        out = []
        for k in self._read()["keys"]:
            try:
                out.append(ReferralKeyPair.from_secret(str(k["suite"]), base64.b64decode(k["secret"], validate=True)))
            except (KeyError, TypeError, ValueError) as exc:
                raise ReferralError(f"a key in {self.path} is damaged", reason=SetupReason.BAD_KEYRING) from exc
        return out

    def generate(self, agency: str, suite: str = X25519) -> ReferralKeyPair:
        """A new key pair, kept in the ring; returns it (register ``.public_key``)."""
        data = self._read()
        if data.get("agency") not in (None, agency):
            raise ReferralError(f"this keyring belongs to {data['agency']}", reason=SetupReason.BAD_KEYRING)
        pair = ReferralKeyPair.generate(suite)
        data["agency"] = agency
        data["keys"].append({"suite": suite, "kid": pair.kid.hex(), "secret": base64.b64encode(pair.secret).decode()})
        self._write(json.dumps(data, indent=1).encode())
        return pair

    def _write(self, blob: bytes) -> None:
        atomic_write(self.path, blob, mode=0o600, make_parents=True)  # secret keys: 0600, durable


@dataclass(frozen=True)
class DeskReferral:
    """One referral as the desk shows it (content only when this desk could decrypt it)."""

    referral_id: str
    from_agency: str
    status: str
    submitted_at: int
    content: ReferralContent | None
    problem: str | None = None  # why the content is not shown (withdrawn, expired, tampered, ...)

    def line(self, trust_list: TrustList | None = None, lang: str = "en") -> str:
        if self.content is None:
            return f"{self.referral_id}  from {self.from_agency}  [{self.status}]  ({self.problem})"
        c = self.content
        t = trust_list.referral_type(c.referral_type) if trust_list is not None else None
        label = (t.labels.get(lang) or t.labels.get("en", c.referral_type)) if t else c.referral_type
        attrs = ", ".join(f"{k}={v}" for k, v in sorted(c.attributes.items()))
        return (f"{self.referral_id}  from {self.from_agency}  [{self.status}]  {label}, {c.urgency}: "
                f"{c.note or '-'}  ({attrs})")


class DeskReferrals:
    def __init__(self, client: ReferralClient, keys: Sequence[ReferralKeyPair], agency: str,
                 trust_list: TrustList | None = None) -> None:
        self.client, self.keys, self.agency, self.trust_list = client, list(keys), agency, trust_list

    def _open(self, item: dict[str, Any], now: int) -> DeskReferral:
        rid = str(item["referral_id"])
        if not item.get("has_content"):
            return DeskReferral(rid, str(item["from_agency"]), str(item["status"]), int(item["submitted_at"]), None,
                                "content deleted")
        sealed = self.client.referral_sealed(rid)
        try:
            _s, content = open_referral(sealed, self.keys, agency=self.agency, now=now, trust_list=self.trust_list)
        except ReferralError as exc:
            return DeskReferral(rid, str(item["from_agency"]), str(item["status"]), int(item["submitted_at"]),
                                None, exc.reason)
        status = "received" if item["status"] == "sent" else str(item["status"])
        return DeskReferral(rid, str(item["from_agency"]), status, int(item["submitted_at"]), content)

    def today(self, now: int) -> list[DeskReferral]:
        """Referrals to this agency submitted since midnight (UTC), decrypted here."""
        return [self._open(i, now) for i in self.client.referrals(box="inbox", since=day_start(now))]

    def for_person(self, pseudonym: bytes, now: int) -> list[DeskReferral]:
        """The referrals of the person whose wallet the desk scanned in the referral scope."""
        return [self._open(i, now) for i in self.client.referrals(box="inbox", pseudonym=pseudonym)]

    def update(self, referral_id: str, status: str) -> str:
        return str(self.client.referral_status(referral_id, status)["status"])
