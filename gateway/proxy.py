"""Forwarding a public request to the service that owns it, with the caller's signed assertion."""

from __future__ import annotations

import re

from fastapi import Request, Response

from gateway.upstream import Answer, Service
from huiwu.assertions import ASSERTION_HEADER, Signer
from huiwu.auth import Principal
from huiwu.context import current_correlation_id
from huiwu.web import CORRELATION_HEADER

FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key", "if-match")
FORWARDED_RESPONSE_HEADERS = ("content-type", "location", "etag", "retry-after", "content-disposition")
PRINTOUT = re.compile(r"\.(pdf|xlsx)$")  # waited for up to ``printout_timeout_s`` (settings)


def forward_headers(request: Request, principal: Principal) -> dict[str, str]:
    """Only these headers pass: whatever a caller says about itself in others never reaches a service."""
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    headers[CORRELATION_HEADER] = current_correlation_id.get() or ""
    signer: Signer = request.app.state.signer
    headers[ASSERTION_HEADER] = signer.assertion_for(principal)
    return headers


async def forward(service: Service, request: Request, principal: Principal) -> Answer:
    printout = request.method == "GET" and PRINTOUT.search(request.url.path) is not None
    printout_timeout_s: float = request.app.state.printout_timeout_s
    return await service.call(
        request.method,
        # The raw query string keeps repeated parameters (?category=a&category=b) intact.
        f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path,
        content=await request.body(),
        headers=forward_headers(request, principal),
        timeout_s=printout_timeout_s if printout else None,
    )


def response_of(upstream: Answer) -> Response:
    headers = {
        name: upstream.headers[name] for name in FORWARDED_RESPONSE_HEADERS if name in upstream.headers
    }
    return Response(content=upstream.content, status_code=upstream.status_code, headers=headers)
