"""The gateway process: ``huiwu serve gateway.main:app``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request, Response

from gateway import catalog, openapi, routes
from gateway.aggregates.views import router as aggregates_router
from gateway.audit.views import router as audit_router
from gateway.caller import Caller, audit_refusal, install_refusal_audit, refusal_reason
from gateway.console.views import router as console_router
from gateway.database import Store
from gateway.events.runtime import EventsOut
from gateway.events.views import router as events_router
from gateway.idempotency.keys import Keys
from gateway.idempotency.middleware import Idempotency
from gateway.limits.buckets import Limits
from gateway.limits.middleware import RateLimits
from gateway.proxy import forward, forward_headers, response_of
from gateway.sync import meeting_sync
from gateway.tokens.book import TokenBook
from gateway.tokens.revocations import RevocationNews
from gateway.tokens.views import router as tokens_router
from gateway.upstream import Service
from gateway.webhooks.views import router as webhooks_router
from huiwu.assertions import Signer
from huiwu.auth import ADMIN, authorize, require, within_meeting
from huiwu.errors import DomainError
from huiwu.settings import SERVICES, Settings
from huiwu.web import install_platform_basics, operation_id

log = logging.getLogger(__name__)

PROXIED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = Settings()
    if settings.assertion_key is None:
        raise RuntimeError("HUIWU_ASSERTION_KEY is not set: the gateway cannot vouch for its callers")
    if settings.bootstrap_token is None:
        log.warning("HUIWU_BOOTSTRAP_TOKEN is not set: only tokens issued earlier will be accepted")
    store = Store(settings.database_url("gateway"))
    await asyncio.to_thread(store.migrate)
    bootstrap = settings.bootstrap_token.get_secret_value() if settings.bootstrap_token else None
    app.state.store = store
    app.state.tokens = TokenBook(store, bootstrap)
    app.state.signer = Signer(settings.assertion_key)
    app.state.limits = Limits(settings)
    app.state.idempotency = Keys(store)
    app.state.services = {
        name: Service(name, settings.service_url(name), settings.service_timeout_s) for name in SERVICES
    }
    app.state.printout_timeout_s = settings.printout_timeout_s
    app.state.events = EventsOut(settings, store)
    app.state.events.start()
    app.state.revocations = RevocationNews(app.state.events.bus, app.state.tokens)
    app.state.revocations.start()
    try:
        yield
    finally:
        await app.state.revocations.stop()
        await app.state.events.stop()
        for service in app.state.services.values():
            await service.close()
        store.close()


app = FastAPI(
    title="Huiwu gateway",
    lifespan=lifespan,
    generate_unique_id_function=operation_id,
    openapi_url=None,  # gateway/openapi.py serves the merged document and /docs in their place
    docs_url=None,
    redoc_url=None,
)


async def readiness() -> dict[str, bool]:
    async def ready(name: str) -> bool:
        try:
            response = await app.state.services[name].call("GET", "/readyz", timeout_s=2.0)
        except DomainError:
            return False
        return bool(response.status_code == 200)

    answers = await asyncio.gather(*(ready(name) for name in SERVICES))
    # NATS too: event streams and webhooks read from it.
    return {**dict(zip(SERVICES, answers, strict=True)), "nats": app.state.events.bus.connected}


# Added before the platform basics, so they run inside them (with the request's correlation id):
# rate limits first, then Idempotency-Key.
app.add_middleware(Idempotency)
app.add_middleware(RateLimits)
install_platform_basics(app, "gateway", readiness)
install_refusal_audit(app)
app.include_router(tokens_router)
app.include_router(audit_router)
app.include_router(catalog.router)
app.include_router(openapi.router)
app.include_router(events_router)
app.include_router(webhooks_router)
app.include_router(aggregates_router)
app.include_router(console_router)


@app.get("/api/v1/meetings/{meeting_id}/sync", tags=["operations"])
async def read_meeting_sync(meeting_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """For operators: what each department knows of this meeting, side by side."""
    require(caller, ADMIN)
    within_meeting(caller, request.url.path)
    return await meeting_sync(request.app.state.services, meeting_id, forward_headers(request, caller))


@app.api_route("/api/v1/{path:path}", methods=PROXIED_METHODS, include_in_schema=False)
async def proxy(request: Request, caller: Caller) -> Response:
    route = routes.resolve(request.url.path)
    authorize(caller, request.method, request.url.path, route.service)
    upstream = await forward(request.app.state.services[route.service], request, caller)
    if upstream.status_code in (401, 403):  # e.g. a document above the caller's clearance
        await audit_refusal(
            request, upstream.status_code, refusal_reason(upstream.content, upstream.status_code)
        )
    return response_of(upstream)
