"""Notices (通知): when a person's arrangements change, the desk records a notice for them with
what changed (before and after); a worker delivers them through the configured channel and
retries a failed delivery with growing delays until it goes through — a notice is never lost.

When the channel cannot reach the person at all as recorded (email without an address), retrying
would only fill the log: the notice is marked undeliverable for the desk to see, and becomes
pending again when the person's contact details change (``retry_undeliverable``)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import unit_of_work, utcnow
from huiwu.service import Runtime
from huiwu.tasks import honour_cancellation
from services.registration.attendees.models import Attendee
from services.registration.checkin.badges import signing_secret
from services.registration.meetings.models import Meeting
from services.registration.notices.channels import Channel, Undeliverable, channel_from
from services.registration.notices.models import Notice, NoticePublic, NoticeStatus

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(seconds=60)
MAX_DELAY = timedelta(minutes=10)
POLL_S = 1.0


def notify(
    session: Session,
    attendee: Attendee,
    topic: str,
    message: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    notice_id: str | None = None,
) -> Notice:
    """Record a notice in the caller's transaction; it goes out once that commits. ``notice_id``:
    one derived from the event that called for it, so that event applied again finds it."""
    notice = Notice(
        meeting_id=attendee.meeting_id,
        attendee_id=attendee.id,
        topic=topic,
        message=message,
        before=before,
        after=after,
    )
    if notice_id is not None:
        notice.id = notice_id
    session.add(notice)
    return notice


def retry_undeliverable(session: Session, attendee: Attendee) -> None:
    """The person's contact details changed: try their undeliverable notices again, now."""
    for notice in session.scalars(
        select(Notice).where(
            col(Notice.attendee_id) == attendee.id, col(Notice.status) == NoticeStatus.undeliverable
        )
    ):
        notice.status, notice.next_attempt_at = NoticeStatus.pending, utcnow()


def listing(
    session: Session, meeting_id: str, attendee_id: str | None, status: NoticeStatus | None
) -> list[NoticePublic]:
    query = select(Notice).where(col(Notice.meeting_id) == meeting_id)
    if attendee_id is not None:
        query = query.where(col(Notice.attendee_id) == attendee_id)
    if status is not None:
        query = query.where(col(Notice.status) == status)
    return [
        NoticePublic.model_validate(n, from_attributes=True)
        for n in session.scalars(query.order_by(col(Notice.created_at)))
    ]


async def deliver_forever(runtime: Runtime) -> None:
    """The registration service's notice worker."""
    with unit_of_work(runtime.make_session) as session:
        channel = channel_from(runtime.settings, signing_secret(session))
    while True:
        honour_cancellation()
        try:
            delivered = await asyncio.to_thread(deliver_due, runtime, channel)
        except Exception:
            log.exception("notice delivery pass failed; retrying")
            delivered = 0
        if delivered == 0:
            await asyncio.sleep(POLL_S)


def deliver_due(runtime: Runtime, channel: Channel) -> int:
    """One pass: claim due notices with a lease (replicas never send the same one at once),
    send each, record the outcome. Returns how many were delivered."""
    now = utcnow()
    with unit_of_work(runtime.make_session) as session:
        due = list(
            session.scalars(
                select(Notice)
                .where(col(Notice.status) == NoticeStatus.pending, col(Notice.next_attempt_at) <= now)
                .order_by(col(Notice.created_at))
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        )
        for notice in due:
            notice.next_attempt_at = now + LEASE
        claimed = [(notice, _recipient(session, notice)) for notice in due]
    # Sent outside any transaction: a slow channel must not hold the database.
    outcomes = [(notice.id, _attempt(channel, notice, recipient)) for notice, recipient in claimed]
    with unit_of_work(runtime.make_session) as session:
        for notice_id, failure in outcomes:
            stored = session.get(Notice, notice_id)
            assert stored is not None
            _record(stored, failure)
    return sum(failure is None for _, failure in outcomes)


def _attempt(channel: Channel, notice: Notice, recipient: dict[str, str | None]) -> Exception | None:
    try:
        channel.send(notice, recipient)
    except Exception as error:
        return error
    return None


def _record(notice: Notice, failure: Exception | None) -> None:
    """Sent; or undeliverable (not retried); or pending, retried after a growing delay."""
    notice.attempts += 1
    if failure is None:
        notice.status, notice.sent_at = NoticeStatus.sent, utcnow()
        return
    notice.last_error = f"{type(failure).__name__}: {failure}"[:2000]
    if isinstance(failure, Undeliverable):
        notice.status = NoticeStatus.undeliverable
    else:
        notice.next_attempt_at = utcnow() + min(timedelta(seconds=2**notice.attempts), MAX_DELAY)


def _recipient(session: Session, notice: Notice) -> dict[str, str | None]:
    person = session.get(Attendee, notice.attendee_id)
    meeting = session.get(Meeting, notice.meeting_id)
    assert person is not None
    return {
        "attendee_id": person.id,
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "meeting": meeting.name if meeting else None,
    }
