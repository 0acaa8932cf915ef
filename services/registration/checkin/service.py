"""Signing in (签到): badge scans at the door or staff ticking the roster.

Counting is idempotent twice over: a retried request with the same ``nonce`` is answered as the
first time, and a second sign-in of the same person to the same meeting or session is a repeat
(200, the first time, no event). Refused scans are kept with their reason."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, literal, select, union_all
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.events.catalog import AttendeeBadgeRevoked, AttendeeCheckedIn, ScanRefused
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.checkin import badges
from services.registration.checkin.badges import BadgeRefused, Holder
from services.registration.checkin.models import CheckInPublic, CheckInRequest, Direction, FailedScan, Scan
from services.registration.events import emit
from services.registration.meetings import service as meetings

_SCANS = Scan.__table__  # type: ignore[attr-defined]  # SQLModel tables have one; the stub omits it
_SCAN_COLUMNS = tuple(_SCANS.c.keys())
# The rush's statements, built once (see badges.holder).
_INSERT_SCAN = insert(_SCANS)
_FIRST_IN = (
    select(_SCANS.c.at)
    .where(_SCANS.c.attendee_id == bindparam("attendee_id"), _SCANS.c.direction == Direction.entering.value)
    .order_by(_SCANS.c.at)
    .limit(1)
)
_ANSWERED = union_all(
    select(literal("accepted"), col(Scan.id)).where(
        col(Scan.meeting_id) == bindparam("meeting_id"), col(Scan.nonce) == bindparam("nonce")
    ),
    select(literal("refused"), col(FailedScan.id)).where(
        col(FailedScan.meeting_id) == bindparam("meeting_id"), col(FailedScan.nonce) == bindparam("nonce")
    ),
).limit(1)
_FIRST_IN_MEETING = _FIRST_IN.where(_SCANS.c.session_id.is_(None))
_FIRST_IN_SESSION = _FIRST_IN.where(_SCANS.c.session_id == bindparam("session_id"))


@dataclass(frozen=True)
class CheckInOutcome:
    answer: CheckInPublic | None
    refusal: BadgeRefused | None = None

    @property
    def first(self) -> bool:
        return self.answer is not None and not self.answer.repeat


def check_in(*, session: Session, meeting_id: str, scan_in: CheckInRequest) -> CheckInOutcome:
    _meeting_exists(session, meeting_id)
    if scan_in.nonce is not None and (replayed := _replay(session, meeting_id, scan_in)) is not None:
        return replayed
    try:
        attendee = _identify(session, meeting_id, scan_in)
    except BadgeRefused as refusal:
        refused = FailedScan(
            meeting_id=meeting_id, reason=refusal.reason, detail=refusal.detail,
            badge_excerpt=(scan_in.badge or "")[:40], gate=scan_in.gate, nonce=scan_in.nonce,
        )  # fmt: skip
        session.add(refused)
        event = ScanRefused(
            meeting_id=meeting_id, scan_id=refused.id, reason=refused.reason, detail=refused.detail,
            gate=refused.gate, at=refused.at,
        )  # fmt: skip
        emit(session, event, subject=refused.id)
        return CheckInOutcome(None, refusal)
    first_in = _first_in(session, attendee.id, scan_in.session_id)
    scan = _record_scan(session, meeting_id, attendee.id, scan_in)
    repeat = True
    if scan_in.direction == Direction.entering and first_in is None:
        emit(session, AttendeeCheckedIn(
                meeting_id=meeting_id, attendee_id=attendee.id, session_id=scan_in.session_id,
                checked_in_at=scan.at, method=scan.method, gate=scan.gate,
            ), subject=attendee.id)  # fmt: skip
        first_in, repeat = scan.at, False
    return CheckInOutcome(_answer(attendee, scan, first_in, repeat=repeat))


def _record_scan(session: Session, meeting_id: str, attendee_id: str, scan_in: CheckInRequest) -> Scan:
    """Inserted as a plain statement on the connection: the ORM's unit of work was a third of a
    scan's cost. The rush's other statements go the same way; scans are never pending in the
    session, so skipping its flush loses nothing."""
    scan = Scan.model_construct(
        id=str(uuid.uuid4()), meeting_id=meeting_id, attendee_id=attendee_id, session_id=scan_in.session_id,
        direction=scan_in.direction, method="badge" if scan_in.badge else "roster",
        gate=scan_in.gate, nonce=scan_in.nonce, at=utcnow(),
    )  # fmt: skip
    session.connection().execute(_INSERT_SCAN, {column: getattr(scan, column) for column in _SCAN_COLUMNS})
    return scan


def revoke_badge(*, session: Session, meeting_id: str, attendee_id: str) -> Attendee:
    attendee = attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    attendee.badge_version += 1
    emit(
        session,
        AttendeeBadgeRevoked(
            meeting_id=meeting_id, attendee_id=attendee.id, badge_version=attendee.badge_version
        ),
        subject=attendee.id,
    )
    return attendee


def _identify(session: Session, meeting_id: str, scan_in: CheckInRequest) -> Holder | Attendee:
    if scan_in.badge is not None:
        return badges.verify(session, scan_in.badge, meeting_id)
    assert scan_in.attendee_id is not None
    return attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=scan_in.attendee_id)


def _meeting_exists(session: Session, meeting_id: str) -> None:
    """Scans of one batch (group commit) share a session: the meeting is looked up once per batch."""
    known: set[str] = session.info.setdefault("meetings_known", set())
    if meeting_id not in known:
        meetings.get_or_raise(session=session, meeting_id=meeting_id)
        known.add(meeting_id)


def _replay(session: Session, meeting_id: str, scan_in: CheckInRequest) -> CheckInOutcome | None:
    """The answer already given to a request with this nonce, if there was one (one query for a
    new nonce, the usual case)."""
    found = session.execute(_ANSWERED, {"meeting_id": meeting_id, "nonce": scan_in.nonce}).first()
    if found is None:
        return None
    if found[0] == "refused":
        failed = session.get(FailedScan, found[1])
        assert failed is not None
        return CheckInOutcome(None, BadgeRefused(failed.reason, failed.detail))
    earlier = session.get(Scan, found[1])
    attendee = badges.holder(session, earlier.attendee_id) if earlier else None
    assert earlier is not None and attendee is not None
    first_in = _first_in(session, attendee.id, earlier.session_id)
    return CheckInOutcome(_answer(attendee, earlier, first_in, repeat=True))


def _first_in(session: Session, attendee_id: str, session_id: str | None) -> datetime | None:
    """When this person first signed in to the meeting (no session) or to the session."""
    query = _FIRST_IN_MEETING if session_id is None else _FIRST_IN_SESSION
    found: datetime | None = session.connection().scalar(
        query, {"attendee_id": attendee_id, "session_id": session_id}
    )
    return found


def _answer(
    attendee: Holder | Attendee, scan: Scan, first_in: datetime | None, *, repeat: bool
) -> CheckInPublic:
    return CheckInPublic(
        attendee_id=attendee.id,
        name=attendee.name,
        organization=attendee.organization,
        category=attendee.category,
        session_id=scan.session_id,
        direction=scan.direction,
        first_checked_in_at=first_in,
        repeat=repeat,
    )


def refused_scans(*, session: Session, meeting_id: str) -> list[FailedScan]:
    """The scans turned away, newest first, for the door staff."""
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    query = (
        select(FailedScan).where(col(FailedScan.meeting_id) == meeting_id).order_by(col(FailedScan.at).desc())
    )
    return list(session.scalars(query))
