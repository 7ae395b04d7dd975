"""``zkaid signer serve``: the agency's own blind-signing server (docs/deployment.md §8).

It holds one issuer key and does one thing: BlindSignWithNym for an issuance request the
shared service forwards. It is not a blind oracle for whoever reaches it:

1. only a service key the agency pinned may call it (Ed25519-signed requests, fresh time,
   nonce never reused; :mod:`verifier_service.signer.protocol`);
2. it checks what it signs itself: the request is for its key, the schema is one it was
   set up with, the values decode and re-encode to the same bytes (in range, well formed),
   the wallet's person binding and the commitment's proof of knowledge verify (the latter
   inside ``sdk.credential.issue``, draft-irtf-cfrg-bbs-blind-signatures-02 §4.2);
3. an offer token is signed for once, ever (the journal remembers its digest);
4. with registrar keys configured, every card needs the agency registrar's approval over the
   typed values (an approval signs one card); without them, a rate limit per hour bounds
   what a misused service key can mint before the journal shows it;
5. every signature is in the append-only journal before it leaves.

Routes: ``GET /v1/health`` (no secrets), ``POST /v1/info`` (public key material and a proof of
possession for registration), ``POST /v1/sign``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sdk.bbs.signature import sign as bbs_sign
from sdk.bbs.utils import R
from sdk.credential import issue
from sdk.credential.lifecycle import binding_value
from sdk.errors import (
    CredentialError,
    InvalidProofError,
    ParameterError,
    VerificationError,
    WireError,
)
from sdk.reasons import SignerReason
from sdk.wire import IssuanceRequest, decode, decode_canonical, encode, encode_canonical
from verifier_service.problems import PROBLEM_JSON, problem_body
from verifier_service.signer.journal import Journal, JournalError
from verifier_service.signer.keystore import SignerKeyFile
from verifier_service.signer.protocol import (
    MAX_BODY,
    MAX_SKEW,
    approval_digest,
    verify_approval,
    verify_request_signature,
)

__all__ = ["SignerConfig", "SignerRefused", "create_signer_app", "sign_request"]

_STATUS = {
    SignerReason.UNAUTHENTICATED: 401, SignerReason.STALE_REQUEST: 401, SignerReason.BAD_REQUEST: 400,
    SignerReason.WRONG_KEY: 422, SignerReason.UNKNOWN_SCHEMA: 422, SignerReason.INVALID_VALUES: 422,
    SignerReason.INVALID_COMMITMENT: 422, SignerReason.REPLAYED: 409, SignerReason.APPROVAL_REQUIRED: 403,
    SignerReason.APPROVAL_INVALID: 403, SignerReason.RATE_LIMITED: 429, SignerReason.JOURNAL_FAILED: 503,
}
_FIELDS = {"v", "request", "schema", "values", "entropy", "credential_id", "approval"}


class SignerRefused(Exception):
    def __init__(self, reason: SignerReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class SignerConfig:
    key: SignerKeyFile
    journal: Journal
    service_keys: frozenset[bytes]
    registrar_keys: frozenset[bytes] = frozenset()
    max_per_hour: int = 600
    clock: Callable[[], float] = time.time
    _nonces: dict[str, int] = field(default_factory=dict)
    _nonce_lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> int:
        return int(self.clock())

    def authenticate(self, headers: Any, method: str, path: str, body: bytes) -> None:
        now = self.now()
        got = verify_request_signature(headers, method, path, body, trusted=self.service_keys, now=now)
        if isinstance(got, str):
            reason = SignerReason.STALE_REQUEST if "clock" in got else SignerReason.UNAUTHENTICATED
            raise SignerRefused(reason, got)
        _pk, nonce = got
        with self._nonce_lock:
            for n, at in list(self._nonces.items()):
                if at < now - 2 * MAX_SKEW:
                    del self._nonces[n]
            if nonce in self._nonces:
                raise SignerRefused(SignerReason.REPLAYED, "this signed request was sent before (nonce reused)")
            self._nonces[nonce] = now


def _token_digest(token: bytes) -> str:
    return hashlib.sha256(b"zkaid/signer-token/v1" + token).hexdigest()


def _field(body: dict[str, Any], name: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise SignerRefused(SignerReason.BAD_REQUEST, f"the sign request's {name!r} is missing or of the wrong type")
    return value


def sign_request(cfg: SignerConfig, body: bytes) -> bytes:
    """The checks and the signature (the HTTP layer has authenticated the caller)."""
    try:
        msg = decode_canonical(body, max_bytes=MAX_BODY)
    except WireError as exc:
        raise SignerRefused(SignerReason.BAD_REQUEST, f"the sign request is not canonical CBOR: {exc.message}") from exc
    if not isinstance(msg, dict) or set(msg) != _FIELDS or msg.get("v") != 1:
        raise SignerRefused(SignerReason.BAD_REQUEST, f"the sign request is a version-1 map of {sorted(_FIELDS)}")
    try:
        req = decode(bytes(_field(msg, "request", bytes)), IssuanceRequest)
    except WireError as exc:
        raise SignerRefused(SignerReason.BAD_REQUEST, f"the wallet's request is malformed: {exc.message}") from exc
    key, now = cfg.key.key, cfg.now()
    if req.issuer_kid != key.kid:
        raise SignerRefused(SignerReason.WRONG_KEY, f"this signer holds key {key.kid.hex()}, the request is for "
                                                    f"{req.issuer_kid.hex()}")
    ref = _field(msg, "schema", str)
    schema = cfg.key.schemas.get(ref)
    if schema is None:
        raise SignerRefused(SignerReason.UNKNOWN_SCHEMA, f"this signer does not issue {ref[:100]!r} "
                                                         f"(it issues {', '.join(sorted(cfg.key.schemas))})")
    raw = tuple(_field(msg, "values", list))
    try:
        values = schema.decode_values(raw)
        if schema.encode_values(values) != raw:
            raise CredentialError("the values are not in their one canonical form", reason=SignerReason.INVALID_VALUES)
    except (CredentialError, ValueError, TypeError, OverflowError) as exc:
        raise SignerRefused(SignerReason.INVALID_VALUES, f"the values do not fit {ref}: {exc}") from exc
    entropy_b = _field(msg, "entropy", bytes, optional=True)
    entropy = None
    if entropy_b is not None:
        entropy = int.from_bytes(entropy_b, "big")
        if len(entropy_b) != 32 or not 0 < entropy < R:
            raise SignerRefused(SignerReason.BAD_REQUEST, "the re-issue entropy must be a 32-byte scalar in 1..r-1")
    cred_id = _field(msg, "credential_id", str)
    if len(cred_id) != 32 or any(c not in "0123456789abcdef" for c in cred_id):
        raise SignerRefused(SignerReason.BAD_REQUEST, "the credential id is 32 lowercase hex digits")
    approval = _field(msg, "approval", bytes, optional=True)
    approval_d = None
    if cfg.registrar_keys:
        if approval is None:
            raise SignerRefused(SignerReason.APPROVAL_REQUIRED, "this agency's signer signs only cards its "
                                                                "registrar approved: the offer carries no approval")
        why = verify_approval(bytes(approval), issuer_kid=key.kid, schema=schema, raw_values=raw,
                              registrars=cfg.registrar_keys, now=now)
        if why is not None:
            raise SignerRefused(SignerReason.APPROVAL_INVALID, why)
        approval_d = approval_digest(bytes(approval))
        if cfg.journal.seen_approval(approval_d):
            raise SignerRefused(SignerReason.REPLAYED, "this registrar approval was used for a card already")
    token_d = _token_digest(req.token)
    if cfg.journal.seen_token(token_d):
        raise SignerRefused(SignerReason.REPLAYED, "a card was signed for this offer token already")
    if cfg.journal.signed_since(now - 3600) >= cfg.max_per_hour:
        raise SignerRefused(SignerReason.RATE_LIMITED, f"this signer signs at most {cfg.max_per_hour} cards an hour; "
                                                       "the agency raises --max-per-hour if the load is real")
    try:
        binding_value(req, suite=key.suite)  # the person binding's proof (sdk.credential.lifecycle)
        issued, _used = issue(key, schema, req, values, signer_entropy=entropy)
    except InvalidProofError as exc:
        raise SignerRefused(SignerReason.INVALID_COMMITMENT, exc.message) from exc
    except (CredentialError, VerificationError, ParameterError) as exc:
        raise SignerRefused(SignerReason.INVALID_VALUES, exc.message) from exc
    if tuple(issued.values) != raw:  # pragma: no cover - issue() signs what it was given
        raise SignerRefused(SignerReason.INVALID_VALUES, "the signed values differ from the requested ones")
    out = encode(issued)
    entry = {
        "at": now, "kid": key.kid.hex(), "schema": schema.ref, "credential_id": cred_id, "token": token_d,
        "request": hashlib.sha256(bytes(msg["request"])).hexdigest(),
        "values": hashlib.sha256(b"zkaid/journal-values/v1" + req.token + encode_canonical(list(raw))).hexdigest(),
        "reissue": entropy is not None, "approval": approval_d,
    }
    with cfg.journal.lock:
        if cfg.journal.seen_token(token_d):
            raise SignerRefused(SignerReason.REPLAYED, "a card was signed for this offer token already")
        try:
            cfg.journal.append(entry)
        except JournalError as exc:
            raise SignerRefused(SignerReason.JOURNAL_FAILED, f"{exc}; nothing was signed") from exc
    return out


def _refused(exc: SignerRefused) -> JSONResponse:
    status = _STATUS[exc.reason]
    return JSONResponse(problem_body(status, exc.reason, str(exc)), status_code=status, media_type=PROBLEM_JSON,
                        headers={"WWW-Authenticate": "Zkaid-Signer"} if status == 401 else None)


def create_signer_app(cfg: SignerConfig) -> FastAPI:
    app = FastAPI(title="zkaid agency signer", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.signer = cfg

    async def _body(request: Request) -> bytes:
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            raise SignerRefused(SignerReason.BAD_REQUEST, f"the body is larger than {MAX_BODY} bytes")
        body = await request.body()
        if len(body) > MAX_BODY:
            raise SignerRefused(SignerReason.BAD_REQUEST, f"the body is larger than {MAX_BODY} bytes")
        cfg.authenticate(request.headers, request.method, request.url.path, body)
        return body

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "kid": cfg.key.key.kid.hex(), "journal_entries": cfg.journal.size}

    @app.post("/v1/info")
    async def info(request: Request) -> Response:
        """The key's public material and a BBS signature over the caller's challenge (proof
        that this signer holds the secret key of the public key it names)."""
        try:
            body = await _body(request)
            msg = decode_canonical(body, max_bytes=MAX_BODY)
            challenge = msg.get("challenge") if isinstance(msg, dict) else None
            if not isinstance(challenge, bytes) or len(challenge) != 32:
                raise SignerRefused(SignerReason.BAD_REQUEST, "the info request is {'challenge': 32 bytes}")
        except SignerRefused as exc:
            return _refused(exc)
        except WireError as exc:
            return _refused(SignerRefused(SignerReason.BAD_REQUEST, f"not canonical CBOR: {exc.message}"))
        k = cfg.key.key
        from verifier_service.signer.protocol import POP_HEADER

        pop = await run_in_threadpool(bbs_sign, k.secret_key, k.public_key, POP_HEADER, [challenge], suite=k.suite)
        doc = {"kid": k.kid.hex(), "name": k.name, "suite": k.suite, "nym_count": k.nym_count,
               "public_key": k.public_key.hex(), "schemas": [s.to_json() for s in cfg.key.schemas.values()],
               "range_params": k.range_params.hex() if k.range_params else None, "pop": pop.hex(),
               "approval_required": bool(cfg.registrar_keys)}
        return JSONResponse(doc, headers={"Cache-Control": "no-store"})

    @app.post("/v1/sign")
    async def sign(request: Request) -> Response:
        try:
            body = await _body(request)
            out = await run_in_threadpool(sign_request, cfg, body)
        except SignerRefused as exc:
            return _refused(exc)
        return Response(out, media_type="application/cbor", headers={"Cache-Control": "no-store"})

    return app
