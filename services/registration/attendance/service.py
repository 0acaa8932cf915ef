"""Attendance (RULES.md R6.3): expected = present + on leave + absent, always.

Staff are not counted. Someone on leave who signs in anyway counts as present. The quorum is
counted over members (出席) only, against the meeting's rule (``meetings/quorum.py``; by default
more than half of the members expected must be present). At one session of the agenda, the
expected are the people that session expects (a members-only session leaves the observers out);
for the whole meeting, everyone registered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.events.catalog import AttendeeCategory, AttendeeLeaveGranted, Expected, ExpectedKind
from services.registration.agenda import service as agenda
from services.registration.attendance.models import Attendance, Count, Leave, LeaveCreate, Quorum
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.checkin.models import Direction, Scan
from services.registration.events import emit
from services.registration.groups.models import DiscussionGroup
from services.registration.meetings import service as meetings
from services.registration.meetings.quorum import QuorumRule


def grant_leave(*, session: Session, meeting_id: str, attendee_id: str, leave_in: LeaveCreate) -> Leave:
    attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    leave = Leave.model_validate(
        {**leave_in.model_dump(), "meeting_id": meeting_id, "attendee_id": attendee_id}
    )
    session.add(leave)
    emit(
        session,
        AttendeeLeaveGranted(
            meeting_id=meeting_id,
            attendee_id=attendee_id,
            leave_id=leave.id,
            kind=leave.kind,
            reason=leave.reason,
            approver=leave.approver,
            session_ids=leave.session_ids,
        ),
        subject=attendee_id,
    )
    return leave


def attendance(*, session: Session, meeting_id: str, session_id: str | None) -> Attendance:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    people = _expected(session, meeting_id, session_id)
    present, inside = _signed_in(session, meeting_id, session_id)
    on_leave = _on_leave(session, meeting_id, session_id) - present

    def count(field: str | None = None, value: object = None) -> Count:
        """The count over everyone, or over those whose ``field`` is ``value``."""
        chosen = people if field is None else [person for person in people if getattr(person, field) == value]
        return _count(chosen, present, on_leave, inside)

    by_category = {
        category: count("category", category)
        for category in AttendeeCategory
        if category != AttendeeCategory.staff
    }
    delegations = sorted({person.delegation for person in people if person.delegation})
    groups = session.scalars(
        select(DiscussionGroup)
        .where(col(DiscussionGroup.meeting_id) == meeting_id)
        .order_by(col(DiscussionGroup.position))
    )
    members = by_category[AttendeeCategory.member]
    quorum = quorum_of(members, QuorumRule(meeting.quorum))
    return Attendance(
        meeting_id=meeting_id,
        session_id=session_id,
        total=count(),
        by_category=by_category,
        by_delegation={name: count("delegation", name) for name in delegations},
        by_group={group.name: count("group_id", group.id) for group in groups},
        quorum=quorum,
        announcement=announce(members, quorum),
    )


def _expected(session: Session, meeting_id: str, session_id: str | None) -> list[Attendee]:
    """Who is expected (应到): at a session, the people it expects; for the meeting, everyone.
    Staff are never counted, even when a session names them."""
    if session_id is None:
        people = agenda.expected_people(session, meeting_id, Expected(kind=ExpectedKind.everyone))
    else:
        people = agenda.expected_at(session, meeting_id, session_id)
    return [person for person in people if person.category != AttendeeCategory.staff]


def quorum_of(members: Count, rule: QuorumRule) -> Quorum:
    required = rule.required(members.expected)
    return Quorum(
        members_expected=members.expected,
        members_present=members.present,
        required=required,
        met=members.present >= required,
    )


def announce(members: Count, quorum: Quorum) -> str:
    """The sentence read out before the meeting opens. "规定人数" is whatever the meeting's rule
    requires, so the same words fit every rule; the counts make the verdict checkable."""
    verdict = "符合规定人数" if quorum.met else "不符合规定人数"
    return f"本次会议应到{members.expected}名，请假{members.on_leave}名，实到{members.present}名，{verdict}。"


def _signed_in(session: Session, meeting_id: str, session_id: str | None) -> tuple[set[str], set[str]]:
    """Who signed in to this scope, and who is inside now (their latest scan is a sign-in)."""
    scope = col(Scan.session_id).is_(None) if session_id is None else col(Scan.session_id) == session_id
    scans = session.scalars(
        select(Scan).where(col(Scan.meeting_id) == meeting_id, scope).order_by(col(Scan.at))
    )
    present: set[str] = set()
    latest: dict[str, Direction] = {}
    for scan in scans:
        latest[scan.attendee_id] = scan.direction
        if scan.direction == Direction.entering:
            present.add(scan.attendee_id)
    return present, {attendee for attendee, direction in latest.items() if direction == Direction.entering}


def _on_leave(session: Session, meeting_id: str, session_id: str | None) -> set[str]:
    leaves = session.scalars(select(Leave).where(col(Leave.meeting_id) == meeting_id))
    return {
        leave.attendee_id
        for leave in leaves
        if not leave.session_ids or (session_id is not None and session_id in leave.session_ids)
    }


def _count(people: Iterable[Attendee], present: set[str], on_leave: set[str], inside: set[str]) -> Count:
    counted: defaultdict[str, int] = defaultdict(int)
    for person in people:
        counted["expected"] += 1
        state = "present" if person.id in present else "on_leave" if person.id in on_leave else "absent"
        counted[state] += 1
        counted["inside"] += person.id in inside
    return Count(**{field: counted[field] for field in Count.model_fields})
