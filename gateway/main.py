"""The gateway process: ``huiwu serve gateway.main:app``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response

from gateway import routes
from gateway.proxy import forward, forward_headers
from gateway.sync import meeting_sync
from gateway.upstream import Service
from huiwu.auth import ADMIN, Clearance, Principal, TokenBook, require
from huiwu.errors import DomainError
from huiwu.settings import SERVICES, Settings
from huiwu.web import install_platform_basics, operation_id

log = logging.getLogger(__name__)

SERVICE_TIMEOUT_S = 10.0
PROXIED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = Settings()
    tokens = TokenBook()
    if settings.bootstrap_token is None:
        log.warning("HUIWU_BOOTSTRAP_TOKEN is not set: every API request will be refused")
    else:
        tokens.add(
            settings.bootstrap_token.get_secret_value(),
            Principal("bootstrap-admin", frozenset({ADMIN}), Clearance.top_secret),
        )
    app.state.tokens = tokens
    app.state.services = {
        name: Service(name, settings.service_url(name), SERVICE_TIMEOUT_S) for name in SERVICES
    }
    try:
        yield
    finally:
        for service in app.state.services.values():
            await service.close()


app = FastAPI(title="Huiwu gateway", lifespan=lifespan, generate_unique_id_function=operation_id)


async def readiness() -> dict[str, bool]:
    async def ready(name: str) -> bool:
        try:
            response = await app.state.services[name].call("GET", "/readyz", timeout_s=2.0)
        except DomainError:
            return False
        return bool(response.status_code == 200)

    answers = await asyncio.gather(*(ready(name) for name in SERVICES))
    return dict(zip(SERVICES, answers, strict=True))


install_platform_basics(app, "gateway", readiness)


async def authenticated(request: Request) -> Principal:
    """Async on purpose: a plain def would cost every request a hop to a worker thread."""
    tokens: TokenBook = request.app.state.tokens
    return tokens.authenticate(request.headers.get("Authorization"))


Caller = Annotated[Principal, Depends(authenticated)]


@app.get("/api/v1/meetings/{meeting_id}/sync", tags=["operations"])
async def read_meeting_sync(meeting_id: str, request: Request, caller: Caller) -> dict[str, Any]:
    """For operators: what each department knows of this meeting, side by side."""
    require(caller, ADMIN)
    return await meeting_sync(request.app.state.services, meeting_id, forward_headers(request, caller))


@app.api_route("/api/v1/{path:path}", methods=PROXIED_METHODS, include_in_schema=False)
async def proxy(request: Request, caller: Caller) -> Response:
    route = routes.resolve(request.url.path)
    require(caller, routes.scope_for(route.service, request.method))
    return await forward(request.app.state.services[route.service], request, caller)
