"""Which token a request carries, answered from memory.

A door rush sends hundreds of scans a second through the gateway with a handful of kiosk tokens,
so a token found in the database is remembered by digest for ``FRESH_S``: each request then costs
a SHA-256 and a dictionary look-up. A revocation is forgotten at once here, and on the other
gateway replicas when they hear of it (``revocations.py``), else within ``FRESH_S``. Unknown
tokens are not remembered (an attacker's guesses would fill the memory); each one is looked up
and audited.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime

from gateway.database import Store
from gateway.limits.rates import Rate
from gateway.tokens import service
from gateway.tokens.models import ApiToken
from huiwu.auth import ADMIN, Clearance, Principal, digest
from huiwu.db import utcnow
from huiwu.errors import Unauthorized

FRESH_S = 10.0
BOOTSTRAP = Principal("bootstrap-admin", frozenset({ADMIN}), Clearance.top_secret, token_id="bootstrap")


class TokenRefused(Unauthorized):
    """401, with the reason and (when the token is one of ours) which token, for the audit."""

    def __init__(self, detail: str, reason: str, token: Principal | None = None) -> None:
        super().__init__(detail, reason=reason)
        self.token = token


@dataclass(frozen=True)
class Known:
    principal: Principal
    expires_at: datetime | None
    revoked: bool
    fresh_until: float  # time.monotonic()
    rate: Rate | None  # the token's own rate limit, if it was given one


class TokenBook:
    def __init__(self, store: Store, bootstrap_token: str | None) -> None:
        self._store = store
        # The bootstrap token lives only in the environment: known for good, never revoked here.
        self._permanent = {digest(bootstrap_token): BOOTSTRAP} if bootstrap_token else {}
        self._known: dict[str, Known] = {}
        self._revocations = 0  # a look-up that started before a revocation is not remembered
        self._pending: dict[str, asyncio.Future[Known]] = {}

    async def authenticate(self, authorization: str | None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRefused("send Authorization: Bearer <token>", "missing-token")
        # A dict look-up by digest leaks nothing useful through timing: a caller cannot steer
        # the digest of what they send towards a stored one.
        presented = digest(token.strip())
        if (permanent := self._permanent.get(presented)) is not None:
            return permanent
        known = self._known.get(presented)
        if known is None or known.fresh_until < time.monotonic():
            known = await self._look_up(presented)
        return _valid(known)

    def remembered(self, authorization: str | None) -> tuple[Principal, Rate | None] | None:
        """The caller and its own rate limit, if the gateway has met its token: from memory only,
        stale or not, never the database (the rate limits ask this of every request). Whether the
        token is still valid is ``authenticate``'s to say."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        presented = digest(token.strip())
        if (permanent := self._permanent.get(presented)) is not None:
            return permanent, None
        known = self._known.get(presented)
        return None if known is None else (known.principal, known.rate)

    def forget(self, token_digest: str) -> None:
        """Called once a revocation is committed."""
        self._revocations += 1
        self._known.pop(token_digest, None)
        self._pending.pop(token_digest, None)  # a read begun before it: later requests read afresh

    async def _look_up(self, token_digest: str) -> Known:
        """One database read per token however many requests are waiting for it (a rush of scans
        with one kiosk's token when its entry goes stale)."""
        pending = self._pending.get(token_digest)
        if pending is None:
            pending = asyncio.ensure_future(self._load(token_digest))
            self._pending[token_digest] = pending
            pending.add_done_callback(lambda done: self._settled(token_digest, done))
        return await asyncio.shield(pending)  # a caller giving up does not cancel the others' read

    def _settled(self, token_digest: str, done: asyncio.Future[Known]) -> None:
        if self._pending.get(token_digest) is done:
            del self._pending[token_digest]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have given up

    async def _load(self, token_digest: str) -> Known:
        revocations = self._revocations
        row = await self._store.run(lambda session: service.find(session=session, token_digest=token_digest))
        if row is None:
            self._known.pop(token_digest, None)
            raise TokenRefused("the token is not valid", "unknown-token")
        known = _known(row)
        if revocations == self._revocations:
            self._known[token_digest] = known
        return known


def _known(row: ApiToken) -> Known:
    return Known(
        principal=service.principal_of(row),
        expires_at=row.expires_at,
        revoked=row.revoked_at is not None,
        fresh_until=time.monotonic() + FRESH_S,
        rate=service.own_rate(row),
    )


def _valid(known: Known) -> Principal:
    if known.revoked:
        raise TokenRefused("the token was revoked", "token-revoked", known.principal)
    if known.expires_at is not None and known.expires_at <= utcnow():
        raise TokenRefused("the token has expired", "token-expired", known.principal)
    return known.principal
