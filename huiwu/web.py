"""What every HTTP app of the platform has: correlation ids, request logs and metrics,
problem+json errors, ``/healthz``, ``/readyz`` and ``/metrics``."""

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

from huiwu.context import current_actor, current_correlation_id
from huiwu.errors import install_problem_handlers
from huiwu.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("huiwu.http")

CORRELATION_HEADER = "X-Correlation-ID"
REQUEST_ID_HEADER = "X-Request-ID"
ACTOR_HEADER = "X-Huiwu-Actor"

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def operation_id(route: APIRoute) -> str:
    """Stable operation ids (``<tag>-<function>``) that survive the gateway's merge."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def install_platform_basics(app: FastAPI, service: str, readiness: ReadinessCheck) -> None:
    install_problem_handlers(app)

    @app.middleware("http")
    async def correlate_and_measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(CORRELATION_HEADER) or request.headers.get(REQUEST_ID_HEADER)
        correlation_id = incoming or str(uuid.uuid4())
        correlation = current_correlation_id.set(correlation_id)
        actor = current_actor.set(request.headers.get(ACTOR_HEADER))
        started = time.perf_counter()
        try:
            response = await call_next(request)
            elapsed = time.perf_counter() - started
            response.headers[CORRELATION_HEADER] = correlation_id
            response.headers[REQUEST_ID_HEADER] = correlation_id
            HTTP_REQUESTS.labels(service, request.method, str(response.status_code)).inc()
            HTTP_LATENCY.labels(service, request.method).observe(elapsed)
            if request.url.path not in ("/healthz", "/readyz", "/metrics"):
                log.info(
                    "%s %s %s", request.method, request.url.path, response.status_code,
                    extra={"status": response.status_code, "ms": round(elapsed * 1000, 1)},
                )  # fmt: skip
            return response
        finally:
            current_actor.reset(actor)
            current_correlation_id.reset(correlation)

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
