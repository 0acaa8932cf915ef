"""The report to leaders (督查督办情况报告, RULES R4.8): counts and percentages by state and by lead
department, the overdue items by department, the lights, and the cases, as of one moment."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField

from huiwu.events.catalog import CaseKind, TaskColour, TaskState

ROUNDING = (
    "percentages are whole numbers by the largest remainder method: each part's share is rounded "
    "down, then the parts with the largest remainders (the earlier part among equal ones) get one "
    "more each until they add up to 100; all are 0 when there is nothing to share"
)


class Share(BaseModel):
    count: int
    percent: int = PydanticField(description="of the whole it is part of; " + ROUNDING)


class StateCount(BaseModel):
    state: TaskState
    label: str = PydanticField(description="办理中, 已反馈（待审核）…")
    count: int
    percent: int = PydanticField(description="of all the meeting's tasks; the states add up to 100")


class ColourCount(BaseModel):
    colour: TaskColour
    label: str = PydanticField(description="绿灯, 蓝灯, 黄灯, 红灯")
    count: int = PydanticField(description="tasks not closed showing this light")


class DepartmentCount(BaseModel):
    department: str = PydanticField(description="the lead department (牵头单位)")
    tasks: int
    percent: int = PydanticField(description="its share of all tasks; the departments add up to 100")
    closed: Share = PydanticField(description="已办结, within the department")
    handling: Share = PydanticField(description="正在办理 (not closed), within the department")
    overdue: int


class OverdueItem(BaseModel):
    task_id: str
    number: str
    content: str
    deadline: datetime
    days_overdue: int = PydanticField(description="days past the deadline, a day begun counting as one")
    state: TaskState
    state_label: str
    responsible_person: str


class LaggingDepartment(BaseModel):
    department: str
    items: list[OverdueItem] = PydanticField(description="most overdue first")


class CaseCount(BaseModel):
    kind: CaseKind
    label: str = PydanticField(description="文件缺失 or 代表事项跟踪")
    total: int
    open: int = PydanticField(description="not yet reported (a missing copy) or still followed (a request)")
    reported: int
    closed: int
    overdue: int = PydanticField(description="the report deadline passed with no report filed")


class LeadersReport(BaseModel):
    meeting_id: str
    title: str = PydanticField(description="the meeting's name + 督查督办情况报告, when supervision knows it")
    as_of: datetime
    as_of_text: str = PydanticField(description="截至2027年1月12日17:30（北京时间）")
    total: int = PydanticField(description="确定事项: every task registered")
    closed: Share = PydanticField(description="已办结 (办结/销号)")
    handling: Share = PydanticField(description="正在办理: every task not closed, overdue ones included")
    headline: str = PydanticField(description="确定事项22件，已办结6件，占比27%；正在办理16件，占比73%")
    lagging: str = PydanticField(description="the lagging departments named, or 无逾期未办结事项")
    summary: str = PydanticField(description="the headline and the lagging departments, as printed")
    by_state: list[StateCount] = PydanticField(description="every state, in the order of the workflow")
    by_department: list[DepartmentCount] = PydanticField(description="in the order of their first task")
    by_colour: list[ColourCount]
    overdue: list[LaggingDepartment] = PydanticField(description="departments with overdue items, most first")
    cases: list[CaseCount]
