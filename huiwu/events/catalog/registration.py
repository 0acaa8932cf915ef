"""Events produced by registration (报名注册): meetings and their attendees."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from huiwu.events.contract import EventContract


class AttendeeCategory(StrEnum):
    """The four kinds of people at a meeting, in protocol order (RULES R2.6)."""

    member = "member"  # 出席
    observer = "observer"  # 列席
    guest = "guest"  # 来宾
    staff = "staff"  # 工作人员


class Gender(StrEnum):
    male = "male"
    female = "female"


class MeetingScheduled(EventContract):
    """A meeting was created (立会), in status ``draft``."""

    producer = "registration"
    aggregate = "meeting"
    event_name = "scheduled"

    meeting_id: str
    name: str = Field(description="The meeting's name, e.g. 中共××省纪委第×次全体会议")
    starts_on: date
    ends_on: date
    status: str


class MeetingUpdated(EventContract):
    """A meeting's details changed (name, dates, name order, quorum rule); ``changed`` lists which."""

    producer = "registration"
    aggregate = "meeting"
    event_name = "updated"

    meeting_id: str
    version: int = Field(ge=1)
    name: str
    starts_on: date
    ends_on: date
    name_order: str = Field(description="surname (按姓氏笔画) or full_name (按姓名笔画)")
    changed: list[str]


class MeetingStatusChanged(EventContract):
    """A meeting moved one step in its lifecycle: draft → notified → in_session → closed."""

    producer = "registration"
    aggregate = "meeting"
    event_name = "status_changed"

    meeting_id: str
    version: int = Field(ge=1)
    previous: str
    status: str


class AttendeeStatus(StrEnum):
    registered = "registered"  # on the roster
    substituted = "substituted"  # replaced by another person (替换)
    withdrawn = "withdrawn"  # no longer attending


class AttendeeState(BaseModel):
    """A person on a roster as of one version: what every attendee event carries in full, so a
    projection can apply any of them in any order (it keeps the highest version)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    attendee_id: str
    version: int = Field(ge=1, description="The attendee's version; projections keep the highest.")
    name: str = Field(description="姓名, as printed")
    organization: str = Field(description="单位")
    title: str = Field(description="职务")
    category: AttendeeCategory
    gender: Gender | None = None
    rank: int | None = Field(default=None, description="Protocol order supplied by the office")
    delegation: str | None = Field(default=None, description="代表团/单位, for grouping")
    group_id: str | None = Field(default=None, description="the discussion group (编组) they sit in")
    status: AttendeeStatus = AttendeeStatus.registered


class AttendeeRegistered(AttendeeState, EventContract):
    """A person was put on a meeting's roster."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "registered"

    meeting_id: str


class AttendeeUpdated(AttendeeState, EventContract):
    """A person's details changed (a new title, another organization, a corrected name…)."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "updated"

    meeting_id: str
    changed: list[str]


class AttendeeWithdrawn(AttendeeState, EventContract):
    """A person no longer attends; their badge is revoked."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "withdrawn"

    meeting_id: str
    reason: str


class AttendeeSubstituted(EventContract):
    """Another person takes a place on the roster (替换): the original is marked substituted and
    their badge revoked; the substitute takes over their category, rank and delegation."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "substituted"

    meeting_id: str
    original: AttendeeState
    substitute: AttendeeState


class GroupState(BaseModel):
    """A discussion group as of one version, as every group event carries it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    group_id: str
    version: int = Field(ge=1)
    name: str
    position: int = Field(description="the group's place in the list: 第一组 is 1")
    convenor_id: str | None = Field(default=None, description="召集人")
    room: str | None = None


class GroupFormed(GroupState, EventContract):
    """A discussion group (编组) was formed, with its convenor (召集人) and room."""

    producer = "registration"
    aggregate = "group"
    event_name = "formed"

    meeting_id: str


class GroupUpdated(GroupState, EventContract):
    """A group's name, convenor or room changed; ``changed`` lists which."""

    producer = "registration"
    aggregate = "group"
    event_name = "updated"

    meeting_id: str
    changed: list[str]


class AttendeeCheckedIn(EventContract):
    """A person signed in (签到) for the first time, for the meeting or for one of its sessions."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "checked_in"

    meeting_id: str
    attendee_id: str
    session_id: str | None = Field(description="None: signed in to the meeting itself")
    checked_in_at: datetime
    method: str = Field(description="badge (a scan) or roster (ticked by staff)")
    gate: str | None = None


class ScanRefused(EventContract):
    """A badge was turned away at a door (forged, revoked, another meeting's…): supervision sees
    every one of them."""

    producer = "registration"
    aggregate = "checkin"
    event_name = "refused"

    meeting_id: str
    scan_id: str
    reason: str = Field(description="forged, revoked, other_meeting or unknown_attendee")
    detail: str
    gate: str | None = None
    at: datetime


class LeaveKind(StrEnum):
    sick = "sick"  # 病假
    personal = "personal"  # 事假
    official = "official"  # 公假


class AttendeeLeaveGranted(EventContract):
    """Leave of absence (请假) was granted, for the whole meeting or for given sessions."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "leave_granted"

    meeting_id: str
    attendee_id: str
    leave_id: str
    kind: LeaveKind
    reason: str
    approver: str
    session_ids: list[str] = Field(description="empty: the whole meeting")


class AttendeeBadgeRevoked(EventContract):
    """A person's badge was revoked; scans of it are refused from now on."""

    producer = "registration"
    aggregate = "attendee"
    event_name = "badge_revoked"

    meeting_id: str
    attendee_id: str
    badge_version: int = Field(description="the version now valid; every older badge is revoked")


class RequestKind(StrEnum):
    opinion = "opinion"  # 意见和要求
    errand = "errand"  # 临时交办的事项


class RequestStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"


class RequestOpened(EventContract):
    """A delegate's opinion or request, or an errand, was recorded for the staff to handle."""

    producer = "registration"
    aggregate = "request"
    event_name = "opened"

    meeting_id: str
    request_id: str
    version: int = Field(ge=1)
    kind: RequestKind
    text: str
    attendee_id: str | None = None
    assigned_to: str | None = None
    due_at: datetime | None = Field(default=None, description="supervision follows up once it passes")


class RequestProgressed(EventContract):
    """A request changed hands, deadline or status (open → in_progress → done)."""

    producer = "registration"
    aggregate = "request"
    event_name = "progressed"

    meeting_id: str
    request_id: str
    version: int = Field(ge=1)
    status: RequestStatus
    previous_status: RequestStatus
    assigned_to: str | None = None
    due_at: datetime | None = None
    resolution: str | None = None
    changed: list[str]


class RosterFrozen(EventContract):
    """The roster was frozen (lodging and printing are booked): changes now need approval."""

    producer = "registration"
    aggregate = "roster"
    event_name = "frozen"

    meeting_id: str
    frozen_by: str
    frozen_at: datetime


class RosterUnfrozen(EventContract):
    """The roster is open for changes again."""

    producer = "registration"
    aggregate = "roster"
    event_name = "unfrozen"

    meeting_id: str
    unfrozen_by: str


class RosterChangeDecided(EventContract):
    """A change asked for on a frozen roster was approved (and applied) or rejected."""

    producer = "registration"
    aggregate = "roster"
    event_name = "change_decided"

    meeting_id: str
    change_id: str
    kind: str
    approved: bool
    decided_by: str
    attendee_id: str | None = Field(description="the attendee the change concerned, or created")


class DepartureRequested(EventContract):
    """A person asks to leave the meeting (离会); documents answers with a clearance."""

    producer = "registration"
    aggregate = "departure"
    event_name = "requested"

    meeting_id: str
    attendee_id: str
    request_id: str
    requested_at: datetime
