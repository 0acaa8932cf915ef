"""`huiwu repair`: re-publishing a service's events from its outbox, and replaying a stream into a
department's projections, bring a department back in sync after a disaster and never apply an
event twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import nats
import pytest
from sqlalchemy import delete
from sqlmodel import col

from huiwu.cli import main
from huiwu.db import unit_of_work, utcnow
from huiwu.inbox import InboxEntry
from huiwu.repair import RepairError, replay, republish
from huiwu.testing.fixtures import RunningService, StartService, eventually
from huiwu.testing.nats import NatsServer
from services.registration.main import definition as registration_service
from services.venue.attendees.models import SeatedPerson
from services.venue.main import definition as venue_service
from tests.messaging import count_rows, stream_messages
from tests.test_registration_roster import new_meeting, register

PEOPLE = ["丁伟", "王芳", "欧阳少东", "叶建华", "司马文"]
FROM_REGISTRATION = "venue__registration"


async def meeting_known_to_venue(registration: RunningService, venue: RunningService) -> str:
    meeting_id = await new_meeting(registration)
    for name in PEOPLE:
        assert (await register(registration, meeting_id, name)).status_code == 201
    await eventually(lambda: people_known(venue) == len(PEOPLE), what="venue knows everyone")
    return meeting_id


def people_known(venue: RunningService) -> int:
    return count_rows(venue, SeatedPerson)


def applied(venue: RunningService) -> int:
    return count_rows(venue, InboxEntry, col(InboxEntry.consumer) == FROM_REGISTRATION)


async def test_republishing_what_the_stream_still_holds_is_dropped_as_duplicates(
    start_service: StartService, nats_server: NatsServer
) -> None:
    since = utcnow() - timedelta(seconds=1)
    registration = await start_service(registration_service)
    venue = await start_service(venue_service)
    await meeting_known_to_venue(registration, venue)
    stored = await stream_messages(nats_server, "REGISTRATION")

    result = await republish(registration.runtime.settings, "registration", since)

    assert (result.rows, result.stored, result.duplicates) == (1 + len(PEOPLE), 0, 1 + len(PEOPLE))
    assert await stream_messages(nats_server, "REGISTRATION") == stored
    assert (people_known(venue), applied(venue)) == (len(PEOPLE), 1 + len(PEOPLE))


async def test_a_stream_the_broker_lost_is_refilled_from_the_outbox_and_applied_once(
    start_service: StartService, nats_server: NatsServer
) -> None:
    """The broker forgets REGISTRATION (and venue's place in it). Re-published with their ids,
    the events fill the stream again; venue, subscribing anew from the start, finds every one it
    had applied in its inbox, and applies only the registration it had missed."""
    since = utcnow() - timedelta(seconds=1)
    registration = await start_service(registration_service)
    venue = await start_service(venue_service)
    meeting_id = await meeting_known_to_venue(registration, venue)
    client = await nats.connect(nats_server.url)
    try:
        await client.jetstream().delete_stream("REGISTRATION")
    finally:
        await client.close()
    assert (await register(registration, meeting_id, "刘洋")).status_code == 201

    result = await republish(registration.runtime.settings, "registration", since)

    assert result.rows == 2 + len(PEOPLE)
    await eventually(lambda: people_known(venue) == len(PEOPLE) + 1, timeout=30, what="venue catches up")
    assert await stream_messages(nats_server, "REGISTRATION") == 2 + len(PEOPLE)
    assert applied(venue) == 2 + len(PEOPLE)


async def test_replay_rebuilds_a_projection_from_a_sequence_and_never_applies_twice(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)
    venue = await start_service(venue_service)
    await meeting_known_to_venue(registration, venue)
    settings = venue.runtime.settings

    nothing_new = await replay(settings, venue_service, "registration", 1)
    with unit_of_work(venue.runtime.make_session) as session:  # the table rebuilt empty, as documented
        session.execute(delete(SeatedPerson))
        session.execute(delete(InboxEntry).where(col(InboxEntry.consumer) == FROM_REGISTRATION))
    rebuilt = await replay(settings, venue_service, "registration", 1)
    again = await replay(settings, venue_service, "registration", 1)
    from_the_third = await replay(settings, venue_service, "registration", 3)

    assert (nothing_new.read, nothing_new.applied, nothing_new.skipped) == (6, 0, 6)
    assert (rebuilt.applied, rebuilt.skipped, rebuilt.failed) == (6, 0, [])
    assert (again.applied, again.skipped) == (0, 6)
    assert (from_the_third.read, from_the_third.applied) == (4, 0)
    assert (people_known(venue), applied(venue)) == (len(PEOPLE), 1 + len(PEOPLE))


async def test_replay_refuses_a_producer_the_service_does_not_consume(start_service: StartService) -> None:
    venue = await start_service(venue_service)

    with pytest.raises(RepairError, match="venue consumes nothing from documents"):
        await replay(venue.runtime.settings, venue_service, "documents", 1)


def test_the_repair_commands_refuse_a_time_without_its_zone_and_a_sequence_below_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for arguments in (
        ["republish", "--service", "registration", "--since", "2027-01-12T08:00:00"],
        ["replay", "--service", "venue", "--producer", "registration", "--from-sequence", "0"],
        ["replay", "--service", "venue", "--producer", "会务", "--from-sequence", "1"],
    ):
        with pytest.raises(SystemExit) as refused:
            main(["repair", *arguments])
        assert refused.value.code == 2
    errors = capsys.readouterr().err
    assert "the time needs its zone, e.g. +08:00" in errors
    assert "a stream sequence starts at 1" in errors
    assert "invalid choice: '会务'" in errors


async def test_the_replay_command_reports_what_it_applied(
    start_service: StartService, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registration = await start_service(registration_service)
    venue = await start_service(venue_service)
    await meeting_known_to_venue(registration, venue)
    settings = venue.runtime.settings
    monkeypatch.setenv("HUIWU_VENUE_DATABASE_URL", settings.database_url("venue"))
    monkeypatch.setenv("HUIWU_NATS_URL", settings.nats_url)

    command = ["repair", "replay", "--service", "venue", "--producer", "registration", "--from-sequence", "1"]
    code = await asyncio.to_thread(main, command)  # it runs its own event loop, as from a shell

    assert code == 0
    assert "venue from REGISTRATION #1: 6 read, 0 applied, 6 skipped (applied before), 0 failed" in (
        capsys.readouterr().out
    )
