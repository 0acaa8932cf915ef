"""Idempotent consumers: a durable JetStream pull consumer per (service, stream), an inbox table
that makes every handler apply an event at most once, and a dead-letter table for messages that
cannot be processed.

For each message: decode the CloudEvent; in one transaction insert ``(consumer, event id)`` into
the inbox and run the handler; commit; then ``ack_sync``. An event seen before is acknowledged
without running the handler. A handler error is retried with growing delays (``nak(delay)``),
and after the subscription's last attempt, or at once for a message that is not a valid event, the
message is parked (dead-letter row and a ``message_parked`` event, in one transaction) and
terminated, so the messages behind it go on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from nats.aio.msg import Msg
from sqlalchemy import Column, Text, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, col

from huiwu.bus import Bus, acknowledge, durable_consumer, stream_name, stream_subjects
from huiwu.context import current_actor, current_causation_id, current_correlation_id
from huiwu.db import SessionFactory, UTCDateTime, unit_of_work, utcnow
from huiwu.events.catalog import MessageParked
from huiwu.events.contract import EventContract, UnknownEventType
from huiwu.events.envelope import CloudEvent, MalformedEvent
from huiwu.metrics import EVENTS_CONSUMED
from huiwu.outbox import record
from huiwu.tables import KernelTable

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)


class InboxEntry(KernelTable, table=True):
    __tablename__ = "inbox_entry"

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: str = Field(primary_key=True, max_length=36)
    event_type: str = Field(max_length=200)
    meeting_id: str | None = Field(default=None, max_length=36, index=True)
    stream_sequence: int
    applied_at: datetime = Field(sa_type=UTCDateTime, index=True)


class DeadLetter(KernelTable, table=True):
    __tablename__ = "dead_letter"

    id: int | None = Field(default=None, primary_key=True)
    consumer: str = Field(max_length=100, index=True)
    stream: str = Field(max_length=100)
    stream_sequence: int
    nats_subject: str = Field(max_length=200)
    event_id: str | None = Field(default=None, max_length=200)
    event_type: str | None = Field(default=None, max_length=200)
    meeting_id: str | None = Field(default=None, max_length=200, index=True)
    headers: str = Field(sa_column=Column(Text, nullable=False))
    payload: str = Field(sa_column=Column(Text, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    deliveries: int
    parked_at: datetime = Field(sa_type=UTCDateTime)
    # Set when an operator settles it (``huiwu repair retry-parked`` applied it, a replay did, or
    # ``dismiss`` gave a reason): it no longer counts as parked, and the row stays as the record.
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


_INSERT_INBOX_ROW = insert(InboxEntry.__table__)  # type: ignore[attr-defined]  # the stub omits __table__
_SEEN = select(col(InboxEntry.event_id)).where(
    col(InboxEntry.consumer) == bindparam("consumer"),
    col(InboxEntry.event_id).in_(bindparam("event_ids", expanding=True)),
)

Handler = Callable[[Session, CloudEvent, EventContract], None]


@dataclass(frozen=True)
class Subscription:
    """What one service consumes from one producer's stream, and how it applies each type."""

    service: str
    producer: str
    handlers: Mapping[type[EventContract], Handler]
    # Delay before each redelivery after a handler error; one more failure parks the message.
    retry_delays: tuple[float, ...] = RETRY_DELAYS_S
    # Applied to every event of the producer that has no handler above (e.g. a journal of
    # everything); the consumer then takes the producer's whole stream.
    other_events: Handler | None = None
    # A second consumer of the same stream in one service (e.g. "journal"): its own durable keeps
    # its own place and inbox entries, apart from the department's projections.
    purpose: str | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1

    @property
    def durable(self) -> str:
        consumer = self.service if self.purpose is None else f"{self.service}-{self.purpose}"
        return f"{consumer}__{self.producer}"

    @property
    def stream(self) -> str:
        return stream_name(self.producer)

    @property
    def subjects(self) -> list[str]:
        if self.other_events is not None:
            return stream_subjects(self.producer)
        return [contract.nats_subject(self.producer) for contract in self.handlers]

    def handler_for(self, event_type: str) -> Handler | None:
        for contract, handler in self.handlers.items():
            if contract.event_type(self.producer) == event_type:
                return handler
        return self.other_events


class Consumer:
    def __init__(self, subscription: Subscription, make_session: SessionFactory, bus: Bus) -> None:
        self.subscription = subscription
        self._make_session = make_session
        self._bus = bus

    async def run(self) -> None:
        """Consume until cancelled; whatever goes wrong, subscribe again and go on."""
        sub = self.subscription
        await self._bus.consume(sub.stream, durable_consumer(sub.durable, sub.subjects), self.take)

    async def take(self, messages: list[Msg]) -> None:
        """A fetch: applied as one transaction if it can be, else one message at a time."""
        if len(messages) > 1 and await self._process_batch(messages):
            return
        for message in messages:
            await self.process(message)

    async def _process_batch(self, messages: list[Msg]) -> bool:
        """Apply a whole fetch in one transaction: one commit (one fsync) instead of one per event.
        If anything in it is wrong, nothing is applied and the caller takes the messages one by
        one, which retries or parks exactly the one at fault."""
        try:
            batch = [(CloudEvent.from_nats(m.headers, m.data), m.metadata.sequence.stream) for m in messages]
            outcomes = await asyncio.to_thread(self._apply_batch, batch)
        except Exception as error:
            log.info("batch of %d not applied as one (%s); one by one", len(messages), error)
            return False
        for outcome in outcomes:
            EVENTS_CONSUMED.labels(self.subscription.durable, outcome).inc()
        if failed := await acknowledge(messages):
            log.warning("%d acks failed; the inbox will absorb their redelivery", failed)
        return True

    async def process(self, message: Msg) -> None:
        deliveries = message.metadata.num_delivered
        try:
            event = CloudEvent.from_nats(message.headers, message.data)
            await asyncio.to_thread(self._apply, event, message.metadata.sequence.stream)
        except (MalformedEvent, UnknownEventType) as error:
            await self._park(message, None, f"{type(error).__name__}: {error}")
            return
        except Exception as error:
            delays = self.subscription.retry_delays
            if deliveries >= self.subscription.max_attempts:
                await self._park(message, _try_decode(message), f"{type(error).__name__}: {error}")
                return
            delay = delays[deliveries - 1]
            log.warning(
                "handler failed (delivery %d of %d), retrying in %.0fs: %s",
                deliveries, self.subscription.max_attempts, delay, error,
            )  # fmt: skip
            EVENTS_CONSUMED.labels(self.subscription.durable, "retried").inc()
            await message.nak(delay=delay)
            return
        try:
            await message.ack_sync()
        except Exception as error:
            log.warning("ack of %s failed (%s); the inbox will absorb its redelivery", event.id, error)

    def apply(self, event: CloudEvent, stream_sequence: int) -> str:
        """Apply one event in a transaction of its own; returns applied, duplicate or ignored."""
        try:
            with unit_of_work(self._make_session) as session:
                return self._apply_in(session, event, stream_sequence, self._seen(session, [event.id]))
        except IntegrityError:
            # Another replica applied the same event concurrently; its transaction won.
            with self._make_session() as session:
                if not self._seen(session, [event.id]):
                    raise
            return "duplicate"

    def _apply(self, event: CloudEvent, stream_sequence: int) -> None:
        EVENTS_CONSUMED.labels(self.subscription.durable, self.apply(event, stream_sequence)).inc()

    def _apply_batch(self, batch: list[tuple[CloudEvent, int]]) -> list[str]:
        with unit_of_work(self._make_session) as session:
            seen = self._seen(session, [event.id for event, _ in batch])
            return [self._apply_in(session, event, sequence, seen) for event, sequence in batch]

    def _apply_in(self, session: Session, event: CloudEvent, stream_sequence: int, seen: set[str]) -> str:
        """Record the event in the inbox and run its handler, in the caller's transaction.
        ``seen`` holds the ids already in the inbox; the event's id is added to it."""
        handler = self.subscription.handler_for(event.type)
        if handler is None:
            return "ignored"
        data = event.contract()  # MalformedEvent if the data does not match
        if event.id in seen:
            return "duplicate"
        seen.add(event.id)
        # Plain statements on the transaction's connection rather than the unit of work: this
        # runs for every event every consumer takes, and the ORM's get-then-flush was half a
        # journal entry's cost.
        session.connection().execute(
            _INSERT_INBOX_ROW,
            {
                "consumer": self.subscription.durable,
                "event_id": event.id,
                "event_type": event.type,
                "meeting_id": event.meetingid,
                "stream_sequence": stream_sequence,
                "applied_at": utcnow(),
            },
        )
        with _caused_by(event):
            handler(session, event, data)
        return "applied"

    def _seen(self, session: Session, event_ids: list[str]) -> set[str]:
        """Which of ``event_ids`` this consumer has applied before."""
        found = session.connection().execute(
            _SEEN, {"consumer": self.subscription.durable, "event_ids": event_ids}
        )
        return set(found.scalars())

    async def _park(self, message: Msg, event: CloudEvent | None, reason: str) -> None:
        try:
            await asyncio.to_thread(self._write_dead_letter, message, event, reason)
        except Exception:
            log.exception("could not park a message; it will be redelivered")
            await message.nak(delay=RETRY_DELAYS_S[-1])
            return
        EVENTS_CONSUMED.labels(self.subscription.durable, "parked").inc()
        log.error("parked message %s: %s", message.metadata.sequence.stream, reason)
        await message.term()

    def _write_dead_letter(self, message: Msg, event: CloudEvent | None, reason: str) -> None:
        sub = self.subscription
        sequence = message.metadata.sequence.stream
        with unit_of_work(self._make_session) as session:
            session.add(
                DeadLetter(
                    consumer=sub.durable,
                    stream=sub.stream,
                    stream_sequence=sequence,
                    nats_subject=message.subject,
                    event_id=event.id if event else (message.headers or {}).get("ce-id"),
                    event_type=event.type if event else (message.headers or {}).get("ce-type"),
                    meeting_id=event.meetingid if event else None,
                    headers=json.dumps(message.headers or {}, ensure_ascii=False),
                    payload=message.data.decode(errors="replace"),
                    reason=reason[:4000],
                    deliveries=message.metadata.num_delivered,
                    parked_at=utcnow(),
                )
            )
            record(
                session,
                MessageParked(
                    consumer=sub.durable,
                    stream=sub.stream,
                    stream_sequence=sequence,
                    parked_event_id=event.id if event else None,
                    parked_event_type=event.type if event else None,
                    deliveries=message.metadata.num_delivered,
                    reason=reason[:500],
                ),
                producer=sub.service,
                meeting_id=event.meetingid if event else None,
            )


@contextmanager
def _caused_by(event: CloudEvent) -> Iterator[None]:
    """Events the handler records carry this event's correlation and cause."""
    tokens = (
        current_correlation_id.set(event.correlationid or event.id),
        current_causation_id.set(event.id),
        current_actor.set(event.actor),
    )
    try:
        yield
    finally:
        for var, token in zip(
            (current_correlation_id, current_causation_id, current_actor), tokens, strict=True
        ):
            var.reset(token)


def _try_decode(message: Msg) -> CloudEvent | None:
    try:
        return CloudEvent.from_nats(message.headers, message.data)
    except MalformedEvent:
        return None


@dataclass(frozen=True)
class ConsumerStatus:
    applied: int
    last_event_id: str | None
    last_event_type: str | None
    last_applied_at: datetime | None
    parked: int


def consumer_status(session: Session, service: str, meeting_id: str | None = None) -> ConsumerStatus:
    """What a service has applied (optionally for one meeting) and parked and not yet settled
    (in all), for operators.

    Parked messages are counted for the whole service: a message too broken to parse cannot be
    attributed to a meeting, and an operator must see it all the same. Applied counts the
    department's projections (``<service>__<producer>``) only, not consumers kept for another
    purpose (``<service>-journal__<producer>``), though what those park counts too.
    """
    projections = f"{service}\\_\\_%"  # "_" alone is LIKE's any-character
    inbox = select(InboxEntry).where(col(InboxEntry.consumer).like(projections, escape="\\"))
    parked = (
        select(func.count())
        .select_from(DeadLetter)
        .where(
            col(DeadLetter.consumer).like(projections, escape="\\")
            | col(DeadLetter.consumer).like(f"{service}-%")
        )
        .where(col(DeadLetter.resolved_at).is_(None))
    )
    if meeting_id is not None:
        inbox = inbox.where(col(InboxEntry.meeting_id) == meeting_id)
    applied = session.scalar(select(func.count()).select_from(inbox.subquery())) or 0
    last = session.scalars(inbox.order_by(col(InboxEntry.applied_at).desc()).limit(1)).first()
    return ConsumerStatus(
        applied=int(applied),
        last_event_id=last.event_id if last else None,
        last_event_type=last.event_type if last else None,
        last_applied_at=last.applied_at if last else None,
        parked=int(session.scalar(parked) or 0),
    )
