"""A subscription can take every event of its producer (``other_events``), as a consumer of its own
(``purpose``) next to the department's projections: it sees each event once, the projections keep
their own place, and the sync report counts what it parks but not what it applies."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, col

from huiwu.bus import Bus
from huiwu.events.catalog import AttendeeRegistered, RequestKind, RequestOpened
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent, mint
from huiwu.inbox import DeadLetter, InboxEntry, Subscription
from huiwu.testing.fixtures import RunningService, StartService, eventually
from huiwu.testing.nats import NatsServer
from services.venue.main import definition as venue
from tests.messaging import count_rows
from tests.test_inbox import Registration  # stands in for the registration service

MEETING_ID = str(uuid.uuid4())


def registered(name: str) -> CloudEvent:
    data = AttendeeRegistered(
        meeting_id=MEETING_ID, attendee_id=str(uuid.uuid4()), version=1, name=name,
        organization="江州市纪委监委", title="书记", category="member",
    )  # fmt: skip
    return mint(data, producer="registration", subject=data.attendee_id, meeting_id=MEETING_ID)


def request_opened(text: str) -> CloudEvent:
    data = RequestOpened(
        meeting_id=MEETING_ID, request_id=str(uuid.uuid4()), version=1, kind=RequestKind.opinion, text=text
    )
    return mint(data, producer="registration", subject=data.request_id, meeting_id=MEETING_ID)


@pytest.fixture
async def registration(nats_server: NatsServer) -> AsyncIterator[Registration]:
    bus = Bus([nats_server.url], client_name="test-registration")
    bus.start()
    await bus.wait_connected()
    await bus.ensure_stream("registration", replicas=1)
    yield Registration(bus)
    await bus.close()


def applied(service: RunningService, durable: str) -> int:
    return count_rows(service, InboxEntry, col(InboxEntry.consumer) == durable)


async def test_other_events_take_what_has_no_handler_of_its_own_once_each(
    start_service: StartService, registration: Registration
) -> None:
    typed: list[str] = []
    others: list[str] = []

    def on_registered(_session: Session, event: CloudEvent, _data: EventContract) -> None:
        typed.append(event.type)

    def on_anything_else(_session: Session, event: CloudEvent, _data: EventContract) -> None:
        others.append(event.type)

    audit = Subscription(
        service="venue",
        producer="registration",
        handlers={AttendeeRegistered: on_registered},
        other_events=on_anything_else,
        purpose="audit",
    )
    service = await start_service(dataclasses.replace(venue, subscriptions=(*venue.subscriptions, audit)))
    opened = request_opened("希望会议材料提前一天发放")

    await registration.publish(registered("王芳"))
    await registration.publish(opened, msg_id=False)
    await registration.publish(opened, msg_id=False)  # stored twice: no JetStream de-duplication
    await registration.publish(registered("叶建华"))

    await eventually(lambda: applied(service, "venue-audit__registration") == 3, what="three distinct events")
    await eventually(lambda: applied(service, "venue__registration") == 2, what="venue's own projection")
    assert typed == ["huiwu.registration.attendee.registered.v1"] * 2
    assert others == ["huiwu.registration.request.opened.v1"]
    sync = (await service.http.get(f"/api/v1/meetings/{MEETING_ID}/sync")).json()
    assert (sync["attendees"], sync["events_applied"]) == (2, 2)  # the audit's three are not venue's


async def test_what_a_consumer_of_another_purpose_parks_shows_in_the_sync_report(
    start_service: StartService, registration: Registration
) -> None:
    def broken(_session: Session, _event: CloudEvent, _data: EventContract) -> None:
        raise ValueError("a bug in the audit")

    audit = Subscription(
        service="venue", producer="registration", handlers={}, other_events=broken, purpose="audit",
        retry_delays=(0.1,),
    )  # fmt: skip
    service = await start_service(dataclasses.replace(venue, subscriptions=(*venue.subscriptions, audit)))

    await registration.publish(registered("孙丽"))

    await eventually(lambda: count_rows(service, DeadLetter) == 1, what="parked by the audit")
    await eventually(
        lambda: applied(service, "venue__registration") == 1, what="venue's projection unaffected"
    )
    sync = (await service.http.get(f"/api/v1/meetings/{MEETING_ID}/sync")).json()
    assert (sync["attendees"], sync["events_applied"], sync["parked_messages"]) == (1, 1, 1)
