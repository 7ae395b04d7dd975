"""Answering a request: the consent view first (who asks, why, what is shown and proven), and
only after the person agrees, the presentation codes; declining forgets the request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sdk.credential import Assessment, Credential, ReceivedRequest, read_request
from sdk.credential.profile import suite_of
from sdk.credential.request import scope_policy
from sdk.curves import get_backend
from sdk.errors import CredentialError, WireError, ZkaidError
from sdk.predicates import PredicateStatement, load_range_params
from sdk.reasons import CredentialReason
from sdk.transport import QREncoding
from sdk.transport import encode as qr_encode
from sdk.trust import FreshnessState, TrustList
from sdk.wire import Offer, PredicateSpec, PresentationRequest, decode, is_sign1
from wallet_app.cards import CardsSection, ShownItem
from wallet_app.reasons import WalletReason
from wallet_app.session import WalletError
from wallet_app.state import HistoryEntry
from wallet_app.storage import VaultError
from wallet_app.words import attribute_label, predicate_text, schema_title, value_text

__all__ = ["ConsentView", "PresentationCodes", "PresentingSection", "ScanRefusal"]


# A field desk forgets its request after 15 minutes (field_app.requests). Phones' clocks can be
# hours off (a time set by hand in the wrong zone), so the wallet refuses only a request made
# more than a day earlier: its answer could never be accepted. From an hour on, it warns.
REQUEST_MAX_AGE = 24 * 3600
REQUEST_AGE_WARNING = 3600


HISTORY_LIMIT = 500


class ScanRefusal(WalletError, CredentialError):
    """A scanned request the wallet will not answer, with the detail a person needs: the
    condition the card does not meet, the agencies the request accepts, or when it was made.

    ``detail`` is already in the person's language; ``reason`` keeps the code the error words
    and next step are found under (``error.<reason>``, ``next.<reason>``)."""

    def __init__(self, message: str, *, reason: str, detail: str = "") -> None:
        super().__init__(message, reason=reason)
        self.detail = detail


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
        if now - request.request.time > REQUEST_MAX_AGE:
            made = dt.datetime.fromtimestamp(request.request.time)  # the phone's local time
            raise ScanRefusal("this request was made too long ago: ask for a new one",
                              reason=WalletReason.REQUEST_EXPIRED,
                              detail=self.t("scan.detail.made", when=self.t.datetime(made)))
        request = scope_policy(request, trust)  # issue 13: a registry pseudonym only to who may ask for it
        credentials = self._credentials()
        try:
            assessment = holder.assess(request, credentials, trust, now=now)
        except CredentialError as exc:
            raise self._explain(exc, request, credentials, trust) from exc
        view = self._consent_view(assessment, request, trust)
        self._pending = (assessment, view)
        return view

    def _explain(self, exc: CredentialError, request: ReceivedRequest, credentials: list[Credential],
                 trust: TrustList) -> CredentialError:
        """The holder's refusal with its detail: which condition, which agencies."""
        t = self.t
        req = request.request
        if exc.reason in (CredentialReason.PREDICATE_NOT_SATISFIED, CredentialReason.PREDICATE_OUT_OF_RANGE):
            failed = self._failed_condition(req.predicates, req.issuers, credentials, trust, exc.reason)
            if failed is None:
                return exc
            cred, p = failed
            on = dt.datetime.fromtimestamp(req.time, dt.UTC).date()
            sentence = predicate_text(t, cred.schema.attribute(p.attribute), p.op, tuple(p.bounds), on=on)
            return ScanRefusal(f"{exc.message} ({p.attribute} {p.op} {list(p.bounds)})", reason=exc.reason,
                               detail=sentence)
        if exc.reason == CredentialReason.NO_MATCHING_CREDENTIAL:
            names = []
            for kid in req.issuers:
                entry = trust.issuer(kid)
                name = entry.name if entry is not None else t("scan.unknown_agency")
                if name not in names:
                    names.append(name)
            yours = sorted({c.issuer_name for c in self._require().cards})
            detail = t("scan.detail.accepts", accepted=", ".join(names) or t("scan.unknown_agency"),
                       yours=", ".join(yours))
            return ScanRefusal(exc.message, reason=exc.reason, detail=detail)
        return exc

    def _failed_condition(self, predicates: tuple[PredicateSpec, ...], issuers: tuple[bytes, ...],
                          credentials: list[Credential], trust: TrustList,
                          reason: str) -> tuple[Credential, PredicateSpec] | None:
        """The first condition a card of an accepted issuer does not meet (or, for
        ``predicate_out_of_range``, cannot prove), as the holder checks them."""
        for cred in credentials:
            entry = trust.issuer(cred.issuer_kid)
            if cred.issuer_kid not in issuers or entry is None or entry.range_params is None:
                continue
            try:
                values = cred.schema.scalars(cred.stored.values, suite_of(entry.suite))
                max_delta = load_range_params(entry.range_params, get_backend(self.config.backend)).max_delta
            except ZkaidError:
                continue
            for p in predicates:
                try:
                    stmt = PredicateStatement(cred.schema.index(p.attribute), p.op, tuple(p.bounds))
                except (ZkaidError, ValueError):
                    continue
                m = values[stmt.index]
                if reason == CredentialReason.PREDICATE_NOT_SATISFIED and not stmt.holds(m):
                    return cred, p
                if reason == CredentialReason.PREDICATE_OUT_OF_RANGE and stmt.holds(m) \
                        and any(s * (m - b) > max_delta for s, b in stmt.sides):
                    return cred, p
        return None

    def _consent_view(self, a: Assessment, request: ReceivedRequest, trust: TrustList) -> ConsentView:
        t = self.t
        schema = a.credential.schema
        values = a.credential.values
        req = request.request
        on = dt.datetime.fromtimestamp(req.time, dt.UTC).date()
        shown = tuple(
            ShownItem(attribute_label(t, schema.attribute(n)), value_text(t, schema.attribute(n), values[n]))
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
            issuer=a.issuer.name, card_title=schema_title(t, schema), shown=shown, proven=proven,
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

