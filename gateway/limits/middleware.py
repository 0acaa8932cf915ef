"""Rate limits at the door of the gateway, before anything else is done for a request.

Every request whose token the gateway already knows (``TokenBook.remembered``: memory, never the
database) takes one from that token's bucket. Over the limit: 429 problem+json with
``Retry-After`` (seconds), audited like a 403. Every answer to a limited token carries the
RateLimit fields of draft-ietf-httpapi-ratelimit-headers-10: ``RateLimit-Policy: "standard";q=100;w=5``
(the burst, and the seconds an empty bucket takes to fill) and ``RateLimit: "standard";r=42;t=3``
(requests left, seconds until the bucket is full again). A token's very first request after the
gateway starts is not counted: it has not been looked up yet, and looking it up here would cost
every unknown token a second database read.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.caller import audit_refusal
from gateway.limits.buckets import Limits, Verdict
from gateway.tokens.book import TokenBook
from huiwu.auth import Principal
from huiwu.errors import problem


class RateLimits:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        verdict = self._verdict(scope) if scope["type"] == "http" else None
        if verdict is None:
            await self.app(scope, receive, send)
            return
        principal, judged = verdict
        if not judged.allowed:
            await self._refuse(scope, receive, send, principal, judged)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *_fields(judged)]
            await send(message)

        await self.app(scope, receive, send_with_limits)

    @staticmethod
    def _verdict(scope: Scope) -> tuple[Principal, Verdict] | None:
        state = scope["app"].state
        tokens: TokenBook = state.tokens
        authorization = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        known = tokens.remembered(authorization.decode("latin-1"))
        if known is None:
            return None
        limits: Limits = state.limits
        verdict = limits.take(*known)
        return None if verdict is None else (known[0], verdict)

    @staticmethod
    async def _refuse(
        scope: Scope, receive: Receive, send: Send, principal: Principal, verdict: Verdict
    ) -> None:
        request = Request(scope)
        limits: Limits = scope["app"].state.limits
        if limits.worth_auditing(principal):
            await audit_refusal(request, 429, "rate-limited", principal)
        rate = verdict.rate
        refusal = problem(
            429, "rate-limited", "Too many requests",
            f"this token may make {rate.per_second:g} requests a second, {rate.burst} at once: "
            f"retry after {verdict.retry_after_s} s",
            request, reason="rate-limited", policy=rate.policy, retry_after_s=verdict.retry_after_s,
        )  # fmt: skip
        refusal.headers["Retry-After"] = str(verdict.retry_after_s)
        refusal.raw_headers.extend(_fields(verdict))
        await refusal(scope, receive, send)


def _fields(verdict: Verdict) -> tuple[tuple[bytes, bytes], tuple[bytes, bytes]]:
    rate = verdict.rate
    return (
        (b"ratelimit-policy", f'"{rate.policy}";q={rate.burst};w={rate.window_s}'.encode()),
        (b"ratelimit", f'"{rate.policy}";r={verdict.remaining};t={verdict.full_in_s}'.encode()),
    )
