"""RFC 9457 problem details for every error path, and the request body limit.

Every error the service answers is ``application/problem+json`` with
``{"type", "title", "status", "detail", "reason"}`` (+ extra members such as
``first_agency``). Bad input is always a 4xx: domain errors, SDK errors (by their
``reason``), request validation, unknown routes and methods, oversized or unreadable bodies.
A 500 means a bug, and says nothing about its cause.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sdk.credential import AlreadyEnrolled
from sdk.errors import EncodingError, ZkaidError
from sdk.reasons import ProblemReason, RegistryReason
from verifier_service.services.errors import DomainError

__all__ = ["PROBLEM_JSON", "BodyLimit", "ProblemError", "documented", "install", "problem", "problem_body"]

log = logging.getLogger("zkaid.service")

PROBLEM_JSON = "application/problem+json"
STATUS_BY_KIND = {
    "bad_input": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409,
    "gone": 410, "invalid": 422, "unavailable": 503,
}
REASON_BY_STATUS = {
    400: ProblemReason.MALFORMED, 401: ProblemReason.UNAUTHORIZED, 403: ProblemReason.FORBIDDEN, 404: ProblemReason.NOT_FOUND, 405: ProblemReason.METHOD_NOT_ALLOWED,
    406: ProblemReason.NOT_ACCEPTABLE, 408: ProblemReason.BODY_TIMEOUT, 409: ProblemReason.CONFLICT, 410: ProblemReason.GONE, 413: ProblemReason.TOO_LARGE, 415: ProblemReason.UNSUPPORTED_MEDIA_TYPE,
    422: ProblemReason.INVALID_REQUEST, 429: ProblemReason.TOO_MANY_REQUESTS, 500: ProblemReason.INTERNAL, 503: ProblemReason.UNAVAILABLE, 507: ProblemReason.STORAGE_FULL,
}


class ProblemError(Exception):
    """Raised by routers and dependencies for an HTTP-level refusal."""

    def __init__(self, status: int, reason: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail, self.extra = status, reason, detail, extra


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries: these statuses answer with a problem document."""
    from verifier_service.schemas import Problem

    return {s: {"model": Problem, "content": {PROBLEM_JSON: {}}} for s in statuses}


def problem_body(status: int, reason: str, detail: str, **extra: Any) -> dict[str, Any]:
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": f"urn:zkaid:problem:{reason}", "title": title, "status": status,
                            "detail": detail, "reason": reason}
    for k, v in extra.items():
        body.setdefault(k, v)
    return body


def problem(status: int, reason: str, detail: str, *, headers: dict[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    return JSONResponse(problem_body(status, reason, detail, **extra), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def _domain(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = STATUS_BY_KIND.get(exc.kind, 422)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "5"}
    return problem(status, exc.reason, exc.message, headers=headers, **exc.extra)


def _problem_error(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    if "retry_after" in exc.extra:
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return problem(exc.status, exc.reason, exc.detail, headers=headers, **exc.extra)


def _zkaid(_req: Request, exc: Exception) -> JSONResponse:
    """SDK errors keep their reason; unreadable bytes are 400 'malformed'."""
    assert isinstance(exc, ZkaidError)
    if isinstance(exc, AlreadyEnrolled):
        return problem(409, RegistryReason.ALREADY_ENROLLED, exc.message, first_agency=exc.first.agency,
                       first_enrolled_at=exc.first.at)
    if isinstance(exc, EncodingError):
        return problem(400, ProblemReason.MALFORMED, exc.message, wire_reason=exc.reason)
    return problem(422, exc.reason, exc.message)


def _validation(_req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for e in exc.errors()[:20]:
        if e.get("type") == "json_invalid":
            return problem(400, ProblemReason.MALFORMED, "the body is not valid JSON")
        errors.append({"loc": [str(x) for x in e.get("loc", ())][:8], "msg": str(e.get("msg", ""))[:300],
                       "type": str(e.get("type", ""))})
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(first["loc"][1:] if len(first["loc"]) > 1 else first["loc"])
    return problem(422, ProblemReason.INVALID_REQUEST, f"{where}: {first['msg']}" if where else str(first["msg"]),
                   errors=errors)


def _http(req: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    reason = REASON_BY_STATUS.get(exc.status_code, ProblemReason.ERROR)
    detail = exc.detail if isinstance(exc.detail, str) else reason
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names the methods of the first route that matched the path only; a path
        # served by several routes (GET and POST apart) must list them all (RFC 9110 §15.5.6)
        headers["Allow"] = ", ".join(_allowed(req))
    return problem(exc.status_code, reason, detail, headers=headers or None)


def _routes(routes: Any) -> Any:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's wrapper of an included router
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


def _allowed(req: Request) -> list[str]:
    methods: set[str] = set()
    for route in _routes(req.app.router.routes):
        match, _child = route.matches({**req.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _data(_req: Request, exc: Exception) -> JSONResponse:
    """A value the database cannot hold (a safety net behind the input checks)."""
    log.warning("database refused a value: %s", type(getattr(exc, "orig", exc)).__name__)
    return problem(422, ProblemReason.INVALID_VALUE, "a value in the request cannot be stored")


SQLITE_FULL = 13  # sqlite3 extended result code: "database or disk is full"
PG_DISK_FULL = "53100"  # SQLSTATE disk_full


def storage_full(exc: BaseException) -> bool:
    """True when the database refused a write because its storage is full (SQLite
    SQLITE_FULL, PostgreSQL SQLSTATE 53100), as opposed to a lock or a lost connection."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    return getattr(orig, "sqlstate", None) == PG_DISK_FULL


def _database(_req: Request, exc: Exception) -> JSONResponse:
    if storage_full(exc):
        # Nothing of the request was stored (its transaction rolled back). This is not a
        # transient lock: it will not clear until someone frees or adds space.
        log.error("DATABASE STORAGE FULL: the database refused a write because its disk (or size limit) is "
                  "full; nothing of the request was stored. Free or add space on the database volume; "
                  "requests are refused with 507 until then")
        return problem(507, ProblemReason.STORAGE_FULL, "the registry's storage is full: nothing was stored; the operator "
                       "must free disk space (retry later)", headers={"Retry-After": "60"})
    orig = getattr(exc, "orig", exc)
    log.warning("database unavailable or busy: %s: %s", type(orig).__name__,
                str(orig).splitlines()[0][:200] if str(orig) else "")
    return problem(503, ProblemReason.BUSY, "the registry is busy or unreachable: try again shortly",
                   headers={"Retry-After": "2"})


def _internal(_req: Request, exc: Exception) -> JSONResponse:
    log.error("internal error: %s", type(exc).__name__, exc_info=exc)
    return problem(500, ProblemReason.INTERNAL, "internal error")


def install(app: FastAPI) -> None:
    handlers: dict[type[Exception], Callable[[Request, Exception], JSONResponse]] = {
        DomainError: _domain,
        ProblemError: _problem_error,
        ZkaidError: _zkaid,
        RequestValidationError: _validation,
        StarletteHTTPException: _http,
        DataError: _data,
        OperationalError: _database,
        PoolTimeout: _database,
        Exception: _internal,
    }
    for exc_type, handler in handlers.items():
        app.add_exception_handler(exc_type, handler)
    _document_problems(app)


def _document_problems(app: FastAPI) -> None:
    """Every operation may answer 400 (unreadable request) and, with a body, 413 (too large)
    and 408 (body too slow): say so in the OpenAPI document, and give every error response the
    ``application/problem+json`` media type with the Problem schema."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = plain()
        spec.setdefault("components", {}).setdefault("schemas", {})
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        if "Problem" not in spec["components"]["schemas"]:
            from verifier_service.schemas import Problem

            spec["components"]["schemas"]["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}")
        for item in spec.get("paths", {}).values():
            for op in item.values():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                responses = op["responses"]
                extra = [400]
                if "requestBody" in op:
                    extra += [408, 413]
                for status in extra:
                    responses.setdefault(str(status), {"description": HTTPStatus(status).phrase})
                for status, resp in responses.items():
                    if status[:1] in "45":
                        resp["content"] = {PROBLEM_JSON: {"schema": problem_ref}}
                        resp.setdefault("description", HTTPStatus(int(status)).phrase)
        spec["components"]["schemas"].pop("HTTPValidationError", None)
        spec["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


# --------------------------------------------------------------------- body limit

class BodyLimit:
    """Refuse bodies over the limit for their path with 413 before the app reads them
    (Content-Length, or counting a chunked body), bad Content-Length with 400, and bodies
    that do not arrive within ``timeout`` seconds with 408 (the connection is closed)."""

    def __init__(self, app: ASGIApp, *, default: int, per_path: dict[str, int] | None = None,
                 timeout: float = 30.0) -> None:
        self.app = app
        self.default = default
        self.per_path = per_path or {}
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope.get("path", ""), self.default)
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit() or len(value) > 15:
                    await _send_problem(send, 400, ProblemReason.MALFORMED, "invalid Content-Length")
                    return
                length = int(value)
        if length is not None and length > limit:
            await _send_problem(send, 413, "too_large", f"the body is over the {limit}-byte limit")
            return
        body = bytearray()
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            # A client that sends part of a body and stalls would hold a connection (and a
            # worker slot) forever: the whole body must arrive within the timeout.
            try:
                msg = await asyncio.wait_for(receive(), max(0.0, deadline - asyncio.get_running_loop().time()))
            except TimeoutError:
                log.info("closed a request whose body did not arrive within %.0f s", self.timeout)
                await _send_problem(send, 408, "body_timeout",
                                    f"the request body did not arrive within {self.timeout:g} seconds")
                return
            if msg["type"] != "http.request":
                await self.app(scope, _replay(None, receive, msg), send)
                return
            body += msg.get("body", b"")
            if len(body) > limit:
                await _send_problem(send, 413, "too_large", f"the body is over the {limit}-byte limit")
                return
            if not msg.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive, None), send)


def _replay(body: bytes | None, receive: Receive, first: Message | None) -> Receive:
    sent = False

    async def inner() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if first is not None:
                return first
            return {"type": "http.request", "body": body or b"", "more_body": False}
        return await receive()

    return inner


async def _send_problem(send: Send, status: int, reason: str, detail: str) -> None:
    data = json.dumps(problem_body(status, reason, detail)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})
