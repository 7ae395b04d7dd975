"""Referral consent and history in the wallet (Kivy-free; the screen only shows this).

The person sees, in their language and in plain words, who refers them to whom, for what,
what exactly will be shared (the same bytes that are sealed: the SDK checks the content
digest), and until when the receiving agency may read it. "Yes" produces the consent (a
presentation bound to the referral's digest) for the caseworker's desk to send; "No" sends
nothing and keeps only a line in the history on this phone. Later the person can withdraw:
the wallet proves, in the same referral scope, that it is the one who agreed, and the
service deletes the receiving agency's copy.

The history lives inside the encrypted vault (``WalletState.settings["referrals"]``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from appkit.i18n import Catalog, Translator
from sdk.errors import ReferralError, ZkaidError
from sdk.referral import ReceivedOffer, ReferralOffer, consent, read_offer, withdraw
from sdk.referral.envelope import decode_message
from wallet_app.i18n import Translator as WalletWords
from wallet_app.reasons import WalletReason
from wallet_app.words import attribute_label

__all__ = [
    "ReferralConsentView",
    "ReferralRecord",
    "WalletReferrals",
    "is_referral_offer",
    "referral_languages",
    "referral_text",
]

HISTORY_KEY = "referrals"
MAX_HISTORY = 200


# The referral sentences are their own set of files (i18n/referrals/<lang>.json), read with the
# translator both apps share: English when a key or a language is missing, placeholders that
# never raise.
_CATALOG = Catalog("wallet_app.i18n", folder="referrals")


class _ReferralWords(Translator):
    catalog = _CATALOG


def referral_languages() -> tuple[str, ...]:
    return _CATALOG.languages


def referral_text(lang: str, key: str, **values: Any) -> str:
    """A referral sentence in ``lang`` (English when missing)."""
    return _ReferralWords(lang)(key, **values)


def is_referral_offer(data: bytes) -> bool:
    """True when scanned bytes are a caseworker's referral offer (for the scanner's routing)."""
    try:
        decode_message(data, ReferralOffer, "referral offer")
    except ReferralError:
        return False
    return True


class WithdrawClient(Protocol):
    def withdraw_referral(self, referral_id: str, withdrawal: bytes) -> dict[str, Any]: ...


def _default_client(base_url: str, timeout: float) -> WithdrawClient:
    from sdk.client import ServiceClient

    return ServiceClient(base_url, timeout=timeout)


@dataclass(frozen=True)
class ReferralConsentView:
    """Everything the consent screen shows, already in the person's language."""

    referral_id: str
    from_agency: str
    to_agency: str
    what: str
    urgency: str
    shared: tuple[tuple[str, str], ...]  # (label, value) pairs
    note: str
    until: str
    lines: tuple[str, ...]  # the plain-words summary, in order
    # the consent request is signed by a desk key of the trust list; ``requester`` is then the
    # key's name there, otherwise the agency id the referral claims (shown with a warning)
    verified: bool = False
    requester: str = ""

    def __str__(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class ReferralRecord:
    referral_id: str
    digest: str
    to_agency: str
    to_agency_name: str
    what: str
    at: int
    status: str  # consented | declined | withdrawn

    def to_map(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_map(cls, m: Mapping[str, Any]) -> ReferralRecord:
        return cls(str(m["referral_id"]), str(m["digest"]), str(m["to_agency"]), str(m["to_agency_name"]),
                   str(m["what"]), int(m["at"]), str(m["status"]))


class WalletReferrals:
    """Referral actions over an unlocked :class:`wallet_app.service.WalletService`."""

    def __init__(self, wallet: Any, *, client_factory: Callable[[str, float], WithdrawClient] | None = None) -> None:
        self.wallet = wallet
        self._client_factory = client_factory or _default_client
        self._pending: ReceivedOffer | None = None

    # -- what the screen shows ---------------------------------------------------------
    def consider(self, offer: bytes) -> ReferralConsentView:
        """Check an offer from the caseworker's desk and describe it; ReferralError when it
        is altered, expired, for an unknown agency or type."""
        tl = self.wallet.trust_list()
        if tl is None:
            raise ReferralError("the wallet has no list of agencies yet: receive a card first", reason=WalletReason.NO_TRUST_LIST)
        ro = read_offer(offer, tl, now=self.wallet.now())
        self._pending = ro
        return self._view(ro)

    def _view(self, ro: ReceivedOffer) -> ReferralConsentView:
        lang = self.wallet.language
        c = ro.content
        tl = self.wallet.trust_list()
        tdef = tl.referral_type(c.referral_type) if tl is not None else None
        what = (tdef.labels.get(lang) or tdef.labels.get("en") or c.referral_type) if tdef else c.referral_type
        labels = self._attribute_labels(lang)
        shared = tuple((labels.get(k, k.replace("_", " ")), _show(v)) for k, v in sorted(c.attributes.items()))
        until = dt.datetime.fromtimestamp(c.expires, dt.UTC).date().isoformat()
        fa, ta = ro.from_agency_name, ro.to_agency_name
        urg = referral_text(lang, f"urgency.{c.urgency}")
        verified = ro.verified
        lines = [referral_text(lang, "verified", name=fa) if verified else referral_text(lang, "unverified", name=fa),
                 referral_text(lang, "intro", from_agency=fa, to_agency=ta), referral_text(lang, "for", what=what),
                 referral_text(lang, "urgency", urgency=urg), referral_text(lang, "shares", to_agency=ta)]
        lines += [f"  - {label}: {value}" for label, value in shared]
        lines.append(referral_text(lang, "note", note=c.note) if c.note else referral_text(lang, "no_note"))
        lines += [referral_text(lang, "until", to_agency=ta, until=until), referral_text(lang, "only", to_agency=ta),
                  referral_text(lang, "withdraw_hint"), referral_text(lang, "question")]
        return ReferralConsentView(c.referral_id.hex(), fa, ta, what, urg, shared, c.note, until, tuple(lines),
                                   verified, fa)

    def _attribute_labels(self, lang: str) -> dict[str, str]:
        out: dict[str, str] = {}
        try:
            creds = self.wallet._credentials()
        except ZkaidError:
            return out
        t = WalletWords(lang)  # the card's words (attribute.<name>), as cards and consent show them
        for cred in creds:
            for a in cred.schema.attributes:
                out.setdefault(a.name, attribute_label(t, a))
        return out

    # -- the person's answer -----------------------------------------------------------
    def accept(self) -> bytes:
        """Consent: the ReferralSubmission bytes for the caseworker's desk (QR or link)."""
        ro = self._take()
        tl = self.wallet.trust_list()
        sub = consent(self.wallet._holder, ro, self.wallet._credentials(), tl, now=self.wallet.now())
        self._record(ro, "consented")
        return sub

    def decline(self) -> None:
        """Nothing leaves the phone; the history keeps that the person said no."""
        self._record(self._take(), "declined")

    def _take(self) -> ReceivedOffer:
        if self._pending is None:
            raise ReferralError("there is no referral waiting for an answer", reason=WalletReason.NOTHING_PENDING)
        ro, self._pending = self._pending, None
        return ro

    # -- history and withdrawal --------------------------------------------------------
    def history(self) -> list[ReferralRecord]:
        state = self.wallet._require()
        return [ReferralRecord.from_map(m) for m in state.settings.get(HISTORY_KEY, [])]

    def history_lines(self) -> list[str]:
        lang = self.wallet.language
        recs = self.history()
        if not recs:
            return [referral_text(lang, "history.empty")]
        return [referral_text(lang, "history.item", date=dt.datetime.fromtimestamp(r.at, dt.UTC).date().isoformat(),
                              what=r.what, to_agency=r.to_agency_name,
                              status=referral_text(lang, f"status.{r.status}")) for r in reversed(recs)]

    def withdraw(self, referral_id: str) -> ReferralRecord:
        """Withdraw consent: the service deletes the receiving agency's copy (OfflineError
        when offline: nothing changes, try again)."""
        rec = next((r for r in self.history() if r.referral_id == referral_id), None)
        if rec is None or rec.status != "consented":
            raise ReferralError("this referral is not one you agreed to", reason=WalletReason.UNKNOWN_REFERRAL)
        url = self.wallet.config.service_url
        if not url:
            raise ReferralError("no agency service is configured on this phone", reason=WalletReason.NO_SERVICE)
        tl = self.wallet.trust_list()
        data = withdraw(self.wallet._holder, self.wallet._credentials(), tl, referral_id=bytes.fromhex(referral_id),
                        digest=bytes.fromhex(rec.digest), to_agency=rec.to_agency, now=self.wallet.now())
        self._client_factory(url, self.wallet.config.timeout).withdraw_referral(referral_id, data)
        return self._set_status(referral_id, "withdrawn")

    def _record(self, ro: ReceivedOffer, status: str) -> None:
        view = self._view(ro)
        rec = ReferralRecord(view.referral_id, ro.sealed.digest.hex(), ro.content.to_agency, view.to_agency,
                             view.what, self.wallet.now(), status)
        new = self.wallet._require().copy()
        items = [m for m in new.settings.get(HISTORY_KEY, []) if m.get("referral_id") != rec.referral_id]
        new.settings[HISTORY_KEY] = [*items, rec.to_map()][-MAX_HISTORY:]
        self.wallet._commit(new)

    def _set_status(self, referral_id: str, status: str) -> ReferralRecord:
        new = self.wallet._require().copy()
        items = list(new.settings.get(HISTORY_KEY, []))
        for m in items:
            if m.get("referral_id") == referral_id:
                m["status"] = status
        new.settings[HISTORY_KEY] = items
        self.wallet._commit(new)
        return next(r for r in self.history() if r.referral_id == referral_id)


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, bytes):
        return v.hex()
    return str(v)
