"""``GET /api/v1/meetings/{id}/dashboard``: the meeting at a glance for the people running it —
attendance now, today's sessions, documents out and missing, tasks and cases, and whether the
departments are in sync — each section from the department that owns it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from urllib.parse import urlencode

from pydantic import BaseModel
from pydantic import Field as PydanticField

from gateway.aggregates.sections import SECTION_TIMEOUT_S, Asker, Section, SectionStatus, Unanswered, section
from gateway.sync import meeting_sync
from huiwu.auth import ADMIN
from huiwu.chinese import local_date
from huiwu.db import utcnow
from huiwu.errors import DomainError, NotFound
from huiwu.events.catalog import CaseKind, SessionKind, SessionStatus, TaskState
from huiwu.pagination import Page

AGENDA_PAGE = 500  # the most venue serves at once; a day's agenda is far shorter


class MeetingHeader(BaseModel):
    id: str
    name: str
    starts_on: date
    ends_on: date
    status: str = PydanticField(description="draft, notified, in_session or closed")


class AttendanceCount(BaseModel):
    expected: int = PydanticField(description="应到")
    present: int = PydanticField(description="实到")
    on_leave: int = PydanticField(description="请假")
    absent: int = PydanticField(description="缺席 (without leave)")
    inside: int = PydanticField(description="signed in and not signed out")


class QuorumNow(BaseModel):
    members_expected: int
    members_present: int
    required: int = PydanticField(description="members present needed under the meeting's quorum rule")
    met: bool


class AttendanceNow(BaseModel):
    total: AttendanceCount = PydanticField(
        description="members, observers and guests (staff are not counted)"
    )
    quorum: QuorumNow
    announcement: str = PydanticField(description="本次会议应到…名，请假…名，实到…名，符合规定人数。")


class SessionToday(BaseModel):
    id: str
    title: str
    kind: SessionKind
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    room_name: str
    expected_count: int = PydanticField(description="people expected (应到)")


class SessionsToday(BaseModel):
    day: date = PydanticField(description="today in Beijing")
    sessions: list[SessionToday] = PydanticField(description="in time order, cancelled ones included")


class CopyTally(BaseModel):
    """printed = in stock + issued; issued = outstanding + returned + retained + missing."""

    printed: int
    in_stock: int
    issued: int
    outstanding: int = PydanticField(description="issued and still with their holders")
    returned: int
    retained: int
    missing: int


class DocumentsNow(BaseModel):
    documents: int = PydanticField(description="documents registered")
    copies: CopyTally = PydanticField(description="over every document of the meeting")


class TaskStateCount(BaseModel):
    state: TaskState
    label: str = PydanticField(description="办理中, 已反馈（待审核）…")
    count: int


class CaseTally(BaseModel):
    kind: CaseKind
    label: str = PydanticField(description="文件缺失 or 代表事项跟踪")
    total: int
    open: int
    reported: int
    closed: int
    overdue: int = PydanticField(description="the report deadline passed with no report filed")


class SupervisionNow(BaseModel):
    tasks: int = PydanticField(description="确定事项: every task registered")
    headline: str = PydanticField(description="确定事项22件，已办结6件，占比27%；正在办理16件，占比73%")
    by_state: list[TaskStateCount] = PydanticField(description="every state, in the order of the workflow")
    overdue_tasks: int = PydanticField(description="past their deadline and not closed")
    open_cases: int
    cases: list[CaseTally]


class DepartmentSync(BaseModel):
    attendees: int | None = PydanticField(default=None, description="people on the roster it knows")
    events_applied: int | None = None
    outbox_pending: int | None = None
    parked_messages: int | None = None
    error: str | None = PydanticField(default=None, description="service-unavailable, service-timeout…")
    detail: str | None = PydanticField(default=None, description="why the department could not say")


class SyncNow(BaseModel):
    in_sync: bool
    departments: dict[str, DepartmentSync]


class Dashboard(BaseModel):
    meeting_id: str
    as_of: datetime
    meeting: Section[MeetingHeader]
    attendance: Section[AttendanceNow] = PydanticField(description="registration: the whole meeting, now")
    sessions_today: Section[SessionsToday] = PydanticField(description="venue's agenda for today")
    documents: Section[DocumentsNow]
    supervision: Section[SupervisionNow] = PydanticField(description="tasks by state, overdue, cases")
    sync: Section[SyncNow] = PydanticField(description="for admin tokens only, as at …/sync")


class _DepartmentOverdue(BaseModel):
    overdue: int


class _LeadersReport(BaseModel):
    """The parts of supervision's report to leaders the dashboard shows."""

    total: int
    headline: str
    by_state: list[TaskStateCount]
    by_department: list[_DepartmentOverdue]
    cases: list[CaseTally]


async def dashboard(asker: Asker, meeting_id: str) -> Dashboard:
    base = f"/api/v1/meetings/{meeting_id}"
    meeting, attendance, sessions, documents, supervision, sync = await asyncio.gather(
        section(_meeting(asker, base)),
        section(_attendance(asker, base)),
        section(_sessions_today(asker, base)),
        section(_documents(asker, base)),
        section(_supervision(asker, base)),
        section(_sync(asker, meeting_id)),
    )
    if meeting.status == SectionStatus.not_found:  # registration owns the meeting: it would know
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    return Dashboard(
        meeting_id=meeting_id,
        as_of=utcnow(),
        meeting=meeting,
        attendance=attendance,
        sessions_today=sessions,
        documents=documents,
        supervision=supervision,
        sync=sync,
    )


async def _meeting(asker: Asker, base: str) -> MeetingHeader:
    return MeetingHeader.model_validate(await asker.get("registration", base))


async def _attendance(asker: Asker, base: str) -> AttendanceNow:
    return AttendanceNow.model_validate(await asker.get("registration", f"{base}/attendance"))


async def _sessions_today(asker: Asker, base: str) -> SessionsToday:
    day = local_date(utcnow())
    sessions: list[SessionToday] = []
    cursor: str | None = None
    while True:
        query = {"on": day.isoformat(), "limit": AGENDA_PAGE, **({"cursor": cursor} if cursor else {})}
        page = Page[SessionToday].model_validate(
            await asker.get("venue", f"{base}/sessions", urlencode(query))
        )
        sessions.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return SessionsToday(day=day, sessions=sessions)


async def _documents(asker: Asker, base: str) -> DocumentsNow:
    return DocumentsNow.model_validate(await asker.get("documents", f"{base}/documents/counts"))


async def _supervision(asker: Asker, base: str) -> SupervisionNow:
    report = _LeadersReport.model_validate(await asker.get("supervision", f"{base}/supervision/report"))
    return SupervisionNow(
        tasks=report.total,
        headline=report.headline,
        by_state=report.by_state,
        overdue_tasks=sum(department.overdue for department in report.by_department),
        open_cases=sum(kind.open for kind in report.cases),
        cases=report.cases,
    )


async def _sync(asker: Asker, meeting_id: str) -> SyncNow:
    if not asker.caller.allows(ADMIN):
        raise Unanswered(SectionStatus.forbidden, "各部门同步状态仅供管理员令牌查看")
    try:
        report = await asyncio.wait_for(
            meeting_sync(asker.services, meeting_id, asker.headers), SECTION_TIMEOUT_S
        )
    except TimeoutError as error:
        raise Unanswered(SectionStatus.timeout, f"各部门未在{SECTION_TIMEOUT_S:g}秒内报告同步状态") from error
    except NotFound as error:
        raise Unanswered(SectionStatus.not_found, "报名注册没有此会议") from error
    except DomainError as error:
        raise Unanswered(SectionStatus.unavailable, "报名注册无法连接") from error
    return SyncNow(in_sync=report["in_sync"], departments=report["services"])
