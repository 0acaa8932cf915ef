"""Tracked tasks (督办事项, RULES R4.2–R4.5): registered with a number, assigned, handled, extended,
reported on, reviewed and closed off. Each change is a history row and an event, committed
together; overdue is derived from the deadline in force, never stored."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import local_date
from huiwu.context import current_actor
from huiwu.db import utcnow
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import (
    AttachmentRef,
    DeadlineReason,
    TaskAction,
    TaskColour,
    TaskDeadlineMoved,
    TaskProgressReported,
    TaskRegistered,
    TaskSnapshot,
    TaskState,
    TaskTransitioned,
)
from services.supervision.attendees.models import Participant
from services.supervision.events import emit
from services.supervision.reminders import escalation
from services.supervision.settings import service as settings
from services.supervision.tasks import numbering, states
from services.supervision.tasks.attachments import Upload
from services.supervision.tasks.models import (
    AttachmentPublic,
    DeadlinePublic,
    ExtensionPublic,
    ExtensionRequest,
    ExtensionStatus,
    Feedback,
    Reopen,
    ReportKind,
    ReportPublic,
    SourcePublic,
    Task,
    TaskAttachment,
    TaskCreate,
    TaskDeadline,
    TaskDetail,
    TaskExtension,
    TaskPublic,
    TaskReport,
    TaskTransition,
    TransitionPublic,
)


class DeadlinePassed(Conflict):
    code = "deadline-passed"
    title = "The deadline has passed"


class NotInHand(Conflict):
    code = "not-in-hand"
    title = "The task is not being handled"


def register(session: Session, meeting_id: str, task_in: TaskCreate) -> Task:
    """立项: the next number of the meeting's series for this year (Beijing time)."""
    if task_in.lead_department in task_in.supporting_departments:
        raise InvalidInput(
            "supporting_departments",
            "lead_not_supporting",
            f"{task_in.lead_department} leads the task; it cannot also support it",
        )
    _on_roster(session, meeting_id, task_in.responsible_attendee_id)
    numbers = settings.locked(session, meeting_id)
    now = utcnow()
    year = local_date(now).year
    serial = numbering.next_serial(session, meeting_id, year)
    source = task_in.source
    task = Task(
        **task_in.model_dump(exclude={"source"}),
        meeting_id=meeting_id,
        number=numbering.printed(numbers.number_format, year, serial),
        year=year,
        serial=serial,
        source_kind=source.kind,
        source_reference=source.reference,
        source_session_id=source.session_id,
        registered_by=current_actor.get(),
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    _record_transition(session, task, TaskAction.register, now)
    _record_deadline(session, task, DeadlineReason.registered, now)
    emit(session, TaskRegistered(**snapshot(task), meeting_id=meeting_id, registered_at=now), subject=task.id)
    return task


def _on_roster(session: Session, meeting_id: str, attendee_id: str | None) -> None:
    if attendee_id is None:
        return
    person = session.get(Participant, attendee_id)
    if person is None or person.meeting_id != meeting_id or person.status != "registered":
        raise InvalidInput(
            "responsible_attendee_id", "not_on_roster", f"{attendee_id} is not on this meeting's roster"
        )


def get_or_raise(session: Session, meeting_id: str, task_id: str, *, for_update: bool = False) -> Task:
    """``for_update``: a chase note by hand waits for the scheduler acting on the same task."""
    task = session.get(Task, task_id, with_for_update=for_update)
    if task is None or task.meeting_id != meeting_id:
        raise NotFound(f"task {task_id} is not one of meeting {meeting_id}'s", field="task_id")
    return task


def move(
    session: Session,
    task: Task,
    action: TaskAction,
    *,
    note: str | None = None,
    department: str | None = None,
    requested_deadline: datetime | None = None,
) -> Task:
    """One step of the state machine, recorded and announced; 409 if ``action`` is not allowed."""
    before = TaskState(task.state)
    task.state = states.next_state(before, action)
    now = _touch(task)
    if task.state == TaskState.closed:
        task.closed_at = now
    _record_transition(session, task, action, now, from_state=before, note=note, department=department)
    emit(
        session,
        TaskTransitioned(
            **snapshot(task),
            meeting_id=task.meeting_id,
            action=action,
            from_state=before,
            note=note,
            department=department,
            requested_deadline=requested_deadline,
            at=now,
        ),
        subject=task.id,
    )
    return task


def _record_transition(
    session: Session,
    task: Task,
    action: TaskAction,
    at: datetime,
    *,
    from_state: TaskState | None = None,
    note: str | None = None,
    department: str | None = None,
) -> None:
    """The history row of the step that made the task's current version (立项 has no ``from_state``)."""
    session.add(
        TaskTransition(
            task_id=task.id,
            version=task.version,
            action=action,
            from_state=from_state,
            to_state=task.state,
            actor=current_actor.get(),
            department=department,
            note=note,
            at=at,
        )
    )


def request_extension(session: Session, task: Task, request: ExtensionRequest) -> Task:
    """The lead department asks, before the deadline, with reasons, progress and a later date (R4.5)."""
    states.next_state(TaskState(task.state), TaskAction.request_extension)
    _lead_only(task, request.department, "ask for an extension")
    if utcnow() >= task.deadline:
        raise DeadlinePassed(
            f"the deadline {task.deadline.isoformat()} has passed; an extension is asked for before it",
            field="deadline",
            deadline=task.deadline.isoformat(),
        )
    if request.new_deadline <= task.deadline:
        raise InvalidInput(
            "new_deadline",
            "after_current_deadline",
            f"the new deadline must be later than the one in force, {task.deadline.isoformat()}",
        )
    session.add(
        TaskExtension(
            task_id=task.id,
            department=request.department,
            reasons=request.reasons,
            progress=request.progress,
            requested_deadline=request.new_deadline,
            previous_deadline=task.deadline,
            requested_by=current_actor.get(),
        )
    )
    note = f"延期理由：{request.reasons}\n进展情况：{request.progress}"
    return move(
        session,
        task,
        TaskAction.request_extension,
        note=note,
        department=request.department,
        requested_deadline=request.new_deadline,
    )


def decide_extension(session: Session, task: Task, *, approved: bool, opinion: str | None) -> Task:
    """Approved: the deadline moves to the date asked for (the old one stays in the history).
    Denied: back to handling under the old deadline."""
    action = TaskAction.approve_extension if approved else TaskAction.deny_extension
    states.next_state(TaskState(task.state), action)
    pending = session.scalars(
        select(TaskExtension).where(
            col(TaskExtension.task_id) == task.id, col(TaskExtension.status) == ExtensionStatus.pending
        )
    ).one()
    pending.status = ExtensionStatus.approved if approved else ExtensionStatus.denied
    pending.decided_by, pending.decided_at, pending.opinion = current_actor.get(), utcnow(), opinion
    if approved:
        _move_deadline(session, task, pending.requested_deadline, DeadlineReason.extension)
    return move(session, task, action, note=opinion, department=pending.department)


def feedback(session: Session, task: Task, report: Feedback) -> Task:
    """反馈: the completion report, sent in the lead department's name only (R4.3)."""
    states.next_state(TaskState(task.state), TaskAction.feedback)
    _lead_only(task, report.department, "send the completion report")
    move(session, task, TaskAction.feedback, note=report.report, department=report.department)
    _record_report(session, task, ReportKind.feedback, report.department, report.report, task.updated_at)
    return task


def _lead_only(task: Task, department: str, doing: str) -> None:
    if department != task.lead_department:
        raise InvalidInput(
            "department",
            "lead_department_only",
            f"only the lead department {task.lead_department} may {doing}; {department} may not",
        )


def reopen(session: Session, task: Task, instruction: Reopen) -> Task:
    """A leader's new instruction on an approved task: a new 交办, maybe with a new deadline."""
    states.next_state(TaskState(task.state), TaskAction.reopen)
    if instruction.deadline is not None and instruction.deadline != task.deadline:
        _move_deadline(session, task, instruction.deadline, DeadlineReason.reopened)
    task.round += 1
    return move(session, task, TaskAction.reopen, note=instruction.instruction)


def _move_deadline(session: Session, task: Task, deadline: datetime, reason: DeadlineReason) -> None:
    previous = task.deadline
    task.deadline = deadline
    now = _touch(task)
    _record_deadline(session, task, reason, now)
    emit(
        session,
        TaskDeadlineMoved(
            **snapshot(task), meeting_id=task.meeting_id, previous_deadline=previous, reason=reason, at=now
        ),
        subject=task.id,
    )


def _record_deadline(session: Session, task: Task, reason: DeadlineReason, at: datetime) -> None:
    """The deadline in force from the task's current version on, kept in its history."""
    session.add(
        TaskDeadline(
            task_id=task.id,
            version=task.version,
            deadline=task.deadline,
            reason=reason,
            set_by=current_actor.get(),
            at=at,
        )
    )


def report_progress(
    session: Session, task: Task, department: str, text: str, files: list[Upload]
) -> TaskReport:
    """进展 from the lead or a supporting department, while the task is in hand; files kept whole."""
    if task.state not in states.IN_HAND:
        raise NotInHand(
            f"a task {task.state} ({states.LABELS[TaskState(task.state)]}) takes no progress reports",
            field="task_id",
            current=task.state,
            accepted_in=list(states.IN_HAND),
        )
    if department not in (task.lead_department, *task.supporting_departments):
        raise InvalidInput(
            "department",
            "not_a_handling_department",
            f"{department} neither leads nor supports this task",
        )
    now = _touch(task)
    report = _record_report(session, task, ReportKind.progress, department, text, now)
    session.flush()
    stored = [
        TaskAttachment(
            report_id=report.id,
            task_id=task.id,
            position=position,
            filename=file.filename,
            media_type=file.media_type,
            size=len(file.content),
            sha256=file.sha256,
            content=file.content,
        )
        for position, file in enumerate(files, start=1)
    ]
    session.add_all(stored)
    emit(
        session,
        TaskProgressReported(
            **snapshot(task),
            meeting_id=task.meeting_id,
            report_id=report.id,
            department=department,
            text=text,
            attachments=[
                AttachmentRef(attachment_id=row.id, filename=row.filename, size=row.size, sha256=row.sha256)
                for row in stored
            ],
            reported_at=now,
        ),
        subject=task.id,
    )
    return report


def _record_report(
    session: Session, task: Task, kind: ReportKind, department: str, text: str, at: datetime
) -> TaskReport:
    """A progress or completion report, at the task's current version."""
    report = TaskReport(
        task_id=task.id,
        version=task.version,
        kind=kind,
        department=department,
        text=text,
        reported_by=current_actor.get(),
        reported_at=at,
    )
    session.add(report)
    return report


def _touch(task: Task) -> datetime:
    now = utcnow()
    task.version += 1
    task.updated_at = now
    return now


def snapshot(task: Task) -> dict[str, Any]:
    """The task's fields every task event carries."""
    fields = TaskSnapshot.model_fields.keys() - {"task_id"}
    return {"task_id": task.id, **{name: getattr(task, name) for name in fields}}


def listing(
    session: Session,
    meeting_id: str,
    state: TaskState | None,
    department: str | None,
    overdue: bool | None,
    colour: TaskColour | None,
    now: datetime,
) -> list[Task]:
    """In order of registration; ``department`` matches the lead or a supporting department."""
    query = select(Task).where(col(Task.meeting_id) == meeting_id)
    if state is not None:
        query = query.where(col(Task.state) == state)
    tasks = [
        task
        for task in session.scalars(query.order_by(col(Task.created_at), col(Task.id)))
        if (department is None or department in (task.lead_department, *task.supporting_departments))
        and (overdue is None or is_overdue(task, now) == overdue)
    ]
    if colour is None:
        return tasks
    shown = escalation.escalations(session, tasks, now)
    return [task for task in tasks if shown[task.id].colour == colour]


def is_overdue(task: Task, now: datetime) -> bool:
    return task.state != TaskState.closed and now > task.deadline


def attachment_or_raise(session: Session, task: Task, attachment_id: str) -> TaskAttachment:
    attachment = session.get(TaskAttachment, attachment_id)
    if attachment is None or attachment.task_id != task.id:
        raise NotFound(f"task {task.number} has no attachment {attachment_id}", field="attachment_id")
    return attachment


DERIVED = {"source", "state_label", "overdue", "colour", "reminders", "allowed_actions"}


def public(session: Session, task: Task) -> TaskPublic:
    (found,) = publics(session, [task], utcnow())
    return found


def publics(session: Session, tasks: list[Task], now: datetime) -> list[TaskPublic]:
    """The tasks as answered, each with its colour and 催办 log as of ``now``."""
    escalations = escalation.escalations(session, tasks, now)
    return [_public(task, escalations[task.id], now) for task in tasks]


def _public(task: Task, escalated: escalation.Escalation, now: datetime) -> TaskPublic:
    state = TaskState(task.state)
    return TaskPublic(
        **{name: getattr(task, name) for name in TaskPublic.model_fields.keys() - DERIVED},
        source=SourcePublic(
            kind=task.source_kind, reference=task.source_reference, session_id=task.source_session_id
        ),
        state_label=states.LABELS[state],
        overdue=is_overdue(task, now),
        colour=escalated.colour,
        reminders=[escalation.public(note) for note in escalated.reminders],
        allowed_actions=states.allowed_actions(state),
    )


def detail(session: Session, task: Task) -> TaskDetail:
    """The task with its whole history: transitions, deadlines, extensions and reports."""
    transitions = session.scalars(
        select(TaskTransition)
        .where(col(TaskTransition.task_id) == task.id)
        .order_by(col(TaskTransition.version))
    )
    deadlines = session.scalars(
        select(TaskDeadline).where(col(TaskDeadline.task_id) == task.id).order_by(col(TaskDeadline.version))
    )
    extensions = session.scalars(
        select(TaskExtension)
        .where(col(TaskExtension.task_id) == task.id)
        .order_by(col(TaskExtension.requested_at), col(TaskExtension.id))
    )
    reports = session.scalars(
        select(TaskReport).where(col(TaskReport.task_id) == task.id).order_by(col(TaskReport.version))
    )
    return TaskDetail(
        **public(session, task).model_dump(),
        transitions=[TransitionPublic.model_validate(row, from_attributes=True) for row in transitions],
        deadlines=[DeadlinePublic.model_validate(row, from_attributes=True) for row in deadlines],
        extensions=[ExtensionPublic.model_validate(row, from_attributes=True) for row in extensions],
        reports=_reports_public(session, task, list(reports)),
    )


def report_public(session: Session, task: Task, report: TaskReport) -> ReportPublic:
    (public_report,) = _reports_public(session, task, [report])
    return public_report


def _reports_public(session: Session, task: Task, reports: list[TaskReport]) -> list[ReportPublic]:
    # The files' bytes stay in the database: only their description is read here.
    files = session.execute(
        select(
            TaskAttachment.id,
            TaskAttachment.report_id,
            TaskAttachment.filename,  # type: ignore[call-overload]
            TaskAttachment.media_type,
            TaskAttachment.size,
            TaskAttachment.sha256,
        )
        .where(col(TaskAttachment.task_id) == task.id)
        .order_by(col(TaskAttachment.position))
    ).all()
    by_report: defaultdict[str, list[AttachmentPublic]] = defaultdict(list)
    base = f"/api/v1/meetings/{task.meeting_id}/tasks/{task.id}/attachments"
    for file_id, report_id, filename, media_type, size, sha256 in files:
        by_report[report_id].append(
            AttachmentPublic(
                id=file_id,
                filename=filename,
                media_type=media_type,
                size=size,
                sha256=sha256,
                url=f"{base}/{file_id}",
            )
        )
    return [
        ReportPublic(
            **{name: getattr(report, name) for name in ReportPublic.model_fields.keys() - {"attachments"}},
            attachments=by_report[report.id],
        )
        for report in reports
    ]
