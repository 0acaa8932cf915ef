"""Idempotency-Key (draft-ietf-httpapi-idempotency-key-header-07) on every POST and PATCH at the
gateway: the departments' and the gateway's own.

A request with the header is answered once per (token, key): a retry gets the first answer
(status, body, Content-Type, Location, ETag…) with ``Idempotent-Replayed: true`` and causes
nothing. The same key with another request (method, path and body: SHA-256) is 422
``idempotency-key-reused``; a retry while the first is still being answered is 409
``idempotency-key-in-flight`` with ``Retry-After: 1`` (the draft's choice; a retry queued behind
the first would hold a connection for as long as a slow service takes). Only 2xx and 4xx answers
are kept: a 5xx means the request changed nothing (a service's transaction rolled back, or the
service was never reached), so the key stays free for the retry that should follow. The one
blind spot is a service that finishes its work after the gateway gave up waiting (504): its
retry runs again. An answer marked ``Cache-Control: no-store`` (a new token) is not kept, since
the gateway keeps no secret at rest; its retry is 409 ``idempotency-answer-not-kept`` naming what
was made. Keys are kept 24 h. A request without the header costs nothing here.
"""

from __future__ import annotations

import hashlib
import logging
import re

from fastapi import Request, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.idempotency.keys import Keys
from gateway.idempotency.service import Answered, Claimed, InFlight, Reused
from gateway.idempotency.service import Request as Asked
from gateway.tokens.book import TokenBook
from huiwu.auth import Principal
from huiwu.errors import DomainError, problem

log = logging.getLogger(__name__)

METHODS = frozenset({"POST", "PATCH"})  # the others are idempotent already
HEADER = b"idempotency-key"
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = ("content-type", "location", "etag", "content-disposition", "content-language")
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_SF_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')  # RFC 8941 §3.3.3
_ESCAPED = re.compile(r'\\(["\\])')


class InvalidKey(DomainError):
    status = 422
    code = "validation-error"
    title = "Request validation failed"

    def __init__(self, message: str) -> None:
        error = {"field": "Idempotency-Key", "in": "header", "rule": "idempotency_key", "message": message}
        super().__init__(message, errors=[error])


class Idempotency:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == HEADER]
        if not values:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        tokens: TokenBook = scope["app"].state.tokens
        try:
            principal = await tokens.authenticate(request.headers.get("authorization"))
            key = _key(values)
        except InvalidKey as invalid:
            await _problem(scope, receive, send, invalid)
            return
        except DomainError:
            await self.app(scope, receive, send)  # refused there, and audited
            return
        body = await _body(receive)
        if body is None:
            return  # the caller went away before sending it all
        asked = _asked(request, principal, key, body)
        keys: Keys = scope["app"].state.idempotency
        outcome = await keys.claim(asked)
        if isinstance(outcome, Claimed):
            await self._answer_once(scope, receive, send, body, keys, asked, outcome)
        else:
            await _respond(scope, receive, send, asked, outcome)

    async def _answer_once(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        keys: Keys,
        asked: Asked,
        claimed: Claimed,
    ) -> None:
        """Run the request, keep its answer (or free the key), and only then send the answer: a
        client that has it finds it kept when it retries."""
        answer = _Captured()
        try:
            await self.app(scope, _replaying(body, receive), answer.send)
        except Exception:
            await keys.release(asked, claimed)
            raise
        if answer.status is None:
            await keys.release(asked, claimed)
            return
        try:
            await _keep(keys, asked, claimed, answer, answer.status)
        except Exception:  # the database failed us: the answer still goes out, the claim lapses
            log.exception("the answer to idempotency key %s could not be kept", asked.key)
        await answer.replay(send)


async def _keep(keys: Keys, asked: Asked, claimed: Claimed, answer: _Captured, status: int) -> None:
    """A 2xx or 4xx answer is kept for the retries; after anything else the key is free again."""
    if status // 100 not in (2, 4) or status == 429:  # 429: the same request may pass later
        await keys.release(asked, claimed)
        return
    headers = {name: answer.headers[name] for name in KEPT_HEADERS if name in answer.headers}
    kept = None if "no-store" in answer.headers.get("cache-control", "") else answer.body
    if not await keys.answer(asked, claimed, status, headers, kept):
        log.warning("idempotency key %s was taken over before its answer was kept", asked.key)


class _Captured:
    """An answer held back until it is kept."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def status(self) -> int | None:
        return None if self.start is None else int(self.start["status"])

    @property
    def headers(self) -> Headers:
        return Headers(raw=self.start["headers"] if self.start else [])

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def replay(self, send: Send) -> None:
        assert self.start is not None
        await send(self.start)
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


def _asked(request: Request, principal: Principal, key: str, body: bytes) -> Asked:
    """The request as the key's row names it: the token's, and its fingerprint."""
    method, target = request.method, request.url.path
    if request.url.query:
        target = f"{target}?{request.url.query}"
    fingerprint = hashlib.sha256(f"{method} {target}\n".encode() + body).hexdigest()
    return Asked(principal.token_id or principal.name, key, fingerprint, method, target)


def _key(values: list[bytes]) -> str:
    if len(values) > 1:
        raise InvalidKey("send one Idempotency-Key, not several")
    raw = values[0].decode("latin-1").strip()
    if raw.startswith('"'):  # the draft's form: an RFC 8941 string; a bare key is taken as it is
        quoted = _SF_STRING.fullmatch(raw)
        raw = _ESCAPED.sub(r"\1", quoted[1]) if quoted else ""
    if not _KEY.fullmatch(raw):
        raise InvalidKey(
            'an Idempotency-Key is 1 to 255 printable ASCII characters, e.g. "8e03978e-40d5-43e8"'
        )
    return raw


async def _body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """The request's body, read already, then whatever else comes (a disconnect)."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


async def _respond(
    scope: Scope, receive: Receive, send: Send, asked: Asked, outcome: Answered | InFlight | Reused
) -> None:
    if isinstance(outcome, Answered) and outcome.body is not None:
        replayed = Response(outcome.body, outcome.status, headers={**outcome.headers, REPLAYED: "true"})
        await replayed(scope, receive, send)
    elif isinstance(outcome, Answered):
        made = outcome.headers.get("location")
        await _problem(scope, receive, send, AnswerNotKept(made), location=made)
    elif isinstance(outcome, Reused):
        await _problem(scope, receive, send, KeyReused(asked.key, outcome))
    else:
        await _problem(scope, receive, send, KeyInFlight(asked.key), retry_after="1")


class KeyReused(DomainError):
    status = 422
    code = "idempotency-key-reused"
    title = "Idempotency-Key used for another request"

    def __init__(self, key: str, first: Reused) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was used for {first.method} {first.path} with another body: "
            "a new request needs a new key",
        )


class KeyInFlight(DomainError):
    status = 409
    code = "idempotency-key-in-flight"
    title = "A request with this Idempotency-Key is still being answered"

    def __init__(self, key: str) -> None:
        super().__init__(
            f"the first request with Idempotency-Key {key!r} is not answered yet: retry in a moment"
        )


class AnswerNotKept(DomainError):
    status = 409
    code = "idempotency-answer-not-kept"
    title = "The answer to this Idempotency-Key carried a secret and was not kept"

    def __init__(self, made: str | None) -> None:
        super().__init__(
            f"the first request with this key succeeded ({made or 'see the audit'}); its answer carried a "
            "secret, which the gateway does not keep: revoke what it made and ask again with a new key"
        )


async def _problem(
    scope: Scope, receive: Receive, send: Send, error: DomainError, *, location: str | None = None,
    retry_after: str | None = None,
) -> None:  # fmt: skip
    response = problem(
        error.status, error.code, error.title, error.detail, Request(scope), **error.extensions
    )
    if location:
        response.headers["Location"] = location
    if retry_after:
        response.headers["Retry-After"] = retry_after
    await response(scope, receive, send)
