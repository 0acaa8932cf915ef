"""What every HTTP app of the platform has: correlation ids, request logs and metrics,
problem+json errors, ``/healthz``, ``/readyz`` and ``/metrics``; for a service, the caller's
signed assertion checked on every request but those."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huiwu.assertions import ASSERTION_HEADER, Verifier
from huiwu.auth import authorize
from huiwu.context import current_actor, current_clearance, current_correlation_id
from huiwu.errors import DomainError, install_problem_handlers, problem, unexpected
from huiwu.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("huiwu.http")

CORRELATION_HEADER = "X-Correlation-ID"
REQUEST_ID_HEADER = "X-Request-ID"
HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def operation_id(route: APIRoute) -> str:
    """Stable operation ids (``<tag>-<function>``) that survive the gateway's merge."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def install_platform_basics(
    app: FastAPI, service: str, readiness: ReadinessCheck, verifier: Verifier | None = None
) -> None:
    """With a ``verifier`` (every department's service), the app answers only requests that carry
    a valid assertion allowing them; health, metrics and the API description stay open."""
    install_problem_handlers(app)

    if verifier is not None:
        described = (app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
        open_paths = frozenset([*HEALTH_PATHS, *(path for path in described if path)])
        app.add_middleware(RequireAssertion, service=service, verifier=verifier, open_paths=open_paths)
    app.add_middleware(CorrelateAndMeasure, service=service)  # added last: runs first

    @app.get("/healthz", tags=["health"], include_in_schema=False)
    async def healthz() -> dict[str, str | int]:
        # The pid lets a supervisor check that the process answering is the one it started.
        return {"status": "alive", "service": service, "pid": os.getpid()}

    @app.get("/readyz", tags=["health"], include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        body = {"status": "ready" if ready else "not ready", "service": service, "checks": checks}
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class CorrelateAndMeasure:
    """Gives every request a correlation id (taken from the caller or made), echoes it, and logs
    and measures the request. Plain ASGI rather than ``@app.middleware``: that wrapper runs each
    request through extra streams and a task, a cost every check-in in a rush would pay."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = (
            headers.get(CORRELATION_HEADER) or headers.get(REQUEST_ID_HEADER) or str(uuid.uuid4())
        )
        correlation = current_correlation_id.set(correlation_id)
        started = time.perf_counter()
        status = 500  # if the app fails before answering
        answering = False

        async def send_with_ids(message: Message) -> None:
            nonlocal status, answering
            if message["type"] == "http.response.start":
                status, answering = message["status"], True
                answer = MutableHeaders(scope=message)
                answer[CORRELATION_HEADER] = correlation_id
                answer[REQUEST_ID_HEADER] = correlation_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        except Exception as error:
            if answering:
                raise
            # Answered here, not by Starlette's outermost handler: there the correlation id is
            # gone, and the 500 and its log line would not carry it.
            await (await unexpected(Request(scope), error))(scope, receive, send_with_ids)
        finally:
            self._measure(scope, status, time.perf_counter() - started)
            current_correlation_id.reset(correlation)

    def _measure(self, scope: Scope, status: int, elapsed: float) -> None:
        method, path = scope["method"], scope["path"]
        HTTP_REQUESTS.labels(self.service, method, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method).observe(elapsed)
        if path not in HEALTH_PATHS:
            log.info(
                "%s %s %s", method, path, status, extra={"status": status, "ms": round(elapsed * 1000, 1)}
            )


class RequireAssertion:
    """Who the caller is comes only from the gateway's signed assertion: it sets the actor and
    clearance for the request, and the same ``authorize`` as the gateway's runs again here. Closed
    unless named open, so a route added outside ``/api/v1`` is not left unguarded."""

    def __init__(self, app: ASGIApp, service: str, verifier: Verifier, open_paths: frozenset[str]) -> None:
        self.app = app
        self.service = service
        self.verifier = verifier
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        try:
            principal = self.verifier.principal(Headers(scope=scope).get(ASSERTION_HEADER))
            authorize(principal, scope["method"], scope["path"], self.service)
        except DomainError as error:
            refusal = problem(error.status, error.code, error.title, error.detail, Request(scope),
                              **error.extensions)  # fmt: skip
            await refusal(scope, receive, send)
            return
        actor = current_actor.set(principal.name)
        clearance = current_clearance.set(principal.clearance.name)
        try:
            await self.app(scope, receive, send)
        finally:
            current_clearance.reset(clearance)
            current_actor.reset(actor)
