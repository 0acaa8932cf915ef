"""What every HTTP app of the platform has: correlation ids, request logs and metrics,
problem+json errors, ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huiwu.context import current_actor, current_clearance, current_correlation_id
from huiwu.errors import install_problem_handlers
from huiwu.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("huiwu.http")

CORRELATION_HEADER = "X-Correlation-ID"
REQUEST_ID_HEADER = "X-Request-ID"
ACTOR_HEADER = "X-Huiwu-Actor"
CLEARANCE_HEADER = "X-Huiwu-Clearance"

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def operation_id(route: APIRoute) -> str:
    """Stable operation ids (``<tag>-<function>``) that survive the gateway's merge."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def install_platform_basics(app: FastAPI, service: str, readiness: ReadinessCheck) -> None:
    install_problem_handlers(app)

    app.add_middleware(CorrelateAndMeasure, service=service)

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
        actor = current_actor.set(unquote(headers[ACTOR_HEADER]) if ACTOR_HEADER in headers else None)
        clearance = current_clearance.set(headers.get(CLEARANCE_HEADER))
        started = time.perf_counter()
        status = 500  # if the app fails before answering

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer = MutableHeaders(scope=message)
                answer[CORRELATION_HEADER] = correlation_id
                answer[REQUEST_ID_HEADER] = correlation_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_ids)
        finally:
            self._measure(scope, status, time.perf_counter() - started)
            current_clearance.reset(clearance)
            current_actor.reset(actor)
            current_correlation_id.reset(correlation)

    def _measure(self, scope: Scope, status: int, elapsed: float) -> None:
        method, path = scope["method"], scope["path"]
        HTTP_REQUESTS.labels(self.service, method, str(status)).inc()
        HTTP_LATENCY.labels(self.service, method).observe(elapsed)
        if path not in ("/healthz", "/readyz", "/metrics"):
            log.info(
                "%s %s %s", method, path, status, extra={"status": status, "ms": round(elapsed * 1000, 1)}
            )
