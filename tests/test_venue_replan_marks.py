"""A change that lands while venue's worker is re-planning a session is not lost.

On PostgreSQL the worker and the consumers write at once. The worker locks the session, plans
it from the roster it reads, and clears its mark when it commits. A substitution applied during
that time marks the session again. Its write waits for the worker's lock and lands after the
commit, so the session is planned once more, this time with the substitute. (On SQLite one
writer at a time rules this out.)"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from huiwu import migrations
from huiwu.db import create_db_engine, session_factory, unit_of_work
from huiwu.events.catalog import SessionKind
from huiwu.testing.databases import Databases
from services.venue.agenda.models import AgendaSession
from services.venue.main import definition as venue
from services.venue.seating.service import mark_meeting
from services.venue.venues.models import Room, Venue

MEETING_ID = str(uuid.uuid4())


@pytest.fixture
def engine(databases: Databases) -> Iterator[Engine]:
    if databases.backend != "postgres":
        pytest.skip("SQLite has one writer at a time: a worker and a consumer never overlap")
    engine = create_db_engine(databases.url("venue"))
    migrations.upgrade(engine, venue.name, venue.migrations, venue.metadata)
    yield engine
    engine.dispose()


def scheduled_session(engine: Engine) -> str:
    with unit_of_work(session_factory(engine)) as session:
        hall = Venue(name="会议中心")
        session.add(hall)
        session.flush()
        room = Room(
            venue_id=hall.id, name="第一会议室", capacity=40, seat_map={"rows": 5, "seats_per_row": 8}
        )
        session.add(room)
        session.flush()
        start = datetime(2027, 1, 12, 1, tzinfo=UTC)
        agenda = AgendaSession(
            meeting_id=MEETING_ID, title="第一次全体会议", kind=SessionKind.plenary, starts_at=start,
            ends_at=start + timedelta(hours=3), room_id=room.id, expected={"kind": "everyone"},
        )  # fmt: skip
        session.add(agenda)
        session.flush()
        mark_meeting(session, MEETING_ID, "registered")
        return agenda.id


def test_a_mark_made_while_the_worker_re_plans_survives_its_commit(engine: Engine) -> None:
    session_id = scheduled_session(engine)
    make_session = session_factory(engine)
    marked = threading.Event()

    def substitution_applied() -> None:
        with unit_of_work(make_session) as session:
            mark_meeting(session, MEETING_ID, "substitution")
        marked.set()

    with Session(engine) as worker:  # the worker's steps, as replan_marked takes them
        agenda = worker.get(AgendaSession, session_id, with_for_update=True)
        assert agenda is not None and agenda.needs_replan
        consumer = threading.Thread(target=substitution_applied)
        consumer.start()
        waited = not marked.wait(timeout=1.0)  # held by the worker's lock
        agenda.needs_replan, agenda.replan_reason = False, None  # planned from the roster it read
        worker.commit()
    consumer.join(timeout=10)

    with Session(engine) as session:
        after = session.get(AgendaSession, session_id)
    assert waited and marked.is_set()
    assert after is not None and after.needs_replan, "the substitution's re-plan was lost"
    assert after.replan_reason == "substitution"
