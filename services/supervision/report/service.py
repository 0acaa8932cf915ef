"""The report to leaders (RULES R4.8), computed from the tasks, their lights and the cases as of one
moment: "确定事项22件，已办结6件，占比27%；正在办理16件，占比73%", then the lagging departments
named, then the counts by state and by lead department and the overdue items of each."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.errors import NotFound
from huiwu.events.catalog import CaseKind, CaseState, TaskColour, TaskState
from services.supervision.cases.models import Case
from services.supervision.meetings.models import KnownMeeting
from services.supervision.reminders import escalation
from services.supervision.reminders.wording import beijing_time
from services.supervision.report.models import (
    CaseCount,
    ColourCount,
    DepartmentCount,
    LaggingDepartment,
    LeadersReport,
    OverdueItem,
    Share,
    StateCount,
)
from services.supervision.report.shares import percentages
from services.supervision.tasks.models import Task
from services.supervision.tasks.service import is_overdue
from services.supervision.tasks.states import LABELS

TITLE = "督查督办情况报告"
LIGHTS = {
    TaskColour.green: "绿灯", TaskColour.blue: "蓝灯", TaskColour.yellow: "黄灯", TaskColour.red: "红灯",
}  # fmt: skip
CASE_LABELS = {CaseKind.missing_copy: "文件缺失", CaseKind.request_follow_up: "代表事项跟踪"}
NONE_LAGGING = "无逾期未办结事项"


def report(session: Session, meeting_id: str, now: datetime) -> LeadersReport:
    query = select(Task).where(col(Task.meeting_id) == meeting_id)
    tasks = list(session.scalars(query.order_by(col(Task.created_at), col(Task.id))))
    cases = list(session.scalars(select(Case).where(col(Case.meeting_id) == meeting_id)))
    meeting = session.get(KnownMeeting, meeting_id)
    if meeting is None and not tasks and not cases:
        raise NotFound(f"supervision knows no meeting {meeting_id}", field="meeting_id")
    closed, handling = _closed_and_handling(tasks)
    overdue = _lagging(tasks, now)
    headline = _headline(len(tasks), closed, handling)
    lagging = _lagging_sentence(overdue)
    return LeadersReport(
        meeting_id=meeting_id,
        title=f"{meeting.name}{TITLE}" if meeting else TITLE,
        as_of=now,
        as_of_text=f"截至{beijing_time(now)}（北京时间）",
        total=len(tasks),
        closed=closed,
        handling=handling,
        headline=headline,
        lagging=lagging,
        summary=f"{headline}。{lagging}。",
        by_state=_by_state(tasks),
        by_department=_by_department(tasks, now),
        by_colour=_by_colour(session, tasks, now),
        overdue=overdue,
        cases=[_case_count(kind, cases, now) for kind in CaseKind],
    )


def _closed_and_handling(tasks: list[Task]) -> tuple[Share, Share]:
    closed = sum(task.state == TaskState.closed for task in tasks)
    counts = (closed, len(tasks) - closed)
    first, second = (Share(count=n, percent=p) for n, p in zip(counts, percentages(counts), strict=True))
    return first, second


def _headline(total: int, closed: Share, handling: Share) -> str:
    if total == 0:
        return "尚无确定事项"
    return (
        f"确定事项{total}件，已办结{closed.count}件，占比{closed.percent}%；"
        f"正在办理{handling.count}件，占比{handling.percent}%"
    )


def _by_state(tasks: list[Task]) -> list[StateCount]:
    counts = Counter(TaskState(task.state) for task in tasks)
    states = list(TaskState)
    shares = percentages([counts[state] for state in states])
    return [
        StateCount(state=state, label=LABELS[state], count=counts[state], percent=percent)
        for state, percent in zip(states, shares, strict=True)
    ]


def _by_department(tasks: list[Task], now: datetime) -> list[DepartmentCount]:
    led: defaultdict[str, list[Task]] = defaultdict(list)  # in the order of each one's first task
    for task in tasks:
        led[task.lead_department].append(task)
    shares = percentages([len(own) for own in led.values()])
    return [
        _department_count(department, own, percent, now)
        for (department, own), percent in zip(led.items(), shares, strict=True)
    ]


def _department_count(department: str, own: list[Task], percent: int, now: datetime) -> DepartmentCount:
    closed, handling = _closed_and_handling(own)
    overdue = sum(is_overdue(task, now) for task in own)
    return DepartmentCount(
        department=department,
        tasks=len(own),
        percent=percent,
        closed=closed,
        handling=handling,
        overdue=overdue,
    )


def _by_colour(session: Session, tasks: list[Task], now: datetime) -> list[ColourCount]:
    shown = escalation.escalations(session, tasks, now)
    counts = Counter(shown[task.id].colour for task in tasks)  # a closed task shows none
    return [ColourCount(colour=colour, label=LIGHTS[colour], count=counts[colour]) for colour in TaskColour]


def _lagging(tasks: list[Task], now: datetime) -> list[LaggingDepartment]:
    """The departments with overdue tasks, most first (then in the order of their first task);
    each one's items most overdue first."""
    late: defaultdict[str, list[OverdueItem]] = defaultdict(list)
    for task in sorted((task for task in tasks if is_overdue(task, now)), key=lambda task: task.deadline):
        late[task.lead_department].append(_overdue_item(task, now))
    order = {name: index for index, name in enumerate(dict.fromkeys(task.lead_department for task in tasks))}
    most_first = sorted(late, key=lambda department: (-len(late[department]), order[department]))
    return [LaggingDepartment(department=department, items=late[department]) for department in most_first]


def _overdue_item(task: Task, now: datetime) -> OverdueItem:
    state = TaskState(task.state)
    return OverdueItem(
        task_id=task.id, number=task.number, content=task.content, deadline=task.deadline,
        days_overdue=math.ceil((now - task.deadline) / timedelta(days=1)), state=state,
        state_label=LABELS[state], responsible_person=task.responsible_person,
    )  # fmt: skip


def _lagging_sentence(lagging: list[LaggingDepartment]) -> str:
    if not lagging:
        return NONE_LAGGING
    items = sum(len(department.items) for department in lagging)
    named = "、".join(f"{department.department}{len(department.items)}件" for department in lagging)
    return f"逾期未办结{items}件，涉及{len(lagging)}个单位：{named}"


def _case_count(kind: CaseKind, cases: list[Case], now: datetime) -> CaseCount:
    own = [case for case in cases if case.kind == kind]
    states = Counter(CaseState(case.state) for case in own)
    overdue = sum(
        case.state == CaseState.open and case.report_due_at is not None and now > case.report_due_at
        for case in own
    )
    return CaseCount(
        kind=kind, label=CASE_LABELS[kind], total=len(own), open=states[CaseState.open],
        reported=states[CaseState.reported], closed=states[CaseState.closed], overdue=overdue,
    )  # fmt: skip
