"""A meeting as venue knows it (from registration's events) and the protocol choices the office
makes for it (RULES §1: the even-number variant, the hall layout, the delegations' order)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.chinese import NameOrderMode
from services.venue.database import Table
from services.venue.seating.hall import HallLayout
from services.venue.seating.podium import CentreAxis, EvenVariant, PresidingPlacement


class KnownMeeting(Table, table=True):
    """A meeting registration scheduled: its dates and the single-name mode of stroke order."""

    __tablename__ = "known_meeting"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    name_order: NameOrderMode = Field(default=NameOrderMode.surname, sa_type=String(20))
    version: int


class DelegationOrder(StrEnum):
    strokes = "strokes"  # 按笔画 (the default for lists of units)
    pinyin = "pinyin"  # 按拼音
    listed = "listed"  # the office's customary order, given as a list


class HallBlocks(StrEnum):
    delegation = "delegation"  # 代表团/单位
    group = "group"  # 编组


class ProtocolSettings(Table, table=True):
    __tablename__ = "protocol_settings"

    meeting_id: str = Field(primary_key=True, max_length=36)
    even_variant: EvenVariant = Field(default=EvenVariant.L, sa_type=String(10))
    centre_axis: CentreAxis = Field(default=CentreAxis.between, sa_type=String(20))
    presiding_placement: PresidingPlacement = Field(default=PresidingPlacement.rank, sa_type=String(20))
    hall_layout: HallLayout = Field(default=HallLayout.horizontal, sa_type=String(20))
    hall_blocks: HallBlocks = Field(default=HallBlocks.delegation, sa_type=String(20))
    delegation_order: DelegationOrder = Field(default=DelegationOrder.strokes, sa_type=String(20))
    delegations: list[str] = Field(default_factory=list, sa_type=JSON)
    version: int = 1


Delegation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ProtocolUpdate(BaseModel):
    """The protocol choices of a meeting; every seating plan of the meeting is re-planned."""

    model_config = ConfigDict(extra="forbid")

    even_variant: EvenVariant = PydanticField(
        default=EvenVariant.L, description="even rows: L = 2号 at 1号's left (default), R = at his right"
    )
    centre_axis: CentreAxis = PydanticField(
        default=CentreAxis.between, description="even rows: between 1号 and 2号, or on_first (双数单摆)"
    )
    presiding_placement: PresidingPlacement = PydanticField(
        default=PresidingPlacement.rank, description="主持人: at own rank, front-row centre or an end"
    )
    hall_layout: HallLayout = PydanticField(
        default=HallLayout.horizontal, description="横排, 竖排 or 左右排列"
    )
    hall_blocks: HallBlocks = PydanticField(default=HallBlocks.delegation, description="blocks in the hall")
    delegation_order: DelegationOrder = DelegationOrder.strokes
    delegations: list[Delegation] = PydanticField(
        default_factory=list, max_length=500, description="delegation_order=listed: the order, first first"
    )

    @model_validator(mode="after")
    def _listed_needs_a_list(self) -> ProtocolUpdate:
        if self.delegation_order is DelegationOrder.listed and not self.delegations:
            raise PydanticCustomError(
                "delegations_required", "delegation_order=listed needs the delegations in their order"
            )
        if len(set(self.delegations)) != len(self.delegations):
            raise PydanticCustomError("delegations_repeated", "a delegation is listed twice")
        return self


class ProtocolPublic(ProtocolUpdate):
    meeting_id: str
    version: int

    @classmethod
    def of(cls, settings: ProtocolSettings) -> ProtocolPublic:
        values: dict[str, Any] = settings.model_dump()
        return cls.model_validate(values)


class KnownGroup(Table, table=True):
    """A discussion group (编组) registration formed: its place in the list orders the hall's blocks."""

    __tablename__ = "known_group"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    name: str = Field(max_length=100)
    position: int
    version: int
