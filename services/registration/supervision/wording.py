"""How supervision's notes and reports read on a notice: Chinese, times in Beijing time."""

from __future__ import annotations

from datetime import datetime

from huiwu.chinese import CHINA_TIME
from huiwu.events.catalog import SituationReportSent, TaskColour, TaskReminded

# A chase note is never green (the contract says so): a green one fails here and is parked.
COLOURS = {TaskColour.blue: "蓝色", TaskColour.yellow: "黄色", TaskColour.red: "红色"}
EXCERPT = 30  # characters of the task's content: enough to recognise it on a phone screen


def task_reminder(name: str, note: TaskReminded) -> str:
    """The note's colour, the task and its deadline at a glance, then the requirement as the
    note prints it (which restates the task in full and any time limit set by hand)."""
    return (
        f"{name}同志：督办提醒（{COLOURS[note.colour]}）。您作为责任人的督办事项{note.number}"
        f"“{excerpt(note.content)}”，办理时限{beijing_time(note.deadline)}（北京时间）。"
        f"督办要求：{note.requirement}"
    )


def situation_report(name: str, report: SituationReportSent) -> str:
    return (
        f"{name}同志：{report.sent_by}于{beijing_time(report.sent_at)}（北京时间）向您报送"
        f"情况反映《{report.title}》：{report.text}"
    )


def excerpt(text: str) -> str:
    text = text.rstrip("。")
    return text if len(text) <= EXCERPT else f"{text[:EXCERPT]}……"


def beijing_time(moment: datetime) -> str:
    """2027年1月12日17:00."""
    local = moment.astimezone(CHINA_TIME)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"
