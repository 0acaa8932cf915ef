"""How a chase note words its requirement (R4.7: each note restates the requirement, "直至办结销号"),
and how times print: in Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta

from huiwu.chinese import CHINA_TIME
from huiwu.events.catalog import ReminderReason, ReportFrequency
from services.supervision.reminders.colours import Call
from services.supervision.tasks.models import Task

FREQUENCY = {ReportFrequency.daily: "每日", ReportFrequency.weekly: "每周", ReportFrequency.monthly: "每月"}
UNTIL_CLOSED = "直至办结销号。"


def beijing_time(moment: datetime) -> str:
    """2027年1月12日17:00 (Beijing time)."""
    local = moment.astimezone(CHINA_TIME)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def span(delta: timedelta) -> str:
    """3天2小时, 5小时, 不足1小时: whole hours, rounded down."""
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return "不足1小时"
    days, hours = divmod(hours, 24)
    return (f"{days}天" if days else "") + (f"{hours}小时" if hours else "")


def restated(task: Task, call: Call, now: datetime) -> str:
    """A note the scheduler sends: the task, then what its colour asks for."""
    return f"{_task_line(task)}{_asked(task, call, now)}{UNTIL_CLOSED}"


def restated_by_hand(task: Task, note: str, time_limit: datetime | None) -> str:
    limit = f"请于{beijing_time(time_limit)}前反馈办理情况，" if time_limit else ""
    return f"{_task_line(task)}督办要求：{note.rstrip('。')}。{limit}{UNTIL_CLOSED}"


def _task_line(task: Task) -> str:
    return (
        f"{task.number}：{task.content.rstrip('。')}。牵头单位：{task.lead_department}；"
        f"责任人：{task.responsible_person}；办理时限：{beijing_time(task.deadline)}。"
    )


def _asked(task: Task, call: Call, now: datetime) -> str:
    left = task.deadline - now
    if left < timedelta(0):  # red, or yellow still, where the office allows some hours past
        return f"该事项已逾期{span(-left)}，请立即办理并说明逾期原因，"
    match call.reason:
        case ReminderReason.unanswered:
            return "蓝色督办单发出后仍未见办理进展，请抓紧办理并报送进展情况，"
        case ReminderReason.slow:
            every = FREQUENCY[ReportFrequency(task.report_frequency)]  # only these can be slow
            return f"超过反馈周期（{every}）未报送办理进展，请即报送进展情况，"
        case _:
            return f"距办理时限还剩{span(left)}，请抓紧办理，按时办结并反馈，"
