"""Transactional outbox: an event is published if and only if its state change committed."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlmodel import col

from huiwu.db import unit_of_work
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import StartService, eventually
from huiwu.testing.nats import NatsServer
from services.registration.main import definition as registration
from services.registration.meetings import service as meetings
from services.registration.meetings.models import Meeting, MeetingCreate
from tests.messaging import count_rows, stream_messages

MEETING = {"name": "省纪委十五届三次全会", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
PERSON = {"name": "丁小宁", "organization": "省纪委监委", "title": "副书记"}


async def test_changes_committed_while_the_relay_is_off_are_published_when_it_runs(
    start_service: StartService, nats_server: NatsServer
) -> None:
    service = await start_service(registration, relay=False)
    meeting = (await service.http.post("/api/v1/meetings", json=MEETING)).json()
    await service.http.post(f"/api/v1/meetings/{meeting['id']}/attendees", json=PERSON)

    assert count_rows(service, OutboxEvent, col(OutboxEvent.published_at).is_(None)) == 2
    assert await stream_messages(nats_server, "REGISTRATION") == 0

    service.runtime.start_relay()

    await eventually(lambda: count_rows(service, OutboxEvent, col(OutboxEvent.published_at).is_(None)) == 0)
    assert await stream_messages(nats_server, "REGISTRATION") == 2


async def test_a_rolled_back_change_publishes_nothing(
    start_service: StartService, nats_server: NatsServer
) -> None:
    service = await start_service(registration, relay=False)

    with pytest.raises(RuntimeError), unit_of_work(service.runtime.make_session) as session:
        meetings.create(session=session, meeting_in=MeetingCreate.model_validate(MEETING))
        raise RuntimeError("the request failed after the change was staged")

    assert count_rows(service, Meeting) == 0
    assert count_rows(service, OutboxEvent) == 0
    assert await service.runtime.relay.publish_pending() == 0
    assert await stream_messages(nats_server, "REGISTRATION") == 0


async def test_a_row_published_twice_is_stored_once(
    start_service: StartService, nats_server: NatsServer
) -> None:
    """A relay that dies between publishing and marking the row sent publishes it again later."""
    service = await start_service(registration, relay=False)
    await service.http.post("/api/v1/meetings", json=MEETING)
    assert await service.runtime.relay.publish_pending() == 1

    with unit_of_work(service.runtime.make_session) as session:
        session.execute(update(OutboxEvent).values(published_at=None))

    assert await service.runtime.relay.publish_pending() == 1
    assert await stream_messages(nats_server, "REGISTRATION") == 1


async def test_registrations_made_while_nats_is_down_are_published_when_it_returns(
    start_service: StartService, nats_server: NatsServer
) -> None:
    service = await start_service(registration)
    nats_server.stop()
    await eventually(lambda: not service.runtime.bus.connected, what="the service to notice NATS is gone")

    created = await service.http.post("/api/v1/meetings", json=MEETING)
    assert created.status_code == 201
    assert count_rows(service, OutboxEvent, col(OutboxEvent.published_at).is_(None)) == 1

    nats_server.start()

    await eventually(lambda: count_rows(service, OutboxEvent, col(OutboxEvent.published_at).is_(None)) == 0)
    assert await stream_messages(nats_server, "REGISTRATION") == 1
