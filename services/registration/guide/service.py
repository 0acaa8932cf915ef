"""Collects the meeting guide from registration's own tables: the meeting, the agenda as projected
from venue's events, the discussion groups, the roster and the stays. It only reads, so the guide
is always as current as the database when asked for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import CHINA_TIME
from huiwu.events.catalog import AttendeeCategory, ExpectedKind, SessionStatus
from services.registration.agenda.models import AgendaSession
from services.registration.agenda.service import NOT_YET_NAMED
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.attendees.order import ORDER_NOTE, RosterOrder
from services.registration.exports.labels import category_label
from services.registration.groups.models import DiscussionGroup
from services.registration.guide.labels import ATTENDING, PRACTICAL_NOTES, ROOM_TO_FOLLOW, WEEKDAYS
from services.registration.guide.models import (
    AgendaDay,
    AgendaItem,
    GroupEntry,
    Guide,
    LodgingEntry,
    RosterPart,
    RosterPerson,
)
from services.registration.lodging import service as lodging
from services.registration.meetings import service as meetings


def collect(*, session: Session, meeting_id: str) -> Guide:
    """The guide of one meeting as of now; NotFound for an unknown meeting."""
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    keyed, mode = attendees.roster(
        session=session, meeting_id=meeting_id, order=RosterOrder.protocol, where=attendees.RosterFilter()
    )
    # Only registered people: a withdrawn or replaced person presides, convenes and attends nothing.
    people = [person for _, person in keyed]
    names = {person.id: person.name for person in people}
    groups = list(
        session.scalars(
            select(DiscussionGroup)
            .where(col(DiscussionGroup.meeting_id) == meeting_id)
            .order_by(col(DiscussionGroup.position))
        )
    )
    return Guide(
        meeting_name=meeting.name,
        dates=day_span(meeting.starts_on, meeting.ends_on),
        agenda=_agenda(session, meeting_id, names, {group.id: group.name for group in groups}),
        groups=tuple(_group_entry(group, people, names) for group in groups),
        roster_note=ORDER_NOTE[mode],
        roster=_roster(people),
        lodging=_lodging(session, meeting_id),
        notes=PRACTICAL_NOTES,
    )


def day_span(first: date, last: date, *, with_year: bool = True) -> str:
    """E.g. 2027年1月12日至14日; the month and year of the end only when they differ from the start's."""
    start = f"{first.year}年" if with_year else ""
    start += f"{first.month}月{first.day}日"
    if last == first:
        return start
    end = f"{last.day}日"
    if (last.year, last.month) != (first.year, first.month):
        end = f"{last.month}月{end}"
    if with_year and last.year != first.year:
        end = f"{last.year}年{end}"
    return f"{start}至{end}"


def _agenda(
    session: Session, meeting_id: str, names: dict[str, str], group_names: dict[str, str]
) -> tuple[AgendaDay, ...]:
    """The scheduled sessions, day by day in Beijing time; cancelled ones are no longer on it."""
    scheduled = session.scalars(
        select(AgendaSession)
        .where(
            col(AgendaSession.meeting_id) == meeting_id,
            col(AgendaSession.status) == SessionStatus.scheduled,
        )
        .order_by(col(AgendaSession.starts_at), col(AgendaSession.session_id))
    )
    days: dict[date, list[AgendaItem]] = {}
    for agenda_session in scheduled:
        starts = agenda_session.starts_at.astimezone(CHINA_TIME)
        days.setdefault(starts.date(), []).append(_agenda_item(agenda_session, names, group_names))
    return tuple(AgendaDay(day=_day_label(day), items=tuple(items)) for day, items in days.items())


def _agenda_item(
    agenda_session: AgendaSession, names: dict[str, str], group_names: dict[str, str]
) -> AgendaItem:
    expected = agenda_session.expects()
    if expected.kind is ExpectedKind.group:
        attending = group_names.get(expected.group_id or "", NOT_YET_NAMED)
    else:
        attending = ATTENDING[expected.kind]
    return AgendaItem(
        time=_time_span(agenda_session.starts_at, agenda_session.ends_at),
        title=agenda_session.title,
        room=agenda_session.room_name,
        presiding=names.get(agenda_session.presiding_officer_id or "", NOT_YET_NAMED),
        attending=attending,
    )


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def _time_span(starts_at: datetime, ends_at: datetime) -> str:
    """E.g. 09:00—11:30 in Beijing time; the end's date too if the session runs past midnight."""
    starts, ends = starts_at.astimezone(CHINA_TIME), ends_at.astimezone(CHINA_TIME)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends.month}月{ends.day}日{ends:%H:%M}"
    return f"{starts:%H:%M}—{end}"


def _group_entry(group: DiscussionGroup, people: Sequence[Attendee], names: dict[str, str]) -> GroupEntry:
    """``people`` are in protocol order already, so the members are too."""
    return GroupEntry(
        name=group.name,
        convenor=names.get(group.convenor_id or "", NOT_YET_NAMED),
        room=group.room or ROOM_TO_FOLLOW,
        members=tuple(person.name for person in people if person.group_id == group.id),
    )


def _roster(people: Sequence[Attendee]) -> tuple[RosterPart, ...]:
    parts = (
        RosterPart(
            category=category_label(category),
            people=tuple(
                RosterPerson(name=person.name, organization=person.organization, title=person.title)
                for person in people
                if person.category == category
            ),
        )
        for category in AttendeeCategory  # declared in protocol order
    )
    return tuple(part for part in parts if part.people)


def _lodging(session: Session, meeting_id: str) -> tuple[LodgingEntry, ...]:
    """One line per stay, by hotel and room (a withdrawal frees the bed, so only people coming)."""
    return tuple(
        LodgingEntry(
            hotel=room.hotel,
            room=room.number,
            name=occupant.name,
            nights=day_span(occupant.check_in_on, occupant.check_out_on, with_year=False),
        )
        for room in lodging.rooms(session=session, meeting_id=meeting_id)
        for occupant in room.occupants
    )
