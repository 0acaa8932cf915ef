"""What supervision holds on one person: their tasks and the cases that name them."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session, col

from huiwu.db import utcnow
from services.supervision.attendees.models import ParticipantRecord
from services.supervision.cases import service as cases
from services.supervision.cases.models import Case, FollowedRequest, LostCopy
from services.supervision.tasks import service as tasks
from services.supervision.tasks.models import Task


def record_of(session: Session, meeting_id: str, attendee_id: str) -> ParticipantRecord:
    responsible = select(Task).where(
        col(Task.meeting_id) == meeting_id, col(Task.responsible_attendee_id) == attendee_id
    )
    naming = (
        select(Case)
        .outerjoin(LostCopy, col(LostCopy.case_id) == col(Case.id))
        .outerjoin(FollowedRequest, col(FollowedRequest.id) == col(Case.request_id))
        .where(
            col(Case.meeting_id) == meeting_id,
            or_(col(LostCopy.holder_id) == attendee_id, col(FollowedRequest.attendee_id) == attendee_id),
        )
    )
    now = utcnow()
    found = list(session.scalars(responsible.order_by(col(Task.created_at), col(Task.id))))
    return ParticipantRecord(
        attendee_id=attendee_id,
        tasks=tasks.publics(session, found, now),
        cases=[
            cases.summary(case, now)
            for case in session.scalars(naming.order_by(col(Case.created_at), col(Case.id)))
        ],
    )
