"""FastAPI dependencies as ``Annotated`` aliases: the runtime, the caller and their role,
and raw CBOR bodies. Dependencies without I/O are ``async`` so that they run on the event
loop instead of costing a hop through the thread pool; the ones that touch the database
are plain functions (FastAPI runs them in the thread pool)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sdk.reasons import ProblemReason
from verifier_service.problems import ProblemError
from verifier_service.runtime import Runtime
from verifier_service.services.auth import Principal, auth_generation, authenticate, require_role

__all__ = [
    "CBOR",
    "AdminDep",
    "AuditorDep",
    "CborBody",
    "EnrollerDep",
    "MemberDep",
    "RegistrarDep",
    "RuntimeDep",
]

CBOR = "application/cbor"


async def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

_bearer = HTTPBearer(auto_error=False, description="An agency API key: `Authorization: Bearer zk_...`")


async def get_principal(
    rt: RuntimeDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    key = creds.credentials if creds is not None else None

    def lookup() -> Principal:
        if key is not None and rt.auth_cache.ttl > 0:  # a cached key: one read on a plain connection
            with rt.store.engine.connect() as c:
                hit = rt.auth_cache.get(key, auth_generation(c))
            if hit is not None:
                return hit
        with rt.store.read() as s:
            if key is None:
                return authenticate(s, key)
            generation = auth_generation(s)
            principal = authenticate(s, key)
        rt.auth_cache.put(key, generation, principal)
        return principal

    return await run_in_threadpool(lookup)


MemberDep = Annotated[Principal, Depends(get_principal)]


def _role(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: MemberDep) -> Principal:  # no I/O: stays on the event loop
        require_role(principal, *roles)
        return principal

    return check


AdminDep = Annotated[Principal, Depends(_role("admin"))]
RegistrarDep = Annotated[Principal, Depends(_role("admin", "registrar"))]
EnrollerDep = Annotated[Principal, Depends(_role("admin", "registrar", "field_device"))]
AuditorDep = Annotated[Principal, Depends(_role("admin", "auditor"))]


async def cbor_body(request: Request) -> bytes:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != CBOR:
        raise ProblemError(415, ProblemReason.UNSUPPORTED_MEDIA_TYPE, f"send the message as {CBOR}")
    body = await request.body()
    if not body:
        raise ProblemError(400, ProblemReason.MALFORMED, "the body is empty")
    return body


CborBody = Annotated[bytes, Depends(cbor_body)]
