"""Situation reports (情况反映, BRIEF 3.3): what the office learns that the presiding officer and
the leaders must know at once, sent straight to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import ReportAddressee
from services.supervision.database import Table
from services.supervision.opinions.models import PersonIn

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text10k = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]


class SituationReport(Table, table=True):
    __tablename__ = "situation_report"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    title: str = Field(max_length=200)
    text: str = Field(sa_type=Text)
    source_opinion_ids: list[str] = Field(sa_type=JSON)
    addressees: list[dict[str, Any]] = Field(sa_type=JSON)  # ReportAddressee, the presiding officer first
    sent_by: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class SituationReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    text: Text10k
    source_opinion_ids: list[Reference] = PydanticField(
        default_factory=list, max_length=100, description="the recorded opinions it draws on"
    )
    presiding_officer: PersonIn = PydanticField(description="会议主持人")
    leaders: list[PersonIn] = PydanticField(
        default_factory=list, max_length=30, description="the leaders named"
    )
    sent_by: Name


class SituationReportPublic(BaseModel):
    id: str
    meeting_id: str
    title: str
    text: str
    source_opinion_ids: list[str]
    addressees: list[ReportAddressee]
    sent_by: str
    created_at: datetime = PydanticField(description="when it was sent")
