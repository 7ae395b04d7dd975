"""The field device's logic, without any UI: set up, ask, check, record, sync.

:class:`FieldService` is what the Kivy screens and the command line both drive:

- :meth:`FieldService.new_request` makes a fresh request for the next person (new nonce,
  "not expired" resolved to today, signed with the device's verifier key once the trust
  list lists it);
- :meth:`FieldService.check` takes the decoded bytes of a presentation and, in one step,
  verifies it offline against the cached signed trust list and records the pseudonym in
  the ledger, returning a typed :class:`Result`: yes or no, a reason code, what was
  disclosed, which conditions held, and the trust list's freshness;
- :meth:`FieldService.sync` uploads this device's enrollments, downloads the others' and
  keeps the duplicates the service reports as conflicts for follow-up.

The clock (``clock=``) and the service client (``client_factory=``) are seams, so tests
run whole days of a distribution point in a second and two devices against one service.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from field_app.config import DataFolder, FieldConfig, SetupError
from field_app.ledger import Conflict, LedgerStats, SQLiteLedger
from field_app.reasons import CHECK_REASONS, CheckReason, ReadyState, SetupReason, SyncState
from field_app.revocation import RevocationStore
from sdk.client import DuplicateEvent, ServiceClient, SyncDuplicate, SyncItem, SyncUpdate
from sdk.credential import (
    AlreadyEnrolled,
    Enrollment,
    ReceivedRequest,
    Schema,
    VerifierKey,
    build_request,
    read_request,
    verify_presentation,
)
from sdk.credential.revocation import RevocationList
from sdk.credential.schema import date_to_days
from sdk.credential.status import check_card_status
from sdk.curves import CurveBackend
from sdk.errors import (
    CredentialError,
    OfflineError,
    ServiceError,
    TrustListError,
    VerificationError,
    WireError,
)
from sdk.reasons import WireReason
from sdk.trust import (
    Freshness,
    FreshnessState,
    TrustAnchor,
    TrustList,
    check_update,
    load_trust_list,
)
from sdk.wire import MAGIC, Presentation, decode

__all__ = [
    "NO_REASONS",
    "FieldService",
    "IssuedRequest",
    "Readiness",
    "Result",
    "SyncReport",
]

log = logging.getLogger(__name__)

# Every way a check can say no: the SDK verifier's refusals and the field app's own
# (field_app.reasons). Each has words under "reason.<code>" in field_app/i18n.
NO_REASONS: tuple[str, ...] = tuple(dict.fromkeys(
    r for group in CHECK_REASONS for r in group if r is not CheckReason.ENROLLED))

EXPIRY_ATTRIBUTE = "valid_until"  # checked directly when a template discloses it


@dataclass(frozen=True)
class IssuedRequest:
    """A request this device handed out and will accept one answer to."""

    data: bytes  # the QR payload (COSE_Sign1 when signed)
    received: ReceivedRequest
    created_at: int
    expires_at: int

    @property
    def digest(self) -> bytes:
        return self.received.digest

    @property
    def signed(self) -> bool:
        return self.received.signer_kid is not None


@dataclass(frozen=True)
class Result:
    """The answer to one check: what the big screen says."""

    ok: bool
    reason: str  # CheckReason.ENROLLED when ok, else a code of NO_REASONS (or a newer SDK's)
    checked_at: int
    scope: str = ""
    detail: str = ""  # technical detail in English, for logs and the command line
    disclosed: Mapping[str, Any] = field(default_factory=dict)
    predicates: tuple[tuple[str, str, tuple[int, ...]], ...] = ()
    schema: Schema | None = None
    freshness: Freshness | None = None
    first: Enrollment | None = None  # the earlier enrollment, for already_enrolled_*
    issuer: str = ""
    pseudonym: bytes | None = None
    elapsed_ms: float = 0.0

    @property
    def known(self) -> bool:
        """Whether the app has words for this reason (a newer SDK may raise codes it has not)."""
        return self.reason == CheckReason.ENROLLED or self.reason in NO_REASONS

    @property
    def message_key(self) -> str:
        return f"reason.{self.reason}" if self.known else "reason.unknown"

    @property
    def headline_key(self) -> str:
        return f"headline.{self.reason}" if self.known else "headline.unknown"

    @property
    def message_args(self) -> dict[str, str]:
        if self.first is None:
            return {"reason": str(self.reason)}
        when = dt.datetime.fromtimestamp(self.first.at, dt.UTC)
        return {"agency": self.first.agency, "date": when.date().isoformat(),
                "time": when.strftime("%H:%M"), "reason": str(self.reason)}

    @property
    def stale(self) -> bool:
        return self.freshness is not None and self.freshness.state is FreshnessState.STALE


@dataclass(frozen=True)
class Readiness:
    """Whether the device can check people now, and if not, what to do first."""

    state: ReadyState
    freshness: Freshness | None = None

    @property
    def ready(self) -> bool:
        return self.state is ReadyState.READY


@dataclass(frozen=True)
class SyncReport:
    ok: bool
    reason: SyncState
    at: int
    detail: str = ""
    uploaded: int = 0
    accepted: int = 0
    duplicates: int = 0
    received: int = 0
    new_conflicts: int = 0
    trust_list_updated: bool = False

    @property
    def message_key(self) -> str:
        return f"sync.{self.reason}"


class FieldService:
    """One field device: its data folder, trust list, ledger and requests."""

    def __init__(
        self,
        data_dir: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        backend: str | CurveBackend | None = None,
        client_factory: Callable[[str, str | None], ServiceClient] = ServiceClient,
        persist_requests: bool = False,
        ledger: SQLiteLedger | None = None,
    ) -> None:
        self.folder = DataFolder(data_dir)
        self._clock = clock
        self._backend = backend
        self._client_factory = client_factory
        self._persist = persist_requests
        self.config: FieldConfig | None = self.folder.load_config()
        self._api_key = self.folder.load_api_key()
        self.trust_list: TrustList | None = None
        self._requests: dict[bytes, IssuedRequest] = {}
        self.current_request: IssuedRequest | None = None
        if ledger is None:
            self.folder.ensure()
            ledger = SQLiteLedger(self.folder.ledger_path)
        self.ledger = ledger
        cached = self.folder.load_trust_list_bytes()
        if cached is not None and self.config is not None:
            try:
                self.trust_list = load_trust_list(cached, self.anchors)
            except TrustListError as exc:  # a changed anchor, a damaged file: ask for a new list
                log.warning("cached trust list refused: %s", exc)
        self.revocations = RevocationStore(self.folder.root)  # issue 13: withdrawn cards of this round
        if self.config is not None:
            self.revocations.load(self.anchors, self.config.scope)
        if self._persist:
            self._load_persisted_requests()

    def __repr__(self) -> str:
        return f"FieldService({self.folder!r})"

    def close(self) -> None:
        self.ledger.close()

    def now(self) -> int:
        return int(self._clock())

    # -- setup --------------------------------------------------------------------
    def configure(self, config: FieldConfig, *, api_key: str | None = None) -> None:
        """Save a new setup; requests handed out under the old one stop being answerable."""
        if api_key:
            self.folder.save_api_key(api_key)
            self._api_key = api_key.strip()
        self.folder.save_config(config)
        self.config = config
        self._requests.clear()
        self.current_request = None
        cached = self.folder.load_trust_list_bytes()
        self.trust_list = None
        if cached is not None:
            try:
                self.trust_list = load_trust_list(cached, self.anchors)
            except TrustListError as exc:
                log.warning("cached trust list does not match the new anchors: %s", exc)
        self.revocations.load(self.anchors, config.scope)

    def use_config(self, config: FieldConfig) -> None:
        """Work with a setup for this session only, without saving it (command-line options)."""
        self.config = config
        self._requests.clear()
        self.current_request = None

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    @property
    def anchors(self) -> list[TrustAnchor]:
        cfg = self.config
        return [TrustAnchor(bytes.fromhex(a)) for a in cfg.anchors] if cfg else []

    def verifier_key(self) -> VerifierKey | None:
        name = self.config.agency if self.config else "field device"
        return self.folder.load_verifier_key(name)

    def create_verifier_key(self) -> VerifierKey:
        """A new request-signing key, kept in the data folder (0600). Its public key must be
        registered with the agency service; requests are signed once the trust list has it."""
        key = VerifierKey.generate(self.config.agency if self.config else "field device")
        self.folder.save_verifier_key(key)
        return key

    def signing_status(self) -> str:
        """"none" (no key), "unregistered" (not in the trust list yet) or "registered"."""
        key = self.verifier_key()
        if key is None:
            return "none"
        return "registered" if self._registered(key) else "unregistered"

    def _registered(self, key: VerifierKey) -> bool:
        tl = self.trust_list
        entry = tl.verifier(key.kid) if tl is not None else None
        return entry is not None and entry.valid_at(self.now())

    # -- trust list ------------------------------------------------------------------
    def import_trust_list(self, data: bytes, *, save: bool = True) -> TrustList:
        """Verify a signed trust list against the pinned anchors and cache it.

        An older list (lower sequence) than the cached one is refused: nobody can roll a
        device back to a list that still trusts a revoked key by handing it a file.
        """
        if self.config is None:
            raise SetupError("set the device up first", reason=SetupReason.NOT_SET_UP)
        if not self.config.anchors:
            raise SetupError("a trust anchor is needed to check the trust list", reason=SetupReason.BAD_ANCHOR)
        tl = load_trust_list(bytes(data), self.anchors)
        check_update(self.trust_list, tl)
        if save:
            self.folder.save_trust_list_bytes(tl.signed)
        self.trust_list = tl
        return tl

    def refresh_trust_list(self, client: ServiceClient | None = None) -> bool:
        """Fetch a newer trust list from the service; True when one was installed."""
        client = client or self._client()
        current = self.trust_list.sequence if self.trust_list is not None else None
        data = client.trust_list(if_sequence=current)
        if data is None:
            return False
        before = current
        tl = self.import_trust_list(data)
        return before is None or tl.sequence > before

    def import_revocation_update(self, data: bytes) -> RevocationList:
        """Install a signed list of withdrawn cards carried by hand (USB, SD card); refused
        with a TrustListError reason if tampered, rolled back, for another round or too large."""
        cfg, _tl = self._require_setup()
        return self.revocations.import_update(data, self.anchors, cfg.scope)

    def freshness(self) -> Freshness | None:
        return self.trust_list.freshness(self.now()) if self.trust_list is not None else None

    def readiness(self) -> Readiness:
        if self.config is None:
            return Readiness(ReadyState.NOT_SET_UP)
        if self.trust_list is None:
            return Readiness(ReadyState.NO_TRUST_LIST)
        f = self.trust_list.freshness(self.now())
        return Readiness(ReadyState.READY if f.usable else ReadyState.TRUST_LIST_EXPIRED, f)

    # -- requests ----------------------------------------------------------------------
    def schema(self) -> Schema:
        cfg, tl = self._require_setup()
        t = cfg.template
        sdef = tl.schema(t.schema_id, t.schema_version)
        if sdef is None:
            raise SetupError(f"the trust list does not describe {t.schema}", reason=SetupReason.UNKNOWN_SCHEMA)
        return Schema.from_def(sdef)

    def accepted_issuers(self) -> list[bytes]:
        cfg, tl = self._require_setup()
        t = cfg.template
        if t.issuers:
            return [bytes.fromhex(k) for k in t.issuers]
        # Keys past their validity stay listed: a card signed with one then gets a clear
        # "issuer key expired" here instead of a puzzled wallet.
        return [e.kid for e in tl.payload.issuers if t.schema in e.schemas]

    def new_request(self, *, replace: bool = True) -> IssuedRequest:
        """A fresh request for the next person. With ``replace`` (the app), earlier requests
        stop being answerable; the command line keeps several open."""
        cfg, _tl = self._require_setup()
        now = self.now()
        schema = self.schema()
        today = dt.datetime.fromtimestamp(now, dt.UTC).date()
        try:
            predicates = tuple(p.resolve(schema.attribute(p.attribute), today)
                               for p in cfg.template.predicates)
        except CredentialError as exc:
            raise SetupError(str(exc), reason=SetupReason.BAD_PREDICATE) from exc
        issuers = self.accepted_issuers()
        if not issuers:
            raise SetupError(f"no issuer in the trust list issues {cfg.template.schema}", reason=SetupReason.NO_ISSUER)
        key = self.verifier_key()
        signing = key if key is not None and self._registered(key) else None
        try:
            data = build_request(
                verifier_id=cfg.agency, scope=cfg.scope, issuers=issuers, schema=schema,
                disclose=cfg.template.disclose, predicates=predicates, purpose=cfg.template.purpose,
                now=now, signing_key=signing,
            )
        except CredentialError as exc:
            raise SetupError(str(exc), reason=SetupReason.BAD_TEMPLATE) from exc
        issued = self._remember(data, now)
        if replace:
            self._requests = {issued.digest: issued}
        self.current_request = issued
        return issued

    def add_request(self, data: bytes) -> IssuedRequest:
        """Accept answers to a request made elsewhere (a file given to the command line)."""
        _cfg, tl = self._require_setup()
        try:
            rr = read_request(bytes(data), tl, now=self.now())
        except CredentialError as exc:
            raise SetupError(f"not a readable request: {exc}", reason=SetupReason.BAD_REQUEST) from exc
        issued = IssuedRequest(bytes(data), rr, rr.request.time,
                               rr.request.time + self._ttl())
        self._requests[issued.digest] = issued
        return issued

    def _remember(self, data: bytes, now: int) -> IssuedRequest:
        _cfg, tl = self._require_setup()
        rr = read_request(data, tl, now=now)
        issued = IssuedRequest(data, rr, now, now + self._ttl())
        self._requests[issued.digest] = issued
        if self._persist:
            self.folder.save_request(issued.digest, data)
        return issued

    def _ttl(self) -> int:
        return self.config.template.request_ttl if self.config else 900

    def _load_persisted_requests(self) -> None:
        if self.config is None or self.trust_list is None:
            return
        now = self.now()
        for path, data in self.folder.load_requests():
            try:
                rr = read_request(data, self.trust_list, now=now)
            except CredentialError:
                path.unlink(missing_ok=True)
                continue
            issued = IssuedRequest(data, rr, rr.request.time, rr.request.time + self._ttl())
            if issued.expires_at <= now:
                path.unlink(missing_ok=True)
                continue
            self._requests[issued.digest] = issued

    @property
    def open_requests(self) -> tuple[IssuedRequest, ...]:
        return tuple(self._requests.values())

    # -- checking a person -------------------------------------------------------------
    def check(self, data: bytes, *, enroll: bool = True) -> Result:
        """Verify one presentation offline and record it, in one step.

        With ``enroll=False`` (a dry run from the command line) the ledger is read, not
        written. Never raises for anything the person's code contains: every outcome is a
        :class:`Result`.
        """
        start = time.perf_counter()
        result = self._check(bytes(data), enroll)
        elapsed = (time.perf_counter() - start) * 1000
        return _with(result, elapsed_ms=elapsed)

    def refuse(self, reason: CheckReason | str, detail: str = "") -> Result:
        """A no that happened before any bytes were decoded (unreadable or foreign code)."""
        if reason not in NO_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        scope = self.config.scope if self.config else ""
        return Result(False, reason, self.now(), scope, detail, freshness=self.freshness())

    def _check(self, data: bytes, enroll: bool) -> Result:
        now = self.now()
        cfg = self.config
        if cfg is None:
            return Result(False, CheckReason.NOT_SET_UP, now)
        tl = self.trust_list
        if tl is None:
            return Result(False, CheckReason.NO_TRUST_LIST, now, cfg.scope)
        freshness = tl.freshness(now)

        def no(reason: str, detail: str = "", **kw: Any) -> Result:
            return Result(False, reason, now, cfg.scope, detail, freshness=freshness, **kw)

        if not freshness.usable:
            return no(CheckReason.TRUST_LIST_EXPIRED)
        if not data.startswith(MAGIC):
            return no(CheckReason.FOREIGN, "the code does not start with the zkaid prefix")
        try:
            pres = decode(data, Presentation)
        except WireError as exc:
            if exc.reason == WireReason.WRONG_TYPE:
                return no(CheckReason.NOT_PRESENTATION, str(exc))
            return no(CheckReason.MALFORMED, str(exc))
        issued = self._requests.get(pres.request_digest)
        if issued is None:
            return no(CheckReason.REQUEST_MISMATCH, "the answer's request digest is not an open request of this device")
        if issued.expires_at <= now:
            return no(CheckReason.REQUEST_EXPIRED, f"the request expired at {issued.expires_at}")
        if issued.received.request.scope != cfg.scope:
            return no(CheckReason.WRONG_SCOPE, f"request scope {issued.received.request.scope!r}")
        try:
            v = verify_presentation(pres, issued.received, tl, now=now, backend=self._backend)
        except VerificationError as exc:
            return no(exc.reason, str(exc))  # a code without words is shown as unknown, never as another
        base: dict[str, Any] = dict(disclosed=v.disclosed, predicates=v.predicates, schema=v.schema,
                                    issuer=v.issuer.name, pseudonym=v.pseudonym)
        if v.scope != cfg.scope:  # the wallet kept its registry pseudonym from this unverified device
            return no(CheckReason.ONE_TIME_SCOPE, f"answered in the one-time scope {v.scope!r}", **base)
        try:  # issue 13: a withdrawn or replaced card, checked offline against the signed list
            check_card_status(v, self.revocations.current, now=now)
        except (VerificationError, TrustListError) as exc:
            return no(exc.reason, str(exc), **base)
        expiry = v.disclosed.get(EXPIRY_ATTRIBUTE)
        if isinstance(expiry, dt.date) and date_to_days(expiry) < date_to_days(
                dt.datetime.fromtimestamp(now, dt.UTC).date()):
            return no(CheckReason.CREDENTIAL_EXPIRED, f"valid until {expiry.isoformat()}", **base)
        try:
            if enroll:
                self.ledger.enroll(v.scope, v.pseudonym, agency=cfg.agency, at=now)
            else:
                first = self.ledger.lookup(v.scope, v.pseudonym)
                if first is not None:
                    raise AlreadyEnrolled(first)
        except AlreadyEnrolled as exc:
            here = exc.first.agency == cfg.agency
            return no(CheckReason.ALREADY_ENROLLED_HERE if here else CheckReason.ALREADY_ENROLLED_ELSEWHERE,
                      str(exc), first=exc.first, **base)
        if enroll:
            self._requests.pop(issued.digest, None)
            if self._persist:
                self.folder.forget_request(issued.digest)
        return Result(True, CheckReason.ENROLLED, now, v.scope, "", freshness=freshness, **base)

    # -- sync ----------------------------------------------------------------------------
    def sync(self, client: ServiceClient | None = None, *, batch: int = 500, full: bool = False) -> SyncReport:
        """Upload this device's enrollments, fetch the others', keep duplicates as conflicts.

        Each step commits on its own, so a connection lost half-way loses nothing: the
        next sync resumes from the stored cursor and re-sends what was not confirmed.
        ``full`` re-sends every local enrollment and downloads from the start, for when
        the registry was restored from a backup (the service treats re-sent rows as replays).
        """
        now = self.now()
        cfg = self.config
        if cfg is None:
            return SyncReport(False, SyncState.NOT_SET_UP, now)
        if not cfg.service_url and client is None:
            return SyncReport(False, SyncState.NO_SERVICE, now)
        client = client or self._client()
        scopes = [cfg.scope]
        if full:
            self.ledger.reset_sync(scopes)
        counts = {"uploaded": 0, "accepted": 0, "duplicates": 0, "received": 0, "new_conflicts": 0}
        updated = False
        try:
            try:
                updated = self.refresh_trust_list(client)
            except (TrustListError, SetupError) as exc:
                log.warning("trust list from the service refused: %s", exc)
            try:  # the list of withdrawn cards travels with the trust list, in the same sync
                self.revocations.refresh(client, self.anchors, cfg.scope)
            except OfflineError:
                raise
            except (TrustListError, ServiceError) as exc:  # the last good list stays; the sync goes on
                log.warning("list of withdrawn cards not updated: %s", exc)
            cursor = self.ledger.cursor(scopes)
            for _ in range(10_000):  # bounded: each round uploads or advances the cursor
                pending = self.ledger.unsynced(scopes, limit=batch)
                items = [SyncItem(e.scope, e.pseudonym, e.enrolled_at) for e in pending]
                answer = client.sync(cfg.device_id, scopes, cursor, items)
                self.ledger.mark_synced(e.seq for e in pending)
                counts["uploaded"] += len(items)
                counts["accepted"] += answer.accepted
                for d in answer.duplicates:
                    counts["duplicates"] += 1
                    counts["new_conflicts"] += self._conflict_from_upload(d, cfg, now)
                for u in answer.updates:
                    counts["received"] += self._store_update(u, now)
                self.ledger.set_cursor(scopes, answer.cursor, at=now)
                if not pending and (not answer.updates or answer.cursor == cursor):
                    break
                cursor = answer.cursor
            for event in self._duplicate_events(client, cfg.scope):
                counts["new_conflicts"] += self._conflict_from_event(event, now)
        except OfflineError as exc:
            return self._report(False, SyncState.OFFLINE, now, str(exc), counts, updated)
        except ServiceError as exc:
            return self._report(False, SyncState.REFUSED, now, f"{exc.reason}: {exc}", counts, updated)
        return self._report(True, SyncState.SYNCED, now, "", counts, updated)

    @staticmethod
    def _report(ok: bool, reason: SyncState, now: int, detail: str, c: Mapping[str, int], updated: bool) -> SyncReport:
        return SyncReport(ok, reason, now, detail, uploaded=c["uploaded"], accepted=c["accepted"],
                          duplicates=c["duplicates"], received=c["received"], new_conflicts=c["new_conflicts"],
                          trust_list_updated=updated)

    def _client(self) -> ServiceClient:
        cfg = self.config
        if cfg is None or not cfg.service_url:
            raise SetupError("the service address is not set", reason=SetupReason.NO_SERVICE)
        return self._client_factory(cfg.service_url, self._api_key)

    def _conflict_from_upload(self, d: SyncDuplicate, cfg: FieldConfig, now: int) -> int:
        if d.first_agency == cfg.agency and d.first_enrolled_at == d.your_enrolled_at:
            return 0  # our own earlier upload, confirmed again after a lost answer
        return int(self.ledger.add_conflict(d.scope, d.pseudonym, first_agency=d.first_agency,
                                            first_enrolled_at=d.first_enrolled_at, second_agency=cfg.agency,
                                            second_enrolled_at=d.your_enrolled_at, reported_at=now))

    def _store_update(self, u: SyncUpdate, now: int) -> int:
        scope, nym, agency, at = u.scope, u.pseudonym, u.agency, u.enrolled_at
        existing = self.ledger.add_remote(scope, nym, agency=agency, at=at)
        if existing is None:
            return 1
        if existing.origin == "local" and (existing.agency, existing.enrolled_at) != (agency, at):
            # both enrolled the person while offline; the service kept the other one first
            self.ledger.add_conflict(scope, nym, first_agency=agency, first_enrolled_at=at,
                                     second_agency=existing.agency, second_enrolled_at=existing.enrolled_at,
                                     reported_at=now)
        return 0

    @staticmethod
    def _duplicate_events(client: ServiceClient, scope: str) -> list[DuplicateEvent]:
        try:
            return client.duplicates(scope)
        except OfflineError:
            raise
        except ServiceError as exc:  # e.g. a service without the endpoint: the upload still counts
            log.warning("duplicate events unavailable: %s", exc)
            return []

    def _conflict_from_event(self, e: DuplicateEvent, now: int) -> int:
        """A duplicate event from GET /v1/duplicates (it involves this agency)."""
        return int(self.ledger.add_conflict(e.scope, e.pseudonym, first_agency=e.first_agency,
                                            first_enrolled_at=e.first_enrolled_at, second_agency=e.second_agency,
                                            second_enrolled_at=e.second_enrolled_at, reported_at=now))

    # -- for the screens -------------------------------------------------------------
    def stats(self) -> LedgerStats | None:
        return self.ledger.stats(self.config.scope) if self.config else None

    def conflicts(self, *, open_only: bool = False) -> list[Conflict]:
        return self.ledger.conflicts(self.config.scope if self.config else None, open_only=open_only)

    def follow_up(self, conflict_id: int) -> None:
        self.ledger.follow_up(conflict_id, at=self.now())

    def _require_setup(self) -> tuple[FieldConfig, TrustList]:
        if self.config is None:
            raise SetupError("set the device up first", reason=SetupReason.NOT_SET_UP)
        if self.trust_list is None:
            raise SetupError("load a trust list first", reason=SetupReason.NO_TRUST_LIST)
        return self.config, self.trust_list


def _with(result: Result, **changes: Any) -> Result:
    return replace(result, **changes)
