"""The wallet's logic, without Kivy: unlock, onboarding, receive, cards, consent, present, history.

Screens call these methods and show the returned *views* (plain dataclasses whose strings
are already in the person's language); they never touch the SDK, the vault or the network.
This keeps screens thin and lets the whole journey be tested without a window.

Privacy rules enforced here rather than in screens:

- a request is first turned into a :class:`ConsentView` that says who asks (the agency
  name only when its signature verified against the trust list), why, what will be shown
  and what will be proven without being shown; nothing is computed for the verifier until
  :meth:`WalletService.accept` is called, and :meth:`WalletService.decline` forgets the
  request;
- only what the request asks is disclosed (the SDK proves exactly the listed attributes and
  predicates, nothing else);
- the history stays in the encrypted vault and is never sent anywhere.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sdk.credential import (
    Assessment,
    Credential,
    Holder,
    ReceivedRequest,
    Schema,
    WalletSeed,
    read_request,
)
from sdk.credential.lifecycle import bind_issuance_request
from sdk.credential.request import scope_policy
from sdk.curves import get_backend
from sdk.errors import CredentialError, TrustListError, WireError, ZkaidError
from sdk.predicates import load_range_params
from sdk.reasons import CredentialReason, TrustReason
from sdk.transport import QREncoding
from sdk.transport import encode as qr_encode
from sdk.trust import FreshnessState, TrustList, check_update, load_trust_list
from sdk.wire import (
    IssuedCredential,
    Offer,
    PresentationRequest,
    StoredCredential,
    decode,
    encode,
    is_sign1,
)
from wallet_app.config import WalletConfig
from wallet_app.i18n import DEFAULT_LANGUAGE, Translator
from wallet_app.reasons import WalletReason
from wallet_app.state import CardRecord, HistoryEntry, WalletState
from wallet_app.storage import LockStatus, Vault, VaultError, save_file
from wallet_app.words import predicate_text, value_text

__all__ = [
    "PIN_LENGTH",
    "CardView",
    "ConsentView",
    "HistoryView",
    "IssuanceClient",
    "Onboarding",
    "PinPolicyError",
    "PresentationCodes",
    "ShownItem",
    "WalletError",
    "WalletService",
]

PIN_LENGTH = 6
RECOVERY_CHECKS = 2  # groups of the recovery code the person types back
HISTORY_LIMIT = 500
REQUEST_AGE_WARNING = 24 * 3600


class WalletError(ZkaidError):
    """A wallet action cannot go ahead; ``reason`` maps to a translated message."""

    default_reason: ClassVar[str] = WalletReason.WALLET


class PinPolicyError(WalletError):
    default_reason: ClassVar[str] = WalletReason.PIN_POLICY


class IssuanceClient(Protocol):
    """The part of :class:`sdk.client.ServiceClient` the wallet uses (public endpoints)."""

    def trust_list(self, *, if_sequence: int | None = None) -> bytes | None: ...
    def offer_by_code(self, code: str) -> bytes: ...
    def issue(self, issuance_request: bytes) -> bytes: ...


def _default_client(base_url: str, timeout: float) -> IssuanceClient:
    from sdk.client import ServiceClient

    return ServiceClient(base_url, timeout=timeout)


# ----------------------------------------------------------------------------- views


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
class HistoryView:
    when: str
    requester: str
    verified: bool
    purpose: str
    shown: tuple[ShownItem, ...]
    proven: tuple[str, ...]


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


@dataclass
class Onboarding:
    """A wallet being created: the seed lives only here until the recovery check passes."""

    seed: WalletSeed
    checks: tuple[int, ...]  # 1-based group numbers the person must type back
    confirmed: bool = False

    def __repr__(self) -> str:
        return f"Onboarding(checks={self.checks}, confirmed={self.confirmed})"

    @property
    def recovery_code(self) -> str:
        return self.seed.recovery_code()

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.recovery_code.split("-"))


# ----------------------------------------------------------------------------- service


def check_pin_policy(pin: str) -> None:
    """Six digits, not all the same and not a straight run (123456, 987654)."""
    if len(pin) != PIN_LENGTH or not pin.isdigit() or not pin.isascii():
        raise PinPolicyError(f"the PIN must have {PIN_LENGTH} digits", reason=WalletReason.PIN_LENGTH)
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({0}, {1}, {9}):
        raise PinPolicyError("this PIN is too easy to guess", reason=WalletReason.PIN_WEAK)


def service_base(endpoint: str) -> str | None:
    """The service address from an offer's endpoint ('https://a.example/v1/issue' ->
    'https://a.example'); None when the offer names none."""
    if not endpoint:
        return None
    parsed = urllib.parse.urlparse(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        return None
    path = parsed.path.rstrip("/")
    for suffix in ("/v1/issue", "/issue"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return urllib.parse.urlunparse((parsed.scheme, parsed.netloc, path, "", "", ""))


class WalletService:
    """One wallet on one phone. Not thread-safe: the UI runs one action at a time."""

    PREFS = "prefs.json"

    def __init__(
        self, config: WalletConfig, *, vault: Vault | None = None,
        client_factory: Callable[[str, float], IssuanceClient] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.vault = vault if vault is not None else Vault(
            config.data_dir, kdf=config.kdf, policy=config.delay, clock=clock
        )
        self._client_factory = client_factory or _default_client
        self._clock = clock
        self._state: WalletState | None = None
        self._holder: Holder | None = None
        self._trust: TrustList | None = None
        self._pending: tuple[Assessment, ConsentView] | None = None
        lang = self._read_prefs().get("language")
        self._language: str = lang if isinstance(lang, str) and lang in config.languages else DEFAULT_LANGUAGE
        self.recovered_from_backup = False

    def __repr__(self) -> str:
        return f"WalletService({str(self.config.data_dir)!r}, unlocked={self.is_unlocked})"

    # -- basics --------------------------------------------------------------------
    def now(self) -> int:
        return int(self._clock())

    @property
    def t(self) -> Translator:
        return Translator(self._language)

    @property
    def language(self) -> str:
        return self._language

    def set_language(self, lang: str) -> None:
        """Kept outside the vault too (non-secret), so the PIN screen speaks it before unlock."""
        if lang not in self.config.languages:
            raise WalletError(f"unsupported language {lang!r}", reason=WalletReason.LANGUAGE)
        self._language = lang
        self._write_prefs({"language": lang})
        if self._state is not None:
            new = self._state.copy()
            new.settings["language"] = lang
            self._commit(new)

    def _read_prefs(self) -> dict[str, Any]:
        try:
            data = json.loads((self.config.data_dir / self.PREFS).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_prefs(self, prefs: Mapping[str, Any]) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        save_file(self.config.data_dir / self.PREFS, json.dumps(dict(prefs)).encode())

    def has_wallet(self) -> bool:
        return self.vault.exists()

    @property
    def is_unlocked(self) -> bool:
        return self._state is not None

    def lock_status(self) -> LockStatus:
        return self.vault.status()

    def _require(self) -> WalletState:
        if self._state is None:
            raise WalletError("the wallet is locked", reason=WalletReason.LOCKED)
        return self._state

    def _commit(self, new: WalletState) -> None:
        """Save first, then switch: a failed write leaves memory and disk as they were."""
        self.vault.save(new.to_bytes())
        self._state = new

    def _start(self, state: WalletState) -> None:
        self._state = state
        self._holder = Holder(WalletSeed(state.seed), backend=self.config.backend)
        self._trust = None
        lang = state.settings.get("language")
        if isinstance(lang, str) and lang in self.config.languages and lang != self._language:
            self._language = lang
            self._write_prefs({"language": lang})

    # -- unlock ----------------------------------------------------------------------
    def unlock(self, pin: str) -> None:
        """Open the vault (WrongPinError, LockedOutError, CorruptedVaultError, ...)."""
        opened = self.vault.open(pin)
        self.recovered_from_backup = opened.recovered
        try:
            state = WalletState.from_bytes(opened.plaintext)
        except ZkaidError:
            self.vault.close()
            raise
        self._start(state)

    def lock(self) -> None:
        self.vault.close()
        self._state = None
        self._holder = None
        self._trust = None
        self._pending = None

    # -- onboarding ------------------------------------------------------------------
    def new_onboarding(self, *, randbelow: Callable[[int], int] = secrets.randbelow,
                       seed: WalletSeed | None = None) -> Onboarding:
        """A fresh seed (``seed`` only for reproducible demos) and the groups to check."""
        seed = seed or WalletSeed.generate()
        groups = len(seed.recovery_code().split("-"))
        picks: list[int] = []
        while len(picks) < RECOVERY_CHECKS:
            g = randbelow(groups) + 1
            if g not in picks:
                picks.append(g)
        return Onboarding(seed, tuple(sorted(picks)))

    @staticmethod
    def check_written(onboarding: Onboarding, answers: Mapping[int, str]) -> bool:
        """True when every asked group was typed back correctly (case and O/0 forgiving)."""
        def norm(s: str) -> str:
            return s.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")

        groups = onboarding.groups
        ok = all(norm(answers.get(g, "")) == norm(groups[g - 1]) for g in onboarding.checks)
        onboarding.confirmed = ok
        return ok

    def finish_onboarding(self, onboarding: Onboarding, pin: str) -> None:
        if not onboarding.confirmed:
            raise WalletError("the recovery code was not confirmed", reason=WalletReason.RECOVERY_NOT_CONFIRMED)
        self._create(onboarding.seed, pin, replace=False)

    @staticmethod
    def check_recovery_code(recovery_code: str) -> None:
        """CredentialError (recovery_code_length / _char / _checksum) when the code is wrong."""
        WalletSeed.from_recovery_code(recovery_code)

    def restore(self, recovery_code: str, pin: str, *, replace: bool = False) -> None:
        """A wallet from a paper recovery code (CredentialError with a reason when a
        character or the checksum is wrong). Credentials are not in the code: the
        registrar re-issues them, and the same seed gives the same pseudonyms."""
        seed = WalletSeed.from_recovery_code(recovery_code)
        self._create(seed, pin, replace=replace)

    def _create(self, seed: WalletSeed, pin: str, *, replace: bool) -> None:
        check_pin_policy(pin)
        state = WalletState(seed=seed.secret, settings={"language": self._language})
        self.vault.create(pin, state.to_bytes(), replace=replace)
        self._write_prefs({"language": self._language})
        self._start(state)

    # -- trust list --------------------------------------------------------------------
    def trust_list(self) -> TrustList | None:
        state = self._require()
        if self._trust is None and state.trust_list is not None:
            self._trust = load_trust_list(state.trust_list, self.config.trust_anchors)
        return self._trust

    def _refresh_trust(self, client: IssuanceClient, state: WalletState) -> TrustList:
        """Fetch a newer list if any; keep ours when the service has nothing newer. A list
        is accepted only when signed by a configured anchor and never rolls back."""
        current = self.trust_list()
        data = client.trust_list(if_sequence=current.sequence if current else None)
        if data is None:
            if current is None:
                raise TrustListError("the service sent no trust list", reason=TrustReason.MALFORMED)
            return current
        fresh = load_trust_list(data, self.config.trust_anchors)
        try:
            check_update(current, fresh)
        except TrustListError:
            assert current is not None  # check_update only refuses when there is a current list
            return current  # keep ours: the service sent an older (or a conflicting) list
        state.trust_list = fresh.signed
        return fresh

    def refresh_trust_list(self) -> None:
        """Update the list of agencies from the configured service (OfflineError when offline)."""
        if not self.config.service_url:
            raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
        new = self._require().copy()
        tl = self._refresh_trust(self._client_factory(self.config.service_url, self.config.timeout), new)
        self._commit(new)
        self._trust = tl

    # -- receive -------------------------------------------------------------------------
    def receive_code(self, code: str) -> CardView:
        """A credential from a short code typed by the person (needs the configured service)."""
        cleaned = re.sub(r"[^0-9A-Za-z]", "", code)
        if not 4 <= len(cleaned) <= 32:
            raise WalletError("the code looks incomplete", reason=WalletReason.CODE_FORMAT)
        if not self.config.service_url:
            raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
        client = self._client_factory(self.config.service_url, self.config.timeout)
        return self.receive_offer(client.offer_by_code(code), client=client)

    def receive_offer(self, data: bytes, *, client: IssuanceClient | None = None) -> CardView:
        """Scanned offer -> issuance through the service -> verified credential stored.

        Raises OfflineError when the service cannot be reached, ServiceError when it
        refuses (token used or expired), CredentialError when what comes back does not
        verify (nothing is stored then)."""
        state = self._require()
        holder = self._holder
        assert holder is not None
        try:
            offer = decode(data, Offer)
        except WireError as exc:
            raise WalletError("this code is not a card offer", reason=WalletReason.NOT_OFFER) from exc
        if offer.expires <= self.now():
            raise WalletError("this offer has expired: ask for a new one", reason=WalletReason.OFFER_EXPIRED)
        if client is None:
            base = service_base(offer.endpoint) or self.config.service_url
            if not base:
                raise WalletError("no agency service is configured", reason=WalletReason.NO_SERVICE)
            client = self._client_factory(base, self.config.timeout)
        new = state.copy()
        trust = self._refresh_trust(client, new)
        trust.require_usable(self.now())
        issuer = trust.issuer(offer.issuer_kid)
        if issuer is None:
            raise CredentialError("the card's issuer is not in the trust list", reason=CredentialReason.UNKNOWN_ISSUER)
        if not issuer.valid_at(self.now()):
            raise CredentialError("the card's issuer key is not valid now", reason=CredentialReason.ISSUER_NOT_VALID)
        sdef = trust.schema(offer.schema_id, offer.schema_version)
        if sdef is None:
            raise CredentialError("the trust list does not describe this kind of card", reason=CredentialReason.UNKNOWN_SCHEMA)
        schema = Schema.from_def(sdef)
        request, pending = holder.start_issuance(offer, issuer)  # the issuer's suite and nym count
        # issue 13: the person binding lets a re-issue keep this person's pseudonyms
        request = bind_issuance_request(request, pending, suite=issuer.suite, backend=self.config.backend)
        issued_bytes = client.issue(encode(request))
        try:
            issued = decode(issued_bytes, IssuedCredential)
        except WireError as exc:
            raise CredentialError("the service sent an unreadable credential", reason=CredentialReason.INVALID_CREDENTIAL) from exc
        cred = holder.finish_issuance(pending, issued, issuer, schema, now=self.now())
        record = CardRecord(secrets.token_hex(8), encode(cred.stored), schema.ref, issuer.name, self.now())
        new.cards.insert(0, record)
        new.schemas[schema.ref] = schema.to_json()
        self._commit(new)
        self._trust = trust
        return self._card_view(record)

    # -- cards ---------------------------------------------------------------------------
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

    def clear_history(self) -> int:
        """Forget the record of past presentations kept on this phone; returns how many."""
        state = self._require()
        n = len(state.history)
        new = state.copy()
        new.history = []
        self._commit(new)
        return n

    def _card_view(self, record: CardRecord) -> CardView:
        t = self.t
        schema = self._schema(record.schema_ref)
        cred = Credential(decode(record.stored, StoredCredential), schema)
        values = cred.values
        items = tuple(ShownItem(a.label(t.lang), value_text(t, a, values[a.name])) for a in schema.attributes
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
        return CardView(record.id, schema.display_title(t.lang), record.issuer_name, items, text, expired,
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

    # -- present -------------------------------------------------------------------------
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

    # -- history ------------------------------------------------------------------------------
    def history(self) -> list[HistoryView]:
        t = self.t
        out = []
        for h in self._require().history:
            try:
                schema = self._schema(h.schema_ref)
            except KeyError:
                continue
            shown = tuple(
                ShownItem(schema.attribute(n).label(t.lang), value_text(t, schema.attribute(n),
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


def _local(ts: int) -> dt.datetime:
    """The phone's local time: what the person reads on the wall clock."""
    return dt.datetime.fromtimestamp(ts)
