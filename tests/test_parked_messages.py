"""Parked messages an operator settles: once the cause is fixed, ``huiwu repair retry-parked``
applies them through the same consumer and inbox, ``dismiss`` settles one that never will, and a
replay settles what it applies. A settled message no longer keeps ``/sync`` from in sync; its row
stays, with how it was settled."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlmodel import Session, col, select

from huiwu.cli import main
from huiwu.events.catalog import AttendeeRegistered
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.inbox import DeadLetter, Handler
from huiwu.repair import RepairError, dismiss, replay, retry_parked, unsettled
from huiwu.service import ServiceDefinition
from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.registration.main import definition as registration_service
from services.venue.attendees.models import SeatedPerson
from services.venue.main import definition as venue_service
from tests.messaging import count_rows
from tests.test_registration_roster import new_meeting, register


class Outage:
    """Stands in for what makes a handler fail until someone fixes it (a bug, a missing row)."""

    def __init__(self) -> None:
        self.on = True


def venue_with_outage(outage: Outage) -> ServiceDefinition:
    """Venue, whose registrations fail while ``outage`` is on, and are parked after two tries."""
    (from_registration,) = [sub for sub in venue_service.subscriptions if sub.producer == "registration"]
    register_seat = from_registration.handlers[AttendeeRegistered]

    def failing_during_outage(session: Session, event: CloudEvent, data: EventContract) -> None:
        if outage.on:
            raise ConnectionError("the seat-map store is away")
        register_seat(session, event, data)

    handlers: dict[type[EventContract], Handler] = {
        **from_registration.handlers,
        AttendeeRegistered: failing_during_outage,
    }
    broken = dataclasses.replace(from_registration, handlers=handlers, retry_delays=(0.1,))
    others = tuple(sub for sub in venue_service.subscriptions if sub is not from_registration)
    return dataclasses.replace(venue_service, subscriptions=(broken, *others))


async def parked_during_outage(
    start_service: StartService, venue: ServiceDefinition, names: list[str]
) -> tuple[RunningService, str]:
    registration = await start_service(registration_service)
    running = await start_service(venue)
    meeting_id = await new_meeting(registration)
    for name in names:
        assert (await register(registration, meeting_id, name)).status_code == 201
    await eventually(lambda: len(unsettled(running.runtime.settings, "venue")) == len(names), what="parked")
    return running, meeting_id


async def parked_messages(venue: RunningService, meeting_id: str) -> int:
    sync = await venue.http.get(f"/api/v1/meetings/{meeting_id}/sync")
    count: int = sync.json()["parked_messages"]
    return count


async def test_retrying_after_the_fix_applies_the_parked_registrations_once(
    start_service: StartService,
) -> None:
    outage = Outage()
    definition = venue_with_outage(outage)
    venue, meeting_id = await parked_during_outage(start_service, definition, ["王芳", "欧阳少东"])
    settings = venue.runtime.settings
    assert await parked_messages(venue, meeting_id) == 2

    still_broken = await asyncio.to_thread(retry_parked, settings, definition)
    outage.on = False
    fixed = await asyncio.to_thread(retry_parked, settings, definition)
    again = await asyncio.to_thread(retry_parked, settings, definition)

    assert (len(still_broken.settled), len(still_broken.failed)) == (0, 2)
    assert "ConnectionError: the seat-map store is away" in still_broken.failed[0]
    assert (len(fixed.settled), fixed.failed) == (2, [])
    assert (again.settled, again.failed) == ([], [])
    assert count_rows(venue, SeatedPerson, col(SeatedPerson.meeting_id) == meeting_id) == 2
    assert await parked_messages(venue, meeting_id) == 0
    with venue.runtime.make_session() as session:
        resolutions = session.scalars(select(DeadLetter.resolution)).all()
    assert resolutions == ["applied on retry", "applied on retry"]


async def test_a_replay_after_the_fix_settles_what_it_applies(start_service: StartService) -> None:
    outage = Outage()
    definition = venue_with_outage(outage)
    venue, meeting_id = await parked_during_outage(start_service, definition, ["叶建华"])

    outage.on = False
    replayed = await replay(venue.runtime.settings, definition, "registration", 1)

    assert (replayed.applied, replayed.failed) == (1, [])
    assert await parked_messages(venue, meeting_id) == 0
    assert unsettled(venue.runtime.settings, "venue") == []


async def test_a_dismissed_message_keeps_its_reason_and_no_longer_counts(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    venue, meeting_id = await parked_during_outage(start_service, venue_with_outage(Outage()), ["司马文"])
    settings = venue.runtime.settings
    (letter,) = unsettled(settings, "venue")
    assert letter.id is not None
    monkeypatch.setenv("HUIWU_VENUE_DATABASE_URL", settings.database_url("venue"))

    with pytest.raises(RepairError, match="no unsettled parked message with id 999"):
        dismiss(settings, "venue", [letter.id, 999], "registered twice by mistake")
    listed = await asyncio.to_thread(main, ["repair", "parked", "--service", "venue"])
    dismissed = await asyncio.to_thread(
        main,
        ["repair", "dismiss", "--service", "venue", "--id", str(letter.id), "--reason", "登记有误，已撤销"],
    )

    out = capsys.readouterr().out
    assert (listed, dismissed) == (0, 0)
    assert f"#{letter.id} " in out and "ConnectionError: the seat-map store is away" in out
    assert f"venue: dismissed #{letter.id}" in out
    assert await parked_messages(venue, meeting_id) == 0
    with venue.runtime.make_session() as session:
        kept = session.get(DeadLetter, letter.id)
    assert (
        kept is not None and kept.resolution == "dismissed: 登记有误，已撤销" and kept.resolved_at is not None
    )
