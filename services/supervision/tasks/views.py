from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from sqlmodel import Session

from huiwu import preconditions
from huiwu.db import utcnow
from huiwu.downloads import download
from huiwu.events.catalog import TaskAction, TaskColour, TaskState
from huiwu.pagination import Cursor, Limit, Page, page_after
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.supervision.tasks import service
from services.supervision.tasks.attachments import MAX_FILES, read_uploads
from services.supervision.tasks.models import (
    Department,
    ExtensionDecision,
    ExtensionDenial,
    ExtensionRequest,
    Feedback,
    Note,
    Reopen,
    Report,
    ReportPublic,
    Review,
    Task,
    TaskCreate,
    TaskDetail,
    TaskPublic,
)

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/tasks", tags=["tasks"])


@router.post("", status_code=201, response_model=TaskPublic)
def register_task(
    meeting_id: str, task_in: TaskCreate, session: SessionDep, response: Response
) -> TaskPublic:
    """立项: one matter with its source, exactly one lead department, the supporting ones, the
    responsible person, the deadline and the report frequency; numbered 督〔年〕n号 by default."""
    task = service.register(session, meeting_id, task_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/tasks/{task.id}"
    return service.public(session, task)


@router.get("", response_model=Page[TaskPublic])
def list_tasks(
    meeting_id: str,
    session: SessionDep,
    state: TaskState | None = None,
    department: str | None = None,
    overdue: bool | None = None,
    colour: TaskColour | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TaskPublic]:
    """The meeting's tasks in order of registration; ``department`` matches lead or supporting,
    ``overdue`` the derived flag, ``colour`` the 三色督办 light each shows now."""
    now = utcnow()
    found = service.listing(session, meeting_id, state, department, overdue, colour, now)
    keyed = [([task.created_at.isoformat(), task.id], task) for task in found]
    tasks, next_cursor = page_after(keyed, cursor, limit, scope="tasks")
    return Page[TaskPublic](items=service.publics(session, tasks, now), next_cursor=next_cursor)


@router.get("/{task_id}", response_model=TaskDetail)
def read_task(meeting_id: str, task_id: str, session: SessionDep, response: Response) -> TaskDetail:
    """The task with its history: transitions (who, when, what they wrote), every deadline, the
    extension requests, and the progress and completion reports with their files. Its ``ETag``
    is what the actions below take in ``If-Match`` (412 if the task moved on since)."""
    task = service.get_or_raise(session, meeting_id, task_id)
    preconditions.tag(response, task.version)
    return service.detail(session, task)


def task_at_version(meeting_id: str, task_id: str, session: SessionDep, if_match: IfMatch = None) -> Task:
    """The task in the path, if it is still at the version ``If-Match`` names (when sent)."""
    task = service.get_or_raise(session, meeting_id, task_id)
    preconditions.require(if_match, session, lambda: task)
    return task


# Every action takes its task this way. A dependency runs before the body is validated: a missing
# task is 404 and a stale If-Match 412 even when the body is wrong too.
TaskAtVersion = Annotated[Task, Depends(task_at_version)]


def _answer(session: Session, response: Response, task: Task) -> TaskPublic:
    """The task after the action, with the ETag the next action takes in ``If-Match``."""
    preconditions.tag(response, task.version)
    return service.public(session, task)


def _step(
    session: Session, response: Response, task: Task, action: TaskAction, note: str | None
) -> TaskPublic:
    """A bare step of the state machine, with what the caller wrote."""
    return _answer(session, response, service.move(session, task, action, note=note))


@router.post("/{task_id}/assign", response_model=TaskPublic)
def assign_task(
    task: TaskAtVersion, session: SessionDep, response: Response, note: Note | None = None
) -> TaskPublic:
    """交办: the written notice goes to the lead and supporting departments."""
    return _step(session, response, task, TaskAction.assign, note.note if note else None)


@router.post("/{task_id}/start", response_model=TaskPublic)
def start_task(
    task: TaskAtVersion, session: SessionDep, response: Response, note: Note | None = None
) -> TaskPublic:
    """办理: the lead department takes it in hand (again, after a return)."""
    return _step(session, response, task, TaskAction.start, note.note if note else None)


@router.post("/{task_id}/close", response_model=TaskPublic)
def close_task(
    task: TaskAtVersion, session: SessionDep, response: Response, note: Note | None = None
) -> TaskPublic:
    """办结/销号: the leader gave no new instruction on the approved task."""
    return _step(session, response, task, TaskAction.close, note.note if note else None)


@router.post("/{task_id}/extension", response_model=TaskPublic)
def request_extension(
    task: TaskAtVersion, request: ExtensionRequest, session: SessionDep, response: Response
) -> TaskPublic:
    """延期申请: by the lead department, before the deadline, with reasons, progress and a new date."""
    return _answer(session, response, service.request_extension(session, task, request))


@router.post("/{task_id}/extension/approve", response_model=TaskPublic)
def approve_extension(
    task: TaskAtVersion, session: SessionDep, response: Response, decision: ExtensionDecision | None = None
) -> TaskPublic:
    """The deadline moves to the date asked for; the earlier ones stay in the history."""
    opinion = decision.opinion if decision else None
    return _answer(session, response, service.decide_extension(session, task, approved=True, opinion=opinion))


@router.post("/{task_id}/extension/deny", response_model=TaskPublic)
def deny_extension(
    task: TaskAtVersion, denial: ExtensionDenial, session: SessionDep, response: Response
) -> TaskPublic:
    """Back to handling under the deadline in force."""
    denied = service.decide_extension(session, task, approved=False, opinion=denial.opinion)
    return _answer(session, response, denied)


@router.post("/{task_id}/feedback", response_model=TaskPublic)
def send_feedback(
    task: TaskAtVersion, report: Feedback, session: SessionDep, response: Response
) -> TaskPublic:
    """反馈: the completion report, in the lead department's name only."""
    return _answer(session, response, service.feedback(session, task, report))


@router.post("/{task_id}/return", response_model=TaskPublic)
def return_task(task: TaskAtVersion, review: Review, session: SessionDep, response: Response) -> TaskPublic:
    """退回重办, with the review opinion."""
    return _step(session, response, task, TaskAction.return_, review.opinion)


@router.post("/{task_id}/approve", response_model=TaskPublic)
def approve_task(task: TaskAtVersion, review: Review, session: SessionDep, response: Response) -> TaskPublic:
    """审核通过, with the review opinion; it goes to the leader for review."""
    return _step(session, response, task, TaskAction.approve, review.opinion)


@router.post("/{task_id}/reopen", response_model=TaskPublic)
def reopen_task(
    task: TaskAtVersion, instruction: Reopen, session: SessionDep, response: Response
) -> TaskPublic:
    """A leader's new instruction on the approved task: a new 交办 (maybe with a new deadline)."""
    return _answer(session, response, service.reopen(session, task, instruction))


@router.post("/{task_id}/progress", status_code=201, response_model=ReportPublic)
def report_progress(
    task: TaskAtVersion,
    session: SessionDep,
    department: Annotated[Department, Form(description="the lead or a supporting department")],
    text: Annotated[Report, Form(description="进展情况")],
    files: Annotated[list[UploadFile] | None, File(description=f"up to {MAX_FILES} files")] = None,
) -> ReportPublic:
    """进展 (multipart/form-data), from the lead or a supporting department while the task is in hand."""
    report = service.report_progress(session, task, department, text, read_uploads(files or []))
    return service.report_public(session, task, report)


@router.get("/{task_id}/attachments/{attachment_id}", response_class=Response)
def download_attachment(meeting_id: str, task_id: str, attachment_id: str, session: SessionDep) -> Response:
    """A file sent with a report, as it was uploaded (its SHA-256 is in the task's history)."""
    task = service.get_or_raise(session, meeting_id, task_id)
    attachment = service.attachment_or_raise(session, task, attachment_id)
    return download(attachment.content, attachment.media_type, attachment.filename)
