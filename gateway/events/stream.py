"""One Server-Sent Events stream: an ordered JetStream consumer per department stream the reader
selected, merged as they arrive, each event sent with the cursor of everything passed so far.

Within a stream JetStream delivers in sequence order, so after an event is sent its cursor says
exactly what the reader has: resuming from it (``Last-Event-ID``) starts each stream right after
its last sequence, and nothing is missed or repeated. Events the reader may not see (another
meeting, another type, above its clearance) move the cursor on silently; the next heartbeat
carries it, so a reconnect does not read them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterable

import anyio
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from gateway.events import position
from gateway.events.filters import Selection
from gateway.events.position import Positions
from huiwu.bus import Bus, stream_name
from huiwu.errors import DomainError
from huiwu.events.envelope import CloudEvent, MalformedEvent

log = logging.getLogger(__name__)

RECONNECT_AFTER_MS = 2000  # the ``retry:`` a browser's EventSource waits before reconnecting
CONNECT_TIMEOUT_S = 5.0
NATS_IDLE_HEARTBEAT_S = 5.0  # a consumer silent for two of these is recreated where it left off
QUEUE_SIZE = 256  # a slow reader holds the consumers back (flow control) instead of growing memory
CLOSE_TIMEOUT_S = 2.0


class EventsUnavailable(DomainError):
    status = 503
    code = "events-unavailable"
    title = "Events unavailable"


async def starting_positions(bus: Bus, departments: Iterable[str], resumed: Positions | None) -> Positions:
    """Where each selected stream starts: after the resumed position, else after its last event
    now (a new reader gets what happens from here on). Positions of other streams are kept."""
    try:
        await asyncio.wait_for(bus.wait_connected(), CONNECT_TIMEOUT_S)
    except TimeoutError as error:
        raise EventsUnavailable("the gateway is not connected to the event broker") from error
    positions = dict(resumed or {})
    for department in departments:
        if department in positions:
            continue
        try:
            info = await bus.jetstream.stream_info(stream_name(department))
        except NotFoundError as error:
            raise EventsUnavailable(
                f"{department} has published no stream yet", service=department
            ) from error
        positions[department] = int(info.state.last_seq)
    return positions


class EventStream:
    def __init__(self, bus: Bus, selection: Selection, positions: Positions, heartbeat_s: float) -> None:
        self._bus = bus
        self._selection = selection
        self._positions = positions
        self._heartbeat_s = heartbeat_s

    async def frames(self) -> AsyncIterator[bytes]:
        """The SSE body: first the starting cursor (an ``id:`` alone dispatches nothing, but a
        browser resumes from it), then each event, and a heartbeat comment when quiet."""
        queue: asyncio.Queue[tuple[str, Msg]] = asyncio.Queue(QUEUE_SIZE)
        consumers: list[JetStreamContext.PushSubscription] = []
        loop = asyncio.get_running_loop()
        try:
            try:
                for department in self._selection.departments:
                    consumers.append(await self._follow(department, queue))
            except Exception:
                # The answer has begun: end it cleanly, and the reader reconnects from where it was.
                log.exception("could not follow the event streams; ending this one")
                return
            sent = position.encode(self._positions)
            yield f"retry: {RECONNECT_AFTER_MS}\nid: {sent}\n\n".encode()
            last_write = loop.time()
            while True:
                event: CloudEvent | None = None
                try:
                    async with asyncio.timeout(max(0.0, last_write + self._heartbeat_s - loop.time())):
                        event = self._passed(*await queue.get())
                except TimeoutError:
                    pass
                if event is None and loop.time() - last_write < self._heartbeat_s:
                    continue
                now = position.encode(self._positions)
                yield _event_frame(now, event) if event is not None else _heartbeat(now, sent)
                sent, last_write = now, loop.time()
        finally:
            with anyio.move_on_after(CLOSE_TIMEOUT_S, shield=True):  # runs even when cancelled
                for consumer in consumers:
                    with contextlib.suppress(Exception):
                        await consumer.unsubscribe()

    async def _follow(
        self, department: str, queue: asyncio.Queue[tuple[str, Msg]]
    ) -> JetStreamContext.PushSubscription:
        subjects = self._selection.subjects(department)
        start = self._positions[department] + 1
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=start,
            filter_subjects=subjects if len(subjects) > 1 else None,
        )

        async def arrived(message: Msg) -> None:
            await queue.put((department, message))

        consumer = await self._bus.jetstream.subscribe(
            subjects[0],
            stream=stream_name(department),
            cb=arrived,
            ordered_consumer=True,
            idle_heartbeat=NATS_IDLE_HEARTBEAT_S,
            config=config,
        )
        # nats-py recreates a stalled ordered consumer after the last sequence it saw, which it
        # counts from 0: tell it where this one started, or a recreation before the first event
        # would read the stream from its beginning.
        if (state := consumer._sub._jsi) is not None:  # set on every JetStream subscription
            state._sseq = start - 1
        return consumer

    def _passed(self, department: str, message: Msg) -> CloudEvent | None:
        """The event if the reader may see it; either way the position moves past it."""
        sequence = int(message.metadata.sequence.stream)
        if sequence <= self._positions[department]:
            return None  # a recreated consumer's repeat
        self._positions[department] = sequence
        try:
            event = CloudEvent.from_nats(message.headers, message.data)
        except MalformedEvent:
            log.warning("not an event at %s %d; skipped", department, sequence)
            return None
        return event if self._selection.admits(event) else None


def _event_frame(cursor: str, event: CloudEvent) -> bytes:
    body = json.dumps(
        event.model_dump(mode="json", exclude_none=True), ensure_ascii=False, separators=(",", ":")
    )
    return f"id: {cursor}\ndata: {body}\n\n".encode()


def _heartbeat(cursor: str, sent: str) -> bytes:
    moved = f"id: {cursor}\n" if cursor != sent else ""
    return f"{moved}: keep-alive\n\n".encode()
