"""Presentation requests this device hands out, and the ones it will accept an answer to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from field_app.config import SetupError
from field_app.device import DeviceBase
from field_app.reasons import SetupReason
from sdk.credential import ReceivedRequest, Schema, build_request, read_request
from sdk.errors import CredentialError

__all__ = ["IssuedRequest", "RequestSection"]


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


class RequestSection(DeviceBase):
    """Make, add and remember requests (with their time to live)."""

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

