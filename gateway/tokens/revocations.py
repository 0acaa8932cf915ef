"""A revocation told to every gateway replica at once.

Each replica remembers the tokens it has met for ``FRESH_S`` (``book.py``). The replica that
revokes a token forgets it at once and broadcasts its digest on core NATS; every replica hears it
and forgets it too, so the next request with it reads the database and is refused. A broadcast is
at most once: a replica away from the broker then misses it, and its memory of the token expires
within ``FRESH_S`` as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from gateway.tokens.book import FRESH_S, TokenBook
from huiwu.bus import Bus

log = logging.getLogger(__name__)

# Outside every department's stream (huiwu.<department>.>): news, not an event to keep.
SUBJECT = "huiwu.control.gateway.token_revoked"


class RevocationNews:
    def __init__(self, bus: Bus, tokens: TokenBook) -> None:
        self._bus = bus
        self._tokens = tokens
        self._listening: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._listening = asyncio.create_task(
            self._bus.listen(SUBJECT, self._heard), name="token-revocations"
        )

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening

    async def announce(self, token_digest: str) -> None:
        """Called once the revocation is committed and forgotten here."""
        if not await self._bus.broadcast(SUBJECT, token_digest.encode()):
            log.warning(
                "NATS is away: other gateway replicas refuse the revoked token within %.0f s", FRESH_S
            )

    def _heard(self, payload: bytes) -> None:
        self._tokens.forget(payload.decode())
