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
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from gateway.database import Store
from gateway.webhooks import service
from huiwu.bus import Bus, stream_name
from huiwu.db import utcnow
from huiwu.events.envelope import CloudEvent, MalformedEvent
from huiwu.tasks import honour_cancellation

log = logging.getLogger(__name__)

DURABLE = "gateway__webhooks"
ACK_WAIT_S = 30.0
FETCH_BATCH = 64
FETCH_TIMEOUT_S = 1.0
RETRY_DELAY_S = 5.0


class Intake:
    def __init__(self, department: str, store: Store, bus: Bus, wake_worker: Callable[[], None]) -> None:
        self.department = department
        self._store = store
        self._bus = bus
        self._wake_worker = wake_worker

    async def run(self) -> None:
        """Consume until cancelled; whatever goes wrong, subscribe again and go on."""
        await self._bus.wait_connected()
        while True:
            try:
                await self._consume(await self._subscribe())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook intake of %s failed; subscribing again", self.department)
                await asyncio.sleep(1)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        # The whole stream from its start, the first time: no subscription exists yet then, and a
        # durable lost on the broker side re-reads rather than skips (the unique key absorbs it).
        config = ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=ACK_WAIT_S,
            max_deliver=-1,
            max_ack_pending=1000,
        )
        stream = stream_name(self.department)
        while True:
            try:
                await self._bus.jetstream.add_consumer(stream, config=config)
                return await self._bus.jetstream.pull_subscribe_bind(durable=DURABLE, stream=stream)
            except NotFoundError:
                log.info("stream %s not there yet; waiting for its producer", stream)
                await asyncio.sleep(1)

    async def _consume(self, subscription: JetStreamContext.PullSubscription) -> None:
        while True:
            honour_cancellation()
            try:
                messages = await subscription.fetch(FETCH_BATCH, timeout=FETCH_TIMEOUT_S)
            except (NatsTimeoutError, TimeoutError):
                continue
            await self.take(messages)

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
        acks = await asyncio.gather(*(message.ack_sync() for message in messages), return_exceptions=True)
        if failed := sum(isinstance(ack, Exception) for ack in acks):
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
