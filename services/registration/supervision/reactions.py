"""Supervision's notes and reports reach people through registration's notices (BRIEF 3.3, 3.4):
a chase note (督办提醒) to the task's responsible person, a situation report (情况反映) to each of
its addressees — whoever of them is on the meeting's roster, since registration holds their
contact details. Their status does not matter: a person named on a task or a report stays its
addressee after leaving the meeting.

Who is not on the roster (a lead department, a leader named by post) is not told from here: the
department's own systems take supervision's events from the gateway's webhooks and event stream.

Case events (a missing copy's report due soon or overdue) tell nobody here, on purpose: the
24-hour report to the secrecy bureau is the office's duty (RULES R3.8), not the holder's, and the
office's systems take the alert like the departments'; the events do not name the holder; and the
case's title names the document, whose title is itself secret when it is top secret. The holder
already knows: the copy was declared missing at documents' desk, from what they said or failed to
hand back.

Each notice's id is derived from the event and the person, so the same event applied again (a
redelivery the inbox did not absorb) finds its notice and sends nothing twice.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session

from huiwu.events.catalog import SituationReportSent, TaskReminded
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from services.registration.attendees.models import Attendee
from services.registration.notices import service as notices
from services.registration.notices.models import Notice
from services.registration.supervision import wording

TASK_REMINDER = "task_reminder"
SITUATION_REPORT = "situation_report"


def on_task_reminded(session: Session, event: CloudEvent, data: EventContract) -> None:
    """A chase note: told to the responsible person when they are on the roster."""
    assert isinstance(data, TaskReminded)
    person = _on_roster(session, data.meeting_id, data.responsible_attendee_id)
    if person is None:
        return
    after = {
        "task_id": data.task_id,
        "reminder_id": data.reminder_id,
        "number": data.number,
        "colour": data.colour.value,
        "reason": data.reason.value,
        "deadline": data.deadline.isoformat(),
        "time_limit": data.time_limit.isoformat() if data.time_limit else None,
    }
    _notify_once(session, event, person, TASK_REMINDER, wording.task_reminder(person.name, data), after)


def on_situation_report_sent(session: Session, event: CloudEvent, data: EventContract) -> None:
    """A situation report: told to each addressee on the roster, the report's text included.

    ``SituationReportSent`` carries no classification, and supervision records none for a
    situation report: it is not classified, so its text travels on the notice and the leader reads
    it at once, which is the point of it. Should reports ever be classified, a classified one's
    notice must give only the title and where to read it, never the text."""
    assert isinstance(data, SituationReportSent)
    for addressee in data.addressees:
        person = _on_roster(session, data.meeting_id, addressee.attendee_id)
        if person is None:
            continue
        after = {
            "report_id": data.report_id,
            "title": data.title,
            "role": addressee.role.value,
            "sent_by": data.sent_by,
            "sent_at": data.sent_at.isoformat(),
        }
        message = wording.situation_report(person.name, data)
        _notify_once(session, event, person, SITUATION_REPORT, message, after)


def _on_roster(session: Session, meeting_id: str, attendee_id: str | None) -> Attendee | None:
    person = session.get(Attendee, attendee_id) if attendee_id else None
    return person if person is not None and person.meeting_id == meeting_id else None


def _notify_once(
    session: Session, event: CloudEvent, person: Attendee, topic: str, message: str, after: dict[str, Any]
) -> None:
    notice_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:huiwu:notice:{event.id}:{person.id}"))
    if session.get(Notice, notice_id) is None:
        notices.notify(session, person, topic, message, after=after, notice_id=notice_id)
