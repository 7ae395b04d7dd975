"""Checking one person: verify the answer offline against the trust list and record it in the
ledger, in one step, as a typed :class:`Result` (never an exception for what a code contains).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from field_app.reasons import CHECK_REASONS, CheckReason
from field_app.trust import TrustSection
from sdk.credential import AlreadyEnrolled, Enrollment, Schema, verify_presentation
from sdk.credential.schema import date_to_days
from sdk.credential.status import check_card_status
from sdk.errors import TrustListError, VerificationError, WireError
from sdk.reasons import WireReason
from sdk.trust import Freshness, FreshnessState
from sdk.wire import MAGIC, Presentation, decode

__all__ = [
    "EXPIRY_ATTRIBUTE",
    "NO_REASONS",
    "CheckingSection",
    "Result",
]


# Every way a check can say no: the SDK verifier's refusals and the field app's own
# (field_app.reasons). Each has words under "reason.<code>" in field_app/i18n.
NO_REASONS: tuple[str, ...] = tuple(dict.fromkeys(
    r for group in CHECK_REASONS for r in group if r is not CheckReason.ENROLLED))


EXPIRY_ATTRIBUTE = "valid_until"  # checked directly when a template discloses it


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


def _with(result: Result, **changes: Any) -> Result:
    return replace(result, **changes)


class CheckingSection(TrustSection):
    """Yes or no for one presentation, with the reason and what was shown."""

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

