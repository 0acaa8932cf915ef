"""Bringing a department back in sync after a disaster (``huiwu repair …``).

``republish --service S --since T`` publishes S's outbox rows recorded since T again (sent rows are
kept ``outbox_retention_days``), each with its original event id as ``Nats-Msg-Id``. Whatever the
stream still holds within JetStream's duplicate window is dropped by JetStream; older copies reach
the consumers, whose inbox has applied them already. So it is harmless to run, and it refills a
stream the broker lost (the stream is created first if it is gone).

``replay --service S --producer P --from-sequence N`` reads P's stream from sequence N with a
consumer of its own (the service's durables keep their place) and applies each event through S's
handlers and inbox: an event S applied before is skipped, so a replay never applies twice. To
rebuild a projection table from scratch, empty it and forget what its consumer applied from that
point first, e.g. ``DELETE FROM inbox_entry WHERE consumer = 'venue__registration' AND
stream_sequence >= N``; only do that for handlers that only keep projections, since a handler
that records events of its own would announce them again. Events a handler records go out through
S's outbox, published by S's relay when it runs.

``parked --service S`` lists S's parked messages that no one has settled yet; each keeps S's
``/sync`` from saying in sync. Once the cause is fixed (a handler bug released, a missing row
restored), ``retry-parked`` applies them again through the same consumer and inbox, and settles
each that goes through; ``dismiss --id N --reason R`` settles one that never will (garbage on the
subject), with the reason kept. A replay settles what it applies, too. Settled rows stay.

All read the usual ``HUIWU_*`` settings (database URL, NATS URLs) of the service repaired.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import update
from sqlmodel import col, select

from huiwu.bus import Bus, stream_name
from huiwu.db import SessionFactory, create_db_engine, session_factory, unit_of_work, utcnow
from huiwu.events.contract import UnknownEventType
from huiwu.events.envelope import CloudEvent, MalformedEvent
from huiwu.inbox import Consumer, DeadLetter, InboxEntry
from huiwu.outbox import OutboxEvent
from huiwu.service import ServiceDefinition
from huiwu.settings import SERVICES, Settings

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 15.0
FETCH_BATCH = 100
FETCH_TIMEOUT_S = 2.0
REPLAY_IDLE_S = 60  # the server drops the replay's consumer if the command dies


class RepairError(Exception):
    """Something the operator asked for cannot be done (a service that consumes nothing from P…)."""


@dataclass
class Republished:
    rows: int = 0
    stored: int = 0  # new in the stream
    duplicates: int = 0  # JetStream already had them (within its duplicate window)


@dataclass
class Replayed:
    read: int = 0
    applied: int = 0
    skipped: int = 0  # applied before (the inbox has them) or of no interest to the service
    failed: list[str] = field(default_factory=list)  # "sequence event-id: error", nothing applied


@dataclass
class Retried:
    settled: list[int] = field(default_factory=list)  # dead-letter ids applied now (or before)
    failed: list[str] = field(default_factory=list)  # "id event-id: error", still parked


async def republish(settings: Settings, service: str, since: datetime) -> Republished:
    """Publish ``service``'s outbox rows recorded at or after ``since`` again, in their order."""
    rows = _outbox_rows(settings, service, since)
    result = Republished(rows=len(rows))
    async with _connected(settings, f"huiwu-repair-{service}") as bus:
        await bus.ensure_stream(service, replicas=settings.stream_replicas)
        for subject, headers, payload in rows:
            ack = await bus.jetstream.publish(subject, payload, headers=headers)
            if ack.duplicate:
                result.duplicates += 1
            else:
                result.stored += 1
    return result


Row = tuple[str, dict[str, str], bytes]  # subject, headers, payload: a message as the relay sent it


def _outbox_rows(settings: Settings, service: str, since: datetime) -> list[Row]:
    since_then = select(OutboxEvent).where(col(OutboxEvent.created_at) >= since)
    query = since_then.order_by(col(OutboxEvent.position))
    with _database(settings, service) as make_session, make_session() as session:
        rows = session.scalars(query)
        return [(row.nats_subject, json.loads(row.headers), row.payload.encode()) for row in rows]


async def replay(
    settings: Settings, definition: ServiceDefinition, producer: str, from_sequence: int
) -> Replayed:
    """Apply ``producer``'s events from ``from_sequence`` on through ``definition``'s handlers."""
    subscriptions = [sub for sub in definition.subscriptions if sub.producer == producer]
    if not subscriptions:
        raise RepairError(f"{definition.name} consumes nothing from {producer}")
    result = Replayed()
    with _database(settings, definition.name) as make_session:
        async with _connected(settings, f"huiwu-repair-{definition.name}") as bus:
            for subscription in subscriptions:
                consumer = Consumer(subscription, make_session, bus)
                await _replay_one(bus, consumer, from_sequence, result)
                await asyncio.to_thread(_settle_applied, make_session, subscription.durable)
    return result


async def _replay_one(bus: Bus, consumer: Consumer, from_sequence: int, result: Replayed) -> None:
    subscription = consumer.subscription
    name = f"repair-{subscription.durable}-{uuid.uuid4().hex[:8]}"
    config = ConsumerConfig(
        name=name,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=from_sequence,
        filter_subjects=subscription.subjects,
        inactive_threshold=REPLAY_IDLE_S,
        max_ack_pending=-1,
    )
    try:
        info = await bus.jetstream.add_consumer(subscription.stream, config=config)
    except NotFoundError as error:
        raise RepairError(f"stream {subscription.stream} does not exist") from error
    try:
        pending = int(info.num_pending or 0)
        puller = await bus.jetstream.pull_subscribe_bind(durable=name, stream=subscription.stream)
        while pending > 0:
            for message in await puller.fetch(min(FETCH_BATCH, pending), timeout=FETCH_TIMEOUT_S):
                await _replay_message(consumer, message, result)
                await message.ack()
                pending = int(message.metadata.num_pending)
    finally:
        await bus.jetstream.delete_consumer(subscription.stream, name)


async def _replay_message(consumer: Consumer, message: Msg, result: Replayed) -> None:
    sequence = int(message.metadata.sequence.stream)
    result.read += 1
    try:
        event = CloudEvent.from_nats(message.headers, message.data)
    except MalformedEvent as error:
        result.failed.append(f"{sequence} ?: {error}")
        return
    try:
        # The consumer's own inbox-and-handler step, so a replay applies exactly as the live one.
        outcome = await asyncio.to_thread(consumer.apply, event, sequence)
    except (MalformedEvent, UnknownEventType) as error:
        result.failed.append(f"{sequence} {event.id}: {error}")
        return
    except Exception as error:
        log.exception("replaying %s failed", event.id)
        result.failed.append(f"{sequence} {event.id}: {type(error).__name__}: {error}")
        return
    if outcome == "applied":
        result.applied += 1
    else:
        result.skipped += 1


def unsettled(settings: Settings, service: str) -> list[DeadLetter]:
    """``service``'s parked messages that still count as parked, oldest first."""
    with _database(settings, service) as make_session, make_session() as session:
        query = select(DeadLetter).where(col(DeadLetter.resolved_at).is_(None)).order_by(col(DeadLetter.id))
        return [letter for letter in session.scalars(query) if _belongs_to(letter, service)]


def retry_parked(settings: Settings, definition: ServiceDefinition, ids: list[int] | None = None) -> Retried:
    """Apply ``definition``'s unsettled parked messages (or just ``ids``) again, each through the
    consumer that parked it; settle each that goes through, keep the others parked."""
    result = Retried()
    with _database(settings, definition.name) as make_session:
        bus = Bus(settings.nats_servers, client_name="huiwu-repair")  # never connected: apply records only
        consumers = {sub.durable: Consumer(sub, make_session, bus) for sub in definition.subscriptions}
        for letter in _chosen(unsettled(settings, definition.name), ids):
            assert letter.id is not None  # stored rows have one
            try:
                outcome = _apply_again(consumers, letter)
            except Exception as error:
                result.failed.append(f"{letter.id} {letter.event_id or '?'}: {type(error).__name__}: {error}")
                continue
            _settle(make_session, [letter.id], f"{outcome} on retry")
            result.settled.append(letter.id)
    return result


def dismiss(settings: Settings, service: str, ids: list[int], reason: str) -> list[int]:
    """Settle parked messages that will never apply, keeping why; returns the ids settled."""
    chosen = [letter.id for letter in _chosen(unsettled(settings, service), ids) if letter.id is not None]
    with _database(settings, service) as make_session:
        _settle(make_session, chosen, f"dismissed: {reason}")
    return chosen


def _chosen(letters: list[DeadLetter], ids: list[int] | None) -> list[DeadLetter]:
    if ids is None:
        return letters
    known = {letter.id for letter in letters}
    if missing := sorted(set(ids) - known):
        raise RepairError(f"no unsettled parked message with id {', '.join(map(str, missing))}")
    return [letter for letter in letters if letter.id in ids]


def _apply_again(consumers: dict[str, Consumer], letter: DeadLetter) -> str:
    consumer = consumers.get(letter.consumer)
    if consumer is None:
        raise RepairError(f"the service has no consumer {letter.consumer} any more")
    event = CloudEvent.from_nats(json.loads(letter.headers), letter.payload.encode())
    return consumer.apply(event, letter.stream_sequence)


def _settle(make_session: SessionFactory, ids: list[int], resolution: str) -> None:
    with unit_of_work(make_session) as session:
        settled = update(DeadLetter).where(col(DeadLetter.id).in_(ids), col(DeadLetter.resolved_at).is_(None))
        session.execute(settled.values(resolved_at=utcnow(), resolution=resolution))


def _settle_applied(make_session: SessionFactory, consumer: str) -> None:
    """Settle what ``consumer`` parked and has applied since (its inbox has the event)."""
    applied = select(InboxEntry.event_id).where(col(InboxEntry.consumer) == consumer)
    with unit_of_work(make_session) as session:
        session.execute(
            update(DeadLetter)
            .where(
                col(DeadLetter.consumer) == consumer,
                col(DeadLetter.resolved_at).is_(None),
                col(DeadLetter.event_id).in_(applied),
            )
            .values(resolved_at=utcnow(), resolution="applied by a replay")
        )


def _belongs_to(letter: DeadLetter, service: str) -> bool:
    """The service's own consumers: ``<service>__<producer>`` and ``<service>-<purpose>__…``."""
    return letter.consumer.startswith((f"{service}__", f"{service}-"))


@contextmanager
def _database(settings: Settings, service: str) -> Iterator[SessionFactory]:
    engine = create_db_engine(settings.database_url(service))
    try:
        yield session_factory(engine)
    finally:
        engine.dispose()


@asynccontextmanager
async def _connected(settings: Settings, client_name: str) -> AsyncIterator[Bus]:
    """A NATS connection for one command, given up after ``CONNECT_TIMEOUT_S``."""
    bus = Bus(settings.nats_servers, client_name=client_name)
    bus.start()
    try:
        try:
            await asyncio.wait_for(bus.wait_connected(), CONNECT_TIMEOUT_S)
        except TimeoutError as error:
            raise RepairError(f"NATS not reachable within {CONNECT_TIMEOUT_S:.0f}s") from error
        yield bus
    finally:
        await bus.close()


def service_definition(service: str) -> ServiceDefinition:
    """The department's definition, found by name like ``huiwu serve`` finds its app."""
    definition: ServiceDefinition = importlib.import_module(f"services.{service}.main").definition
    return definition


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("repair", help="bring a department back in sync after a disaster")
    actions = parser.add_subparsers(dest="action", required=True)
    again = actions.add_parser("republish", help="publish a service's events from its outbox again")
    again.add_argument("--service", required=True, choices=SERVICES)
    again.add_argument("--since", required=True, type=_aware_time, help="e.g. 2027-01-12T08:00:00+08:00")
    replayed = actions.add_parser("replay", help="apply a stream again to a service's projections")
    replayed.add_argument("--service", required=True, choices=SERVICES)
    replayed.add_argument("--producer", required=True, choices=SERVICES)
    replayed.add_argument("--from-sequence", required=True, type=_positive, dest="from_sequence")
    listed = actions.add_parser("parked", help="list a service's parked messages not yet settled")
    listed.add_argument("--service", required=True, choices=SERVICES)
    retried = actions.add_parser(
        "retry-parked", help="apply parked messages again, once their cause is fixed"
    )
    retried.add_argument("--service", required=True, choices=SERVICES)
    retried.add_argument("--id", type=int, action="append", dest="ids", help="only these (repeatable)")
    dismissed = actions.add_parser("dismiss", help="settle parked messages that will never apply")
    dismissed.add_argument("--service", required=True, choices=SERVICES)
    dismissed.add_argument("--id", type=int, action="append", dest="ids", required=True)
    dismissed.add_argument("--reason", required=True, type=_text, help="kept with the message")


def run_command(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    action = {
        "republish": _run_republish,
        "replay": _run_replay,
        "parked": _run_parked,
        "retry-parked": _run_retry_parked,
        "dismiss": _run_dismiss,
    }[args.action]
    try:
        return action(settings, args)
    except RepairError as error:
        print(f"repair failed: {error}")  # noqa: T201  (the command's answers are printed)
        return 2


def _run_republish(settings: Settings, args: argparse.Namespace) -> int:
    done = asyncio.run(republish(settings, args.service, args.since))
    print(  # noqa: T201
        f"{stream_name(args.service)}: {done.rows} events since {args.since.isoformat()}, "
        f"{done.stored} stored again, {done.duplicates} already in the stream"
    )
    return 0


def _run_replay(settings: Settings, args: argparse.Namespace) -> int:
    replayed = asyncio.run(
        replay(settings, service_definition(args.service), args.producer, args.from_sequence)
    )
    print(  # noqa: T201
        f"{args.service} from {stream_name(args.producer)} #{args.from_sequence}: {replayed.read} read, "
        f"{replayed.applied} applied, {replayed.skipped} skipped (applied before), "
        f"{len(replayed.failed)} failed"
    )
    for failure in replayed.failed:
        print(f"  failed: {failure}")  # noqa: T201
    return 1 if replayed.failed else 0


def _run_parked(settings: Settings, args: argparse.Namespace) -> int:
    letters = unsettled(settings, args.service)
    print(f"{args.service}: {len(letters)} parked messages not settled")  # noqa: T201
    for letter in letters:
        print(  # noqa: T201
            f"  #{letter.id} {letter.parked_at.isoformat()} {letter.consumer} "
            f"{letter.stream}#{letter.stream_sequence} {letter.event_type or '?'} {letter.event_id or '?'}: "
            f"{letter.reason}"
        )
    return 0


def _run_retry_parked(settings: Settings, args: argparse.Namespace) -> int:
    retried = retry_parked(settings, service_definition(args.service), args.ids)
    print(  # noqa: T201
        f"{args.service}: {len(retried.settled)} applied and settled, {len(retried.failed)} still parked"
    )
    for failure in retried.failed:
        print(f"  failed: {failure}")  # noqa: T201
    return 1 if retried.failed else 0


def _run_dismiss(settings: Settings, args: argparse.Namespace) -> int:
    settled = dismiss(settings, args.service, args.ids, args.reason)
    print(f"{args.service}: dismissed {', '.join(f'#{n}' for n in settled)}")  # noqa: T201
    return 0


def _aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text}") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("the time needs its zone, e.g. +08:00")
    return moment


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("a stream sequence starts at 1")
    return int(text)


def _text(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("say why, for the record")
    return text.strip()
