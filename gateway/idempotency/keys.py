"""The gateway's idempotency keys, in its database: claimed, answered or released, and pruned
after a day, at most every ``PRUNE_EVERY_S``, by whichever request claims a key first then."""

from __future__ import annotations

import time
from collections.abc import Mapping

from gateway.database import Store
from gateway.idempotency import service
from gateway.idempotency.service import Claimed, InFlight, Outcome, Request
from huiwu.db import utcnow

PRUNE_EVERY_S = 600.0
CLAIM_ATTEMPTS = 3  # a key released between our insert and our read is claimed again


class Keys:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._pruned_at = -PRUNE_EVERY_S

    async def claim(self, request: Request) -> Outcome:
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY_S:
            self._pruned_at = time.monotonic()
            await self._store.run(lambda session: service.prune(session, utcnow()))
        for _ in range(CLAIM_ATTEMPTS):
            outcome = await self._store.run(lambda session: service.claim(session, request, utcnow()))
            if outcome is not None:
                return outcome
        return InFlight()

    async def answer(
        self, request: Request, claimed: Claimed, status: int, headers: Mapping[str, str], body: bytes | None
    ) -> bool:
        return await self._store.run(
            lambda session: service.answer(session, request, claimed, status, headers, body)
        )

    async def release(self, request: Request, claimed: Claimed) -> None:
        await self._store.run(lambda session: service.release(session, request, claimed))
