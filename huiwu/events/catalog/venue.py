"""Events produced by venue (会场与座次): the agenda and the seating plans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from huiwu.events.contract import EventContract


class SessionKind(StrEnum):
    plenary = "plenary"  # 全体会议
    group = "group"  # 分组讨论
    adhoc = "adhoc"  # 临时会议


class SessionStatus(StrEnum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class ExpectedKind(StrEnum):
    everyone = "everyone"  # every registered attendee but the staff
    members = "members"  # 出席 only
    group = "group"  # one discussion group
    people = "people"  # a list of attendees


class Expected(BaseModel):
    """Who is expected at a session (应到)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ExpectedKind
    group_id: str | None = Field(default=None, description="kind=group: the group")
    attendee_ids: list[str] = Field(default_factory=list, description="kind=people: who")

    @model_validator(mode="after")
    def _fits_kind(self) -> Expected:
        if self.kind == ExpectedKind.group and not self.group_id:
            raise PydanticCustomError("group_id_required", "kind=group needs group_id")
        if self.kind == ExpectedKind.people and not self.attendee_ids:
            raise PydanticCustomError("attendee_ids_required", "kind=people needs attendee_ids")
        if self.kind != ExpectedKind.people and self.attendee_ids:
            raise PydanticCustomError("attendee_ids_unexpected", "attendee_ids go with kind=people only")
        return self


class SessionState(BaseModel):
    """A session of the agenda as of one version, as every agenda event carries it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    session_id: str
    version: int = Field(ge=1)
    title: str
    kind: SessionKind
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    room_id: str
    room_name: str = Field(description="as printed on notices, e.g. 一号楼三层第一会议室")
    presiding_officer_id: str | None = Field(default=None, description="主持人")
    speaker_ids: list[str] = Field(default_factory=list)
    expected: Expected


class AgendaChangeKind(StrEnum):
    scheduled = "scheduled"  # a session was added (ad-hoc ones too)
    changed = "changed"  # time, room, presiding officer, expected people…
    room_switched = "room_switched"  # moved to a backup room (预案)
    cancelled = "cancelled"


class AgendaChanged(EventContract):
    """A session was added, changed, moved to a backup room or cancelled. ``affected`` names every
    attendee expected before or after, so registration can tell exactly them."""

    producer = "venue"
    aggregate = "agenda"
    event_name = "changed"

    meeting_id: str
    session_id: str
    change: AgendaChangeKind
    changed: list[str] = Field(description="the fields that differ between before and after")
    before: SessionState | None = Field(description="None when the session is new")
    after: SessionState
    affected: list[str] = Field(description="attendee ids expected before or after the change")
    reason: str | None = Field(default=None, description="why, when given (a cancellation, a room switch)")


class SeatArea(StrEnum):
    podium = "podium"  # 主席台
    hall = "hall"  # 会场 (群众席)


class SeatRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    area: SeatArea
    row: int = Field(ge=1, description="1 = the front row")
    column: int = Field(ge=1, description="1 = the far left as seen from the hall (A-view)")
    label: str = Field(description="as printed, e.g. 主席台第一排3号 or 5排12座")


class SeatMove(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    attendee_id: str
    name: str
    before: SeatRef | None = Field(description="None: newly seated")
    after: SeatRef | None = Field(description="None: no longer seated")


class SeatingChanged(EventContract):
    """A session's seating plan was re-planned; ``moved`` lists only the people whose seat changed."""

    producer = "venue"
    aggregate = "seating"
    event_name = "changed"

    meeting_id: str
    session_id: str
    plan_version: int = Field(ge=1)
    reason: str = Field(description="what caused the re-plan, e.g. substitution or room_switched")
    moved: list[SeatMove]
