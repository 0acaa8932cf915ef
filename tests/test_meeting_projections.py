"""The departments' tables of meetings (``huiwu.projections.meeting_handlers``): venue keeps the
dates and the name-order mode, supervision the name. Redelivery reorders events, so a late older
version must not undo a newer one, and the same event applied twice changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import create_engine
from sqlmodel import Session, SQLModel

from huiwu.events.catalog import MeetingScheduled, MeetingUpdated
from huiwu.events.contract import EventContract
from huiwu.events.envelope import mint
from huiwu.projections import meeting_handlers
from services.supervision.meetings.models import KnownMeeting as SupervisedMeeting
from services.venue.protocol.models import KnownMeeting as VenueMeeting

MEETING_ID = str(uuid.uuid4())
SCHEDULED = MeetingScheduled(
    meeting_id=MEETING_ID,
    name="中共江州市纪委第三次全体会议",
    starts_on=date(2027, 1, 12),
    ends_on=date(2027, 1, 13),
    status="draft",
)
RENAMED = MeetingUpdated(
    meeting_id=MEETING_ID,
    version=2,
    name="中共江州市第十届纪委第三次全体会议",
    starts_on=date(2027, 1, 14),
    ends_on=date(2027, 1, 15),
    name_order="full_name",
    changed=["name", "starts_on", "ends_on", "name_order"],
)


@contextmanager
def database_of(model: type[SQLModel]) -> Iterator[Session]:
    """A database with just the department's table of meetings (both are ``known_meeting``)."""
    engine = create_engine("sqlite://")
    model.metadata.create_all(engine, tables=[model.__table__])  # type: ignore[attr-defined]
    with Session(engine) as session:
        yield session


def deliver(session: Session, model: type[SQLModel], *contracts: EventContract) -> None:
    handlers = meeting_handlers(model)
    for contract in contracts:
        event = mint(contract, producer="registration", subject=MEETING_ID, meeting_id=MEETING_ID)
        handlers[type(contract)](session, event, contract)
        session.flush()


def test_venue_keeps_the_dates_and_name_order_of_the_newest_version() -> None:
    with database_of(VenueMeeting) as session:
        deliver(session, VenueMeeting, SCHEDULED)
        scheduled = session.get(VenueMeeting, MEETING_ID)
        assert scheduled is not None
        # Scheduling carries no name-order mode: the default, 按姓氏笔画.
        assert (scheduled.name, scheduled.starts_on, scheduled.name_order) == (
            "中共江州市纪委第三次全体会议",
            date(2027, 1, 12),
            "surname",
        )

        deliver(session, VenueMeeting, RENAMED, SCHEDULED)  # the first event redelivered late

        meeting = session.get(VenueMeeting, MEETING_ID)
    assert meeting is not None
    assert (meeting.name, meeting.starts_on, meeting.ends_on, meeting.name_order, meeting.version) == (
        "中共江州市第十届纪委第三次全体会议",
        date(2027, 1, 14),
        date(2027, 1, 15),
        "full_name",
        2,
    )


def test_supervision_keeps_the_newest_name_whatever_the_order_of_arrival() -> None:
    with database_of(SupervisedMeeting) as session:
        deliver(session, SupervisedMeeting, RENAMED, SCHEDULED, RENAMED)
        meeting = session.get(SupervisedMeeting, MEETING_ID)
    assert meeting is not None
    assert (meeting.name, meeting.version) == ("中共江州市第十届纪委第三次全体会议", 2)
