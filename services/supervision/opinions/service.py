"""Recording the opinions and suggestions of the group discussions, and finding them again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import NotFound
from services.supervision.meetings.service import meeting_or_raise
from services.supervision.opinions import speakers
from services.supervision.opinions.models import (
    Opinion,
    OpinionCreate,
    OpinionKind,
    OpinionPublic,
    PersonPublic,
)


def record(session: Session, meeting_id: str, opinion_in: OpinionCreate) -> Opinion:
    meeting_or_raise(session, meeting_id)
    speaker = speakers.resolve(session, meeting_id, opinion_in.speaker, "speaker")
    opinion = Opinion(
        meeting_id=meeting_id,
        group_id=opinion_in.group.id,
        group_name=opinion_in.group.name,
        session_id=opinion_in.session_id,
        speaker_id=speaker.attendee_id,
        speaker_name=speaker.name,
        speaker_post=speaker.post,
        kind=opinion_in.kind,
        text=opinion_in.text,
        recorded_by=opinion_in.recorded_by,
    )
    session.add(opinion)
    return opinion


def get_or_raise(session: Session, meeting_id: str, opinion_id: str) -> Opinion:
    opinion = session.get(Opinion, opinion_id)
    if opinion is None or opinion.meeting_id != meeting_id:
        raise NotFound(f"opinion {opinion_id} was not recorded for meeting {meeting_id}", field="opinion_id")
    return opinion


def page(
    session: Session,
    meeting_id: str,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
    group_id: str | None = None,
    group_name: str | None = None,
    session_id: str | None = None,
    kind: OpinionKind | None = None,
    speaker_id: str | None = None,
) -> list[Opinion]:
    """Oldest first, keyset-paginated on (created_at, id); every filter given must match."""
    query = select(Opinion).where(col(Opinion.meeting_id) == meeting_id)
    wanted = {
        col(Opinion.group_id): group_id,
        col(Opinion.group_name): group_name,
        col(Opinion.session_id): session_id,
        col(Opinion.kind): kind,
        col(Opinion.speaker_id): speaker_id,
    }
    for column, value in wanted.items():
        if value is not None:
            query = query.where(column == value)
    if after is not None:
        query = query.where(tuple_(col(Opinion.created_at), col(Opinion.id)) > after)
    return list(session.scalars(query.order_by(col(Opinion.created_at), col(Opinion.id)).limit(limit)))


def public(opinion: Opinion) -> OpinionPublic:
    speaker = PersonPublic(
        attendee_id=opinion.speaker_id, name=opinion.speaker_name, post=opinion.speaker_post
    )
    return OpinionPublic(
        **{name: getattr(opinion, name) for name in OpinionPublic.model_fields.keys() - {"speaker"}},
        speaker=speaker,
    )
