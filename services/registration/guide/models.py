"""The guide as plain data: every text already worded as printed, so the PDF and the HTML page
say exactly the same thing and neither touches the database."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AgendaItem:
    time: str  # e.g. 09:00—11:30, Beijing time
    title: str
    room: str
    presiding: str  # 主持人's name, or 待定
    attending: str  # 全体人员, 出席人员, a group's name or 指定人员


@dataclass(frozen=True)
class AgendaDay:
    day: str  # e.g. 1月12日（星期二）
    items: tuple[AgendaItem, ...]


@dataclass(frozen=True)
class GroupEntry:
    name: str
    convenor: str  # 召集人's name, or 待定
    room: str  # or 另行通知
    members: tuple[str, ...]  # names, in protocol order


@dataclass(frozen=True)
class RosterPerson:
    name: str
    organization: str
    title: str


@dataclass(frozen=True)
class RosterPart:
    """The people of one category (出席, 列席, 来宾, 工作人员), in protocol order."""

    category: str
    people: tuple[RosterPerson, ...]


@dataclass(frozen=True)
class LodgingEntry:
    hotel: str
    room: str
    name: str
    nights: str  # e.g. 1月11日至14日


@dataclass(frozen=True)
class Guide:
    meeting_name: str
    dates: str  # e.g. 2027年1月12日至14日
    agenda: tuple[AgendaDay, ...]
    groups: tuple[GroupEntry, ...]
    roster_note: str  # e.g. （按姓氏笔画为序）
    roster: tuple[RosterPart, ...]
    lodging: tuple[LodgingEntry, ...]
    notes: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.meeting_name}会议指南"
