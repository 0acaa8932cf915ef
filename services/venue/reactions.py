"""How venue follows registration: every change of people re-plans the meeting's seating
(R1.4: no wrong card, no empty podium seat); a substitute takes over the original's place."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.events.catalog import (
    AttendeeLeaveGranted,
    AttendeeRegistered,
    AttendeeSubstituted,
    AttendeeUpdated,
    AttendeeWithdrawn,
    GroupFormed,
    GroupUpdated,
    MeetingScheduled,
    MeetingUpdated,
)
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.inbox import Handler
from huiwu.projections import meeting_handlers, roster_handlers
from services.venue.agenda import service as agenda
from services.venue.attendees import service as attendees
from services.venue.attendees.models import SeatedPerson
from services.venue.protocol import service as protocol
from services.venue.protocol.models import KnownMeeting
from services.venue.seating import service as seating


def to_registration() -> dict[type[EventContract], Handler]:
    roster = roster_handlers(SeatedPerson)
    meetings = meeting_handlers(KnownMeeting)
    return {
        MeetingScheduled: meetings[MeetingScheduled],
        MeetingUpdated: _then_replan(meetings[MeetingUpdated], "meeting_updated"),
        GroupFormed: protocol.apply_group,
        GroupUpdated: _then_replan(protocol.apply_group, "group_changed"),
        AttendeeRegistered: _then_replan(roster[AttendeeRegistered], "registered"),
        AttendeeUpdated: _then_replan(roster[AttendeeUpdated], "attendee_updated"),
        AttendeeWithdrawn: _then_replan(roster[AttendeeWithdrawn], "withdrawn"),
        AttendeeLeaveGranted: _then_replan(attendees.apply_leave, "leave"),
        AttendeeSubstituted: _then_replan(_substitution, "substitution"),
    }


def _substitution(session: Session, event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, AttendeeSubstituted)
    attendees.apply_substitution(session, event, data)
    original, substitute = data.original.attendee_id, data.substitute.attendee_id
    seating.hand_over_pins(session, data.meeting_id, original, substitute)
    agenda.hand_over(session, data.meeting_id, original, substitute)


def _then_replan(apply: Handler, reason: str) -> Handler:
    def handle(session: Session, event: CloudEvent, data: EventContract) -> None:
        apply(session, event, data)
        seating.mark_meeting(session, getattr(data, "meeting_id"), reason)  # noqa: B009

    return handle
