"""What the supervision office sets per meeting: how tasks are numbered, and when a task's chase
note turns blue, yellow and red (三色督办, RULES R4.7: the office's own habit, so configurable)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlmodel import Field

from huiwu.db import UTCDateTime
from services.supervision.database import Table
from services.supervision.tasks.numbering import DEFAULT_FORMAT, checked_format

MAX_HOURS = 24 * 90
NumberFormat = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(checked_format)
]


class SupervisionSettings(Table, table=True):
    """A meeting's settings; version 0 is the defaults, never changed by anyone."""

    __tablename__ = "supervision_settings"

    meeting_id: str = Field(primary_key=True, max_length=36)
    number_format: str = Field(default=DEFAULT_FORMAT, max_length=50)
    blue_hours_left: int = 48
    yellow_hours_left: int = 24
    yellow_after_blue_hours: int = 24
    red_hours_overdue: int = 0
    version: int = 0
    updated_by: str | None = Field(default=None, max_length=100)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Escalation(BaseModel):
    """蓝 near the deadline, 黄 nearer or a blue note unanswered, 红 overdue."""

    model_config = ConfigDict(extra="forbid")

    blue_hours_left: int = PydanticField(
        default=48, ge=1, le=MAX_HOURS, description="蓝: hours left or fewer"
    )
    yellow_hours_left: int = PydanticField(
        default=24, ge=0, le=MAX_HOURS, description="黄: hours left or fewer (no more than blue's)"
    )
    yellow_after_blue_hours: int = PydanticField(
        default=24, ge=1, le=MAX_HOURS, description="黄 also: a blue reminder unanswered this many hours"
    )
    red_hours_overdue: int = PydanticField(
        default=0, ge=0, le=MAX_HOURS, description="红: hours past the deadline (0: as soon as overdue)"
    )

    @model_validator(mode="after")
    def _yellow_after_blue(self) -> Escalation:
        if self.yellow_hours_left > self.blue_hours_left:
            raise PydanticCustomError(
                "yellow_after_blue", "yellow comes after blue: yellow_hours_left ≤ blue_hours_left"
            )
        return self


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number_format: NumberFormat = PydanticField(
        default=DEFAULT_FORMAT, description="{year} and {n} (e.g. {n:03d}) in the office's wording"
    )
    escalation: Escalation = PydanticField(default_factory=Escalation)


class SettingsPublic(SettingsUpdate):
    meeting_id: str
    next_number: str = PydanticField(description="the number a task registered now would get")
    version: int
    updated_by: str | None
    updated_at: datetime | None
