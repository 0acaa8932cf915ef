"""Idempotent consumers: duplicates change nothing, a poison message is parked and does not
block the messages behind it, a failing handler is retried and then parked."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from huiwu.bus import ACK_WAIT_S, Bus
from huiwu.events.catalog import AttendeeRegistered, AttendeeState, AttendeeStatus, AttendeeSubstituted
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent, mint
from huiwu.inbox import DeadLetter, InboxEntry, Subscription
from huiwu.outbox import OutboxEvent
from huiwu.projections import roster_handlers
from huiwu.service import create_service_app
from huiwu.testing.databases import Databases
from huiwu.testing.fixtures import RunningService, StartService, eventually, service_client, service_settings
from huiwu.testing.nats import NatsServer
from services.venue.attendees.models import SeatedPerson
from services.venue.main import definition as venue
from tests.messaging import count_rows

MEETING_ID = str(uuid.uuid4())


def registered(name: str, *, attendee_id: str | None = None, version: int = 1) -> CloudEvent:
    data = AttendeeRegistered(
        meeting_id=MEETING_ID,
        attendee_id=attendee_id or str(uuid.uuid4()),
        version=version,
        name=name,
        organization="江州市纪委监委",
        title="书记",
        category="member",
    )
    return mint(data, producer="registration", subject=data.attendee_id, meeting_id=MEETING_ID)


class Registration:
    """Stands in for the registration service: owns the REGISTRATION stream and publishes to it."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def publish(self, event: CloudEvent, *, msg_id: bool = True) -> None:
        headers = event.nats_headers()
        if not msg_id:
            headers.pop("Nats-Msg-Id")
        await self.bus.publish(event.nats_subject, event.nats_payload(), headers)

    async def publish_raw(self, payload: bytes, headers: dict[str, str]) -> None:
        await self.bus.publish("huiwu.registration.attendee.registered", payload, headers)


@pytest.fixture
async def registration(nats_server: NatsServer) -> AsyncIterator[Registration]:
    bus = Bus([nats_server.url], client_name="test-registration")
    bus.start()
    await bus.wait_connected()
    await bus.ensure_stream("registration", replicas=1)
    yield Registration(bus)
    await bus.close()


def seated(service: RunningService) -> int:
    return count_rows(service, SeatedPerson, col(SeatedPerson.meeting_id) == MEETING_ID)


async def test_the_same_event_delivered_twice_is_applied_once(
    start_service: StartService, registration: Registration
) -> None:
    service = await start_service(venue)
    event = registered("王芳")
    marker = registered("叶建华")

    await registration.publish(event, msg_id=False)
    await registration.publish(event, msg_id=False)  # stored twice: no JetStream de-duplication
    await registration.publish(marker)

    await eventually(lambda: count_rows(service, InboxEntry) == 2, what="both distinct events applied")
    assert seated(service) == 2
    sync = (await service.http.get(f"/api/v1/meetings/{MEETING_ID}/sync")).json()
    assert sync["attendees"] == 2
    assert sync["events_applied"] == 2


async def test_a_poison_message_is_parked_and_the_rest_go_on(
    start_service: StartService, registration: Registration
) -> None:
    service = await start_service(venue)
    good = registered("李一鸣")

    await registration.publish_raw(b"\xff not json", good.nats_headers() | {"Nats-Msg-Id": "poison-1"})
    broken = registered("林静")
    await registration.publish_raw(b'{"meeting_id": "only this"}', broken.nats_headers())
    await registration.publish_raw(b"{}", {"content-type": "application/json"})  # no CloudEvents headers
    await registration.publish(good)

    await eventually(lambda: seated(service) == 1, what="the good event applied")
    await eventually(lambda: count_rows(service, DeadLetter) == 3, what="three messages parked")
    with service.runtime.make_session() as session:
        reasons = [letter.reason for letter in session.exec(select(DeadLetter).order_by(col(DeadLetter.id)))]
    assert "not JSON" in reasons[0]
    assert "does not match its contract" in reasons[1]
    assert "missing CloudEvents attributes" in reasons[2]
    sync = (await service.http.get(f"/api/v1/meetings/{MEETING_ID}/sync")).json()
    assert sync["parked_messages"] == 3
    await eventually(lambda: parked_events_published(service) == 3, what="message_parked events published")


def parked_events_published(service: RunningService) -> int:
    return count_rows(
        service,
        OutboxEvent,
        col(OutboxEvent.event_type) == "huiwu.venue.consumer.message_parked.v1",
        col(OutboxEvent.published_at).is_not(None),
    )


async def test_a_failing_handler_is_retried_then_succeeds_once(
    start_service: StartService, registration: Registration
) -> None:
    failures = {"left": 2}

    def flaky(session: Session, event: CloudEvent, data: EventContract) -> None:
        roster_handlers(SeatedPerson)[AttendeeRegistered](session, event, data)
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database went away for a moment")

    service = await start_service(with_handler(flaky, retry_delays=(0.2, 0.2, 0.2)))
    await registration.publish(registered("周强"))

    await eventually(lambda: seated(service) == 1, what="applied after two failures")
    assert failures["left"] == 0
    assert count_rows(service, InboxEntry) == 1
    assert count_rows(service, DeadLetter) == 0


async def test_a_handler_that_always_fails_is_parked_after_its_last_attempt(
    start_service: StartService, registration: Registration
) -> None:
    attempts: list[str] = []

    def broken(_session: Session, event: CloudEvent, _data: EventContract) -> None:
        attempts.append(event.id)
        raise ValueError("a bug in the handler")

    service = await start_service(with_handler(broken, retry_delays=(0.1, 0.1)))
    await registration.publish(registered("孙丽"))
    await registration.publish(registered("刘洋"))

    await eventually(lambda: count_rows(service, DeadLetter) == 2, what="both parked")
    with service.runtime.make_session() as session:
        letters = list(session.exec(select(DeadLetter)))
    assert [letter.deliveries for letter in letters] == [3, 3]  # three deliveries each, then parked
    # A fetch of both is first tried as one transaction (rolled back) before one by one.
    assert set(attempts) == {letter.event_id for letter in letters}
    assert 6 <= len(attempts) <= 9
    assert seated(service) == 0
    assert count_rows(service, InboxEntry) == 0  # a failed handler leaves no inbox entry behind


async def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(
    start_service: StartService, registration: Registration
) -> None:
    service = await start_service(venue)
    attendee_id = str(uuid.uuid4())

    await registration.publish(registered("欧阳少东", attendee_id=attendee_id, version=2))
    await registration.publish(registered("欧阳少冬", attendee_id=attendee_id, version=1))

    await eventually(lambda: count_rows(service, InboxEntry) == 2, what="both events consumed")
    with service.runtime.make_session() as session:
        person = session.get(SeatedPerson, attendee_id)
    assert person is not None
    assert (person.name, person.version) == ("欧阳少东", 2)


def with_handler(handler: Any, *, retry_delays: tuple[float, ...]) -> Any:
    subscription = Subscription(
        service="venue",
        producer="registration",
        handlers={AttendeeRegistered: handler},
        retry_delays=retry_delays,
    )
    return dataclasses.replace(venue, subscriptions=(subscription,))


async def test_a_substitution_delivered_twice_is_applied_once(
    start_service: StartService, registration: Registration
) -> None:
    service = await start_service(venue)
    original = registered("周强")
    await registration.publish(original)
    state = AttendeeState.model_validate(original.data)
    substituted = mint(
        AttendeeSubstituted(
            meeting_id=MEETING_ID,
            original=state.model_copy(update={"version": 2, "status": AttendeeStatus.substituted}),
            substitute=state.model_copy(update={"attendee_id": str(uuid.uuid4()), "name": "吴敏"}),
        ),
        producer="registration",
        meeting_id=MEETING_ID,
    )

    await registration.publish(substituted, msg_id=False)
    await registration.publish(substituted, msg_id=False)  # stored twice

    await eventually(lambda: count_rows(service, InboxEntry) == 2, what="registered and substituted applied")
    await asyncio.sleep(0.5)  # time for the second copy to arrive and be dropped
    assert count_rows(service, InboxEntry) == 2
    with service.runtime.make_session() as session:
        people = {person.name: person.status for person in session.exec(select(SeatedPerson))}
    assert people == {"周强": "substituted", "吴敏": "registered"}
    sync = (await service.http.get(f"/api/v1/meetings/{MEETING_ID}/sync")).json()
    assert sync["attendees"] == 1


async def test_a_consumer_stopped_mid_event_hands_it_back_for_the_next_process_at_once(
    nats_server: NatsServer, databases: Databases, tmp_path: Path, registration: Registration
) -> None:
    """Stopping cancels the consumer while its handler runs. What it had fetched goes back to the
    broker at once: the next process applies it in moments, not after the 30 s ack wait, and
    before events published later could overtake it."""
    started = threading.Event()
    first_try = {"left": 1}

    def slow_then_fine(session: Session, event: CloudEvent, data: EventContract) -> None:
        if first_try["left"]:
            first_try["left"] -= 1
            started.set()
            time.sleep(2)  # still at it when the process is stopped
            raise RuntimeError("interrupted by the stop")
        roster_handlers(SeatedPerson)[AttendeeRegistered](session, event, data)

    definition = with_handler(slow_then_fine, retry_delays=(ACK_WAIT_S,))
    settings = service_settings(nats_server, databases, tmp_path / "data")
    first = create_service_app(definition, settings)
    async with first.router.lifespan_context(first):
        await registration.publish(registered("宋佳"))
        await eventually(started.is_set, what="the handler started")
    stopped_at = time.monotonic()

    second = create_service_app(definition, settings)
    async with second.router.lifespan_context(second):
        running = RunningService(second, service_client(second))
        await eventually(
            lambda: seated(running) == 1, timeout=ACK_WAIT_S / 3, what="applied by the next process"
        )
        await running.close_clients()

    assert time.monotonic() - stopped_at < ACK_WAIT_S / 3
