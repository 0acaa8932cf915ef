from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
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


def _task(session: Session, meeting_id: str, task_id: str, if_match: str | None) -> Task:
    """The task, if it is still at the version ``If-Match`` names (when sent)."""
    task = service.get_or_raise(session, meeting_id, task_id)
    preconditions.require(if_match, session, lambda: task)
    return task


def _answer(response: Response, public: TaskPublic) -> TaskPublic:
    preconditions.tag(response, public.version)
    return public


def _step(
    session: Session,
    response: Response,
    task: Task,
    action: TaskAction,
    note: Note | None,
) -> TaskPublic:
    moved = service.move(session, task, action, note=note.note if note else None)
    return _answer(response, service.public(session, moved))


@router.post("/{task_id}/assign", response_model=TaskPublic)
def assign_task(
    meeting_id: str,
    task_id: str,
    session: SessionDep,
    response: Response,
    note: Note | None = None,
    if_match: IfMatch = None,
) -> TaskPublic:
    """交办: the written notice goes to the lead and supporting departments."""
    return _step(session, response, _task(session, meeting_id, task_id, if_match), TaskAction.assign, note)


@router.post("/{task_id}/start", response_model=TaskPublic)
def start_task(
    meeting_id: str,
    task_id: str,
    session: SessionDep,
    response: Response,
    note: Note | None = None,
    if_match: IfMatch = None,
) -> TaskPublic:
    """办理: the lead department takes it in hand (again, after a return)."""
    return _step(session, response, _task(session, meeting_id, task_id, if_match), TaskAction.start, note)


@router.post("/{task_id}/close", response_model=TaskPublic)
def close_task(
    meeting_id: str,
    task_id: str,
    session: SessionDep,
    response: Response,
    note: Note | None = None,
    if_match: IfMatch = None,
) -> TaskPublic:
    """办结/销号: the leader gave no new instruction on the approved task."""
    return _step(session, response, _task(session, meeting_id, task_id, if_match), TaskAction.close, note)


@router.post("/{task_id}/extension", response_model=TaskPublic)
def request_extension(
    meeting_id: str,
    task_id: str,
    request: ExtensionRequest,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """延期申请: by the lead department, before the deadline, with reasons, progress and a new date."""
    task = _task(session, meeting_id, task_id, if_match)
    return _answer(response, service.public(session, service.request_extension(session, task, request)))


@router.post("/{task_id}/extension/approve", response_model=TaskPublic)
def approve_extension(
    meeting_id: str,
    task_id: str,
    session: SessionDep,
    response: Response,
    decision: ExtensionDecision | None = None,
    if_match: IfMatch = None,
) -> TaskPublic:
    """The deadline moves to the date asked for; the earlier ones stay in the history."""
    task = _task(session, meeting_id, task_id, if_match)
    opinion = decision.opinion if decision else None
    approved = service.decide_extension(session, task, approved=True, opinion=opinion)
    return _answer(response, service.public(session, approved))


@router.post("/{task_id}/extension/deny", response_model=TaskPublic)
def deny_extension(
    meeting_id: str,
    task_id: str,
    denial: ExtensionDenial,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """Back to handling under the deadline in force."""
    task = _task(session, meeting_id, task_id, if_match)
    denied = service.decide_extension(session, task, approved=False, opinion=denial.opinion)
    return _answer(response, service.public(session, denied))


@router.post("/{task_id}/feedback", response_model=TaskPublic)
def send_feedback(
    meeting_id: str,
    task_id: str,
    report: Feedback,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """反馈: the completion report, in the lead department's name only."""
    task = _task(session, meeting_id, task_id, if_match)
    reported = service.feedback(session, task, report)
    return _answer(response, service.public(session, reported))


@router.post("/{task_id}/return", response_model=TaskPublic)
def return_task(
    meeting_id: str,
    task_id: str,
    review: Review,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """退回重办, with the review opinion."""
    task = _task(session, meeting_id, task_id, if_match)
    moved = service.move(session, task, TaskAction.return_, note=review.opinion)
    return _answer(response, service.public(session, moved))


@router.post("/{task_id}/approve", response_model=TaskPublic)
def approve_task(
    meeting_id: str,
    task_id: str,
    review: Review,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """审核通过, with the review opinion; it goes to the leader for review."""
    task = _task(session, meeting_id, task_id, if_match)
    moved = service.move(session, task, TaskAction.approve, note=review.opinion)
    return _answer(response, service.public(session, moved))


@router.post("/{task_id}/reopen", response_model=TaskPublic)
def reopen_task(
    meeting_id: str,
    task_id: str,
    instruction: Reopen,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> TaskPublic:
    """A leader's new instruction on the approved task: a new 交办 (maybe with a new deadline)."""
    task = _task(session, meeting_id, task_id, if_match)
    reopened = service.reopen(session, task, instruction)
    return _answer(response, service.public(session, reopened))


@router.post("/{task_id}/progress", status_code=201, response_model=ReportPublic)
def report_progress(
    meeting_id: str,
    task_id: str,
    session: SessionDep,
    department: Annotated[Department, Form(description="the lead or a supporting department")],
    text: Annotated[Report, Form(description="进展情况")],
    files: Annotated[list[UploadFile] | None, File(description=f"up to {MAX_FILES} files")] = None,
    if_match: IfMatch = None,
) -> ReportPublic:
    """进展 (multipart/form-data), from the lead or a supporting department while the task is in hand."""
    task = _task(session, meeting_id, task_id, if_match)
    uploads = read_uploads(files or [])
    report = service.report_progress(session, task, department, text, uploads)
    return service.report_public(session, task, report)


@router.get("/{task_id}/attachments/{attachment_id}", response_class=Response)
def download_attachment(meeting_id: str, task_id: str, attachment_id: str, session: SessionDep) -> Response:
    """A file sent with a report, as it was uploaded (its SHA-256 is in the task's history)."""
    task = service.get_or_raise(session, meeting_id, task_id)
    attachment = service.attachment_or_raise(session, task, attachment_id)
    return download(attachment.content, attachment.media_type, attachment.filename)
