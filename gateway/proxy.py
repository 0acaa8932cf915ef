"""Forwarding a public request to the service that owns it."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request, Response

from gateway.upstream import Service
from huiwu.auth import Principal
from huiwu.context import current_correlation_id
from huiwu.web import ACTOR_HEADER, CLEARANCE_HEADER, CORRELATION_HEADER

FORWARDED_REQUEST_HEADERS = ("content-type", "accept", "accept-language", "idempotency-key", "if-match")
FORWARDED_RESPONSE_HEADERS = ("content-type", "location", "etag", "retry-after", "content-disposition")


def forward_headers(request: Request, principal: Principal) -> dict[str, str]:
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    headers[CORRELATION_HEADER] = current_correlation_id.get() or ""
    headers[ACTOR_HEADER] = quote(principal.name)  # token names may be Chinese; headers are ASCII
    headers[CLEARANCE_HEADER] = principal.clearance.name
    return headers


async def forward(service: Service, request: Request, principal: Principal) -> Response:
    upstream = await service.call(
        request.method,
        # The raw query string keeps repeated parameters (?category=a&category=b) intact.
        f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path,
        content=await request.body(),
        headers=forward_headers(request, principal),
    )
    headers = {
        name: upstream.headers[name] for name in FORWARDED_RESPONSE_HEADERS if name in upstream.headers
    }
    return Response(content=upstream.content, status_code=upstream.status_code, headers=headers)
