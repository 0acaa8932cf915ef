"""The gateway's durable consumer (``gateway__webhooks``) on each department's stream: every
event becomes a delivery row per subscription that wants it, and is acknowledged only once those
rows are committed. A crash before the commit means the event comes again; after it, the unique
(subscription, event id) absorbs the repeat. So an event is neither lost nor delivered twice
across a gateway restart, and replicas share the consumer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from nats.aio.msg import Msg

from gateway.database import Store
from gateway.webhooks import service
from huiwu.bus import Bus, acknowledge, durable_consumer, stream_name
from huiwu.db import utcnow
from huiwu.events.envelope import CloudEvent, MalformedEvent

log = logging.getLogger(__name__)

DURABLE = "gateway__webhooks"
RETRY_DELAY_S = 5.0


class Intake:
    def __init__(self, department: str, store: Store, bus: Bus, wake_worker: Callable[[], None]) -> None:
        self.department = department
        self._store = store
        self._bus = bus
        self._wake_worker = wake_worker

    async def run(self) -> None:
        """Consume until cancelled. The whole stream from its start, the first time: no
        subscription exists yet then, and a durable lost on the broker side re-reads rather than
        skips (the unique key absorbs it)."""
        await self._bus.consume(stream_name(self.department), durable_consumer(DURABLE), self.take)

    async def take(self, messages: list[Msg]) -> None:
        """One transaction for the fetch, then the acknowledgements."""
        events = [event for message in messages if (event := _decoded(message)) is not None]
        try:
            created = await self._store.run(
                lambda session: service.record_deliveries(session=session, events=events, now=utcnow())
            )
        except Exception:
            log.exception("could not record webhook deliveries; the events come again")
            await asyncio.gather(
                *(message.nak(delay=RETRY_DELAY_S) for message in messages), return_exceptions=True
            )
            return
        if failed := await acknowledge(messages):
            log.warning("%d acks failed; their deliveries exist and absorb the redelivery", failed)
        if created:
            self._wake_worker()


def _decoded(message: Msg) -> CloudEvent | None:
    try:
        return CloudEvent.from_nats(message.headers, message.data)
    except MalformedEvent as error:
        # The departments' consumers park it; there is nothing here a receiver could use.
        log.warning("not an event (%s); no webhook delivers it", error)
        return None
