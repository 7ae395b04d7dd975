"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import anyio
from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError

from sdk import __version__
from sdk.errors import ZkaidError
from verifier_service import problems
from verifier_service.bootstrap import install_log_redaction
from verifier_service.docs import install_docs
from verifier_service.routers import admin, audit, offers, public, registry, verify
from verifier_service.routers import cards as card_routes
from verifier_service.routers import comparisons as comparison_routes
from verifier_service.routers import linkage as linkage_routes
from verifier_service.routers import log as log_routes
from verifier_service.routers import referrals as referral_routes
from verifier_service.runtime import Clock, Runtime
from verifier_service.settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("zkaid.service")

DESCRIPTION = """\
Issuance of blind BBS credentials, the signed trust list, and the enrollment registry in
which every agency's enrollments meet: one person, one enrollment per scope, across all
agencies, without any agency learning who the person is. Contract: `specs/service-api.md`.
Errors are RFC 9457 problem details with a stable `reason`.
"""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               runtime: Runtime | None = None) -> FastAPI:
    """Build the service. Opens the database, applies migrations and checks the KEK now
    (so a misconfigured service refuses to start); nothing happens at import time."""
    settings = settings or (runtime.settings if runtime is not None else Settings())
    owned = runtime is None
    rt = runtime or Runtime.open(settings, clock=clock)
    if rt.auto_sign:
        try:
            rt.resign()
        except BaseException:
            if owned:
                rt.close()
            raise

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_housekeeping(rt))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if owned:
                rt.close()

    app = FastAPI(title="zkaid agency service", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.runtime = rt
    install_log_redaction()
    problems.install(app)
    install_docs(app)  # Swagger UI with local assets: works offline
    for r in (public.router, offers.router, registry.router, verify.router, admin.router, audit.router):
        app.include_router(r)
    app.include_router(log_routes.router)  # issue 16: the tamper-evident registry log
    app.include_router(linkage_routes.router)  # issue 14: registration checks, steward OPRF
    app.include_router(comparison_routes.router)  # issue 14: blind comparison of two agencies' lists
    app.include_router(referral_routes.router)
    app.include_router(card_routes.router)  # issue 13: revoke a card, per-scope revocation updates
    app.add_middleware(
        problems.BodyLimit, default=settings.max_json_body,
        per_path={"/v1/sync": settings.max_sync_body, "/v1/issue": settings.max_cbor_body,
                  "/v1/linkage/oprf": settings.max_sync_body,
                  comparison_routes.UPLOAD_PATH: comparison_routes.upload_body_limit(settings.linkage_compare_batch)},
        timeout=settings.body_timeout,
    )
    return app


async def _housekeeping(rt: Runtime) -> None:
    """Every check interval: delete the sealed values of offers that expired unused, and keep
    a self-signed trust list fresh (re-sign once half its fresh period is over)."""
    while True:
        await asyncio.sleep(rt.settings.trust_list_check_interval)
        try:
            await anyio.to_thread.run_sync(rt.housekeeping)
        except (SQLAlchemyError, ZkaidError) as exc:
            log.warning("housekeeping failed: %s", type(exc).__name__)
