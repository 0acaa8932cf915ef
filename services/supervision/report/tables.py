"""The report laid out once for print, PDF and spreadsheet alike: four sections, each a heading,
its paragraphs and a table (counts stay numbers, percentages stay percentages)."""

from __future__ import annotations

from dataclasses import dataclass

from services.supervision.reminders.wording import beijing_time
from services.supervision.report.models import DepartmentCount, LeadersReport, OverdueItem


@dataclass(frozen=True)
class Percent:
    value: int

    def __str__(self) -> str:
        return f"{self.value}%"


Cell = str | int | Percent

STATES = ("办理状态", "件数", "占比")
DEPARTMENTS = ("序号", "牵头单位", "事项数", "占全部", "已办结", "办结占比", "正在办理", "办理占比", "逾期")
OVERDUE = ("牵头单位", "编号", "事项内容", "办理时限", "逾期天数", "责任人")
CASES = ("类别", "总数", "待报告/跟踪中", "已报告", "已结案", "逾期未报告")


@dataclass(frozen=True)
class Section:
    heading: str
    sheet: str  # the spreadsheet's tab
    paragraphs: tuple[str, ...]
    columns: tuple[str, ...]
    lines: tuple[tuple[Cell, ...], ...]


def sections(report: LeadersReport) -> tuple[Section, ...]:
    return (_overall(report), _departments(report), _overdue(report), _cases(report))


def _overall(report: LeadersReport) -> Section:
    lights = "、".join(f"{line.label}{line.count}件" for line in report.by_colour)
    lines = [(line.label, line.count, Percent(line.percent)) for line in report.by_state]
    total = ("合计", report.total, Percent(100 if report.total else 0))
    return Section(
        heading="一、总体情况",
        sheet="总体情况",
        paragraphs=(report.summary, f"正在办理的事项中，{lights}。"),
        columns=STATES,
        lines=(*lines, total),
    )


def _departments(report: LeadersReport) -> Section:
    lines = tuple(_department(number, line) for number, line in enumerate(report.by_department, start=1))
    return Section("二、各牵头单位办理情况", "各牵头单位", (), DEPARTMENTS, lines)


def _department(number: int, line: DepartmentCount) -> tuple[Cell, ...]:
    return (
        number, line.department, line.tasks, Percent(line.percent), line.closed.count,
        Percent(line.closed.percent), line.handling.count, Percent(line.handling.percent), line.overdue,
    )  # fmt: skip


def _overdue(report: LeadersReport) -> Section:
    lines = tuple(_late(late.department, item) for late in report.overdue for item in late.items)
    return Section("三、逾期未办结事项", "逾期事项", (f"{report.lagging}。",), OVERDUE, lines)


def _late(department: str, item: OverdueItem) -> tuple[Cell, ...]:
    return (
        department, item.number, item.content, beijing_time(item.deadline), item.days_overdue,
        item.responsible_person,
    )  # fmt: skip


def _cases(report: LeadersReport) -> Section:
    lines = tuple(
        (line.label, line.total, line.open, line.reported, line.closed, line.overdue) for line in report.cases
    )
    return Section("四、督查案件", "督查案件", (), CASES, lines)
