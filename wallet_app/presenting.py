"""Answering a request: the consent view first (who asks, why, what is shown and proven), and
only after the person agrees, the presentation codes; declining forgets the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sdk.credential import Assessment, ReceivedRequest, read_request
from sdk.credential.request import scope_policy
from sdk.errors import WireError
from sdk.transport import QREncoding
from sdk.transport import encode as qr_encode
from sdk.trust import FreshnessState, TrustList
from sdk.wire import Offer, PresentationRequest, decode, is_sign1
from wallet_app.cards import CardsSection, ShownItem
from wallet_app.reasons import WalletReason
from wallet_app.session import WalletError
from wallet_app.state import HistoryEntry
from wallet_app.storage import VaultError
from wallet_app.words import predicate_text, value_text

__all__ = ["ConsentView", "PresentationCodes", "PresentingSection"]


REQUEST_AGE_WARNING = 24 * 3600


HISTORY_LIMIT = 500


@dataclass(frozen=True)
class ConsentView:
    verified: bool
    requester: str  # verified agency name, or the name the request claims (unverified)
    purpose: str
    issuer: str  # who issued the card that will answer
    card_title: str
    shown: tuple[ShownItem, ...]  # shown to the requester
    proven: tuple[str, ...]  # proven without showing, in plain words
    scope: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PresentationCodes:
    """What the present screen shows: one QR code or an animated sequence."""

    payload: bytes
    encoding: QREncoding
    history_saved: bool = True

    @property
    def animated(self) -> bool:
        return not self.encoding.single

    @property
    def parts(self) -> int:
        return self.encoding.count

    def code(self, seq: int) -> bytes:
        return self.encoding.code(seq)

    def loop(self) -> tuple[bytes, ...]:
        """The codes of one display loop: K parts plus repair parts (specs/qr-transport.md §3.4)."""
        return self.encoding.cycle()


class PresentingSection(CardsSection):
    """Consent and presentation."""

    def scanned_kind(self, data: bytes) -> str:
        """'offer', 'request' or 'other': one Scan button serves both journeys."""
        try:
            decode(data, Offer)
            return "offer"
        except WireError:
            pass
        if is_sign1(data):  # only requests travel signed to a wallet
            return "request"
        try:
            decode(data, PresentationRequest)
            return "request"
        except WireError:
            return "other"

    def consider_request(self, data: bytes) -> ConsentView:
        """Read a scanned request and describe it for the consent screen. Nothing is sent
        or computed for the requester here."""
        state = self._require()
        holder = self._holder
        assert holder is not None
        self._pending = None
        trust = self.trust_list()
        if trust is None or not state.cards:
            raise WalletError("there is no card in this wallet yet", reason=WalletReason.NO_CARDS)
        now = self.now()
        request = read_request(data, trust, now=now)
        request = scope_policy(request, trust)  # issue 13: a registry pseudonym only to who may ask for it
        assessment = holder.assess(request, self._credentials(), trust, now=now)
        view = self._consent_view(assessment, request, trust)
        self._pending = (assessment, view)
        return view

    def _consent_view(self, a: Assessment, request: ReceivedRequest, trust: TrustList) -> ConsentView:
        t = self.t
        schema = a.credential.schema
        values = a.credential.values
        req = request.request
        on = dt.datetime.fromtimestamp(req.time, dt.UTC).date()
        shown = tuple(
            ShownItem(schema.attribute(n).label(t.lang), value_text(t, schema.attribute(n), values[n]))
            for n in a.disclose
        )
        proven = tuple(
            predicate_text(t, schema.attribute(p.attribute), p.op, tuple(p.bounds), on=on) for p in a.predicates
        )
        warnings = []
        fresh = trust.freshness(self.now())
        if fresh.state is not FreshnessState.FRESH:
            warnings.append(t("consent.warn_trust_list"))
        if abs(self.now() - req.time) > REQUEST_AGE_WARNING:
            warnings.append(t("consent.warn_old_request"))
        if request.one_time:
            warnings.append(t("consent.warn_one_time_scope", scope=req.scope))
        requester = a.verifier_name if a.verifier_name else req.verifier_id
        return ConsentView(
            verified=a.verifier_name is not None, requester=requester, purpose=a.purpose(t.lang),
            issuer=a.issuer.name, card_title=schema.display_title(t.lang), shown=shown, proven=proven,
            scope=request.scope, warnings=tuple(warnings),
        )

    @property
    def pending_consent(self) -> ConsentView | None:
        return self._pending[1] if self._pending else None

    def decline(self) -> None:
        """Forget the request: nothing is computed, shown or recorded."""
        self._pending = None

    def accept(self) -> PresentationCodes:
        """The person agreed: compute the presentation, record it in the history, and
        return the QR codes to show."""
        state = self._require()
        holder = self._holder
        if self._pending is None or holder is None:
            raise WalletError("there is no request to answer", reason=WalletReason.NO_REQUEST)
        assessment, _view = self._pending
        self._pending = None
        payload = holder.present(assessment)
        req = assessment.request.request
        raw = assessment.credential.stored.values
        schema = assessment.credential.schema
        entry = HistoryEntry(
            at=self.now(), verifier_id=req.verifier_id, verifier_name=assessment.verifier_name,
            purpose=dict(req.purpose), scope=assessment.request.scope, issuer_name=assessment.issuer.name,
            schema_ref=schema.ref, disclosed={n: raw[schema.index(n)] for n in assessment.disclose},
            predicates=tuple((p.attribute, p.op, tuple(p.bounds)) for p in assessment.predicates),
            request_time=req.time,
        )
        new = state.copy()
        new.history.insert(0, entry)
        del new.history[HISTORY_LIMIT:]
        saved = True
        try:
            self._commit(new)
        except VaultError:
            saved = False  # the person can still show the code; the screen says history failed
        return PresentationCodes(payload, qr_encode(payload), history_saved=saved)

