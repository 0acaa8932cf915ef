"""Posts due deliveries: woken when the intake records some, and sweeping every second for retries
that came due. Each delivery is claimed in the database with a lease before it is posted, and its
attempt settled after, so what a stopped gateway held is picked up by the next one once the
lease runs out. Deliveries are independent: their order is not kept."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta

import aiohttp

from gateway.database import Store
from gateway.webhooks import messages, service
from gateway.webhooks.service import Claimed, Outcome
from huiwu.db import utcnow
from huiwu.tasks import honour_cancellation

log = logging.getLogger(__name__)

BATCH = 32
CONNECTIONS = 64
SWEEP_INTERVAL_S = 1.0
EXCERPT_BYTES = 1024
ERROR_CHARS = 500


class DeliveryWorker:
    def __init__(self, store: Store, delays: Sequence[float], timeout_s: float) -> None:
        self._store = store
        self._delays = tuple(delays)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        # Longer than an attempt can take, so a live sender's claim never runs out under it.
        self._lease = timedelta(seconds=2 * timeout_s + 30)
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop_claiming(self) -> None:
        """What is in flight finishes; nothing new is taken."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector, timeout=self._timeout) as http:
            while not self._stopping:
                honour_cancellation()
                try:
                    sent = await self.deliver_due(http)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook delivery pass failed; retrying")
                    sent = 0
                if sent == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), SWEEP_INTERVAL_S)
                    self._wake.clear()

    async def deliver_due(self, http: aiohttp.ClientSession) -> int:
        """One pass: claim a batch, post it concurrently, settle it. Returns how many were posted."""
        lease = self._lease
        claimed = await self._store.run(
            lambda session: service.claim_due(session=session, now=utcnow(), lease=lease, limit=BATCH)
        )
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._post(http, delivery) for delivery in claimed))
        delays = self._delays
        await self._store.run(
            lambda session: service.settle(session=session, outcomes=outcomes, delays=delays, now=utcnow())
        )
        return len(outcomes)

    async def _post(self, http: aiohttp.ClientSession, delivery: Claimed) -> Outcome:
        attempted_at = utcnow()
        headers = messages.headers(delivery.secret, delivery.delivery_id, int(time.time()), delivery.body)
        started = time.perf_counter()
        status: int | None = None
        excerpt: str | None = None
        error: str | None = None
        try:
            # Redirects are not followed: a receiver that moved says so with its new URL.
            async with http.post(
                delivery.url, data=delivery.body.encode(), headers=headers, allow_redirects=False
            ) as response:
                status = response.status
                excerpt = await _excerpt(response)
        except (aiohttp.ClientError, TimeoutError) as failure:
            error = (f"{type(failure).__name__}: {failure}")[:ERROR_CHARS]
        latency_ms = round((time.perf_counter() - started) * 1000)
        return Outcome(delivery.delivery_id, delivery.claim, attempted_at, status, latency_ms, excerpt, error)


async def _excerpt(response: aiohttp.ClientResponse) -> str:
    """The first KB of the answer; the rest is not read."""
    head = b""
    while len(head) < EXCERPT_BYTES and (chunk := await response.content.read(EXCERPT_BYTES - len(head))):
        head += chunk
    return head.decode(errors="replace")
