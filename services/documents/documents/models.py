"""The register of meeting documents (文件登记): what each is, how secret, who reviewed it, and
every version of its PDF."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import LargeBinary, String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import Classification
from services.documents.database import Table
from services.documents.documents.marking import MAX_PERIOD_MONTHS

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class DocumentCategory(StrEnum):
    speech = "speech"  # 讲话
    report = "report"  # 报告
    special_report = "special_report"  # 专题报告
    model_material = "model_material"  # 典型材料
    bulletin = "bulletin"  # 简报
    press_release = "press_release"  # 新闻通稿
    other = "other"


class Urgency(StrEnum):
    normal = "normal"
    urgent = "urgent"  # 加急
    extra_urgent = "extra_urgent"  # 特急


class DocumentStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"  # 初审
    approved = "approved"
    released = "released"


class Document(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    title: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=100)  # 文号
    category: DocumentCategory = Field(sa_type=String(20))
    classification: Classification = Field(sa_type=String(20))
    secrecy_months: int | None = None  # None: unclassified
    urgency: Urgency = Field(default=Urgency.normal, sa_type=String(20))
    embargo_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    session_id: str | None = Field(default=None, index=True, max_length=36)
    deliver_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the session's start
    print_run: int
    status: DocumentStatus = Field(default=DocumentStatus.draft, sa_type=String(20))
    file_version: int = 0
    version: int = 1
    registered_by: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentFile(Table, table=True):
    """One uploaded version of a document's PDF; every version is kept."""

    __tablename__ = "document_file"

    document_id: str = Field(foreign_key="document.id", primary_key=True, max_length=36)
    version: int = Field(primary_key=True)
    sha256: str = Field(max_length=64)
    size: int
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_by: str = Field(max_length=50)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReviewAction(StrEnum):
    submit = "submit"  # draft → in review
    approve = "approve"  # in review → approved
    send_back = "send_back"  # in review or approved → draft, with the reviewer's comments
    release = "release"  # approved → released


class ReviewEntry(Table, table=True):
    """The review trail: who moved the document, from what to what, and why."""

    __tablename__ = "review_entry"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    document_id: str = Field(foreign_key="document.id", index=True, max_length=36)
    action: ReviewAction = Field(sa_type=String(20))
    before: DocumentStatus = Field(sa_type=String(20))
    after: DocumentStatus = Field(sa_type=String(20))
    by: str = Field(max_length=50)
    comment: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        PydanticField(default=None, description="文号")
    )
    category: DocumentCategory
    classification: Classification = Classification.none
    secrecy_years: int | None = PydanticField(default=None, ge=1, le=30, description="保密期限 in years")
    secrecy_months: int | None = PydanticField(default=None, ge=1, le=11, description="under a year: months")
    urgency: Urgency = Urgency.normal
    embargo_until: AwareDatetime | None = PydanticField(default=None, description="not released before")
    session_id: str | None = PydanticField(default=None, max_length=36, description="the session it is for")
    print_run: int = PydanticField(ge=1, le=99999, description="印制份数: copies 000001 … print_run")
    registered_by: Name

    @model_validator(mode="after")
    def _period_fits_level(self) -> DocumentCreate:
        if self.secrecy_years is not None and self.secrecy_months is not None:
            raise PydanticCustomError("one_period", "give the secrecy period in years or in months, not both")
        given = self.secrecy_months or (self.secrecy_years or 0) * 12
        if self.classification == Classification.none:
            if given:
                raise PydanticCustomError(
                    "period_without_level", "an unclassified document has no secrecy period"
                )
        elif given > MAX_PERIOD_MONTHS[self.classification]:
            raise PydanticCustomError(
                "period_too_long", "a {level} document is kept secret for {most} years at most",
                {"level": self.classification.value, "most": MAX_PERIOD_MONTHS[self.classification] // 12},
            )  # fmt: skip
        return self

    def period_months(self) -> int | None:
        if self.classification == Classification.none:
            return None
        return self.secrecy_months or (self.secrecy_years * 12 if self.secrecy_years else None)


class ReviewStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ReviewAction
    by: Name
    comment: Comment | None = PydanticField(default=None, description="required when sending back")


class DocumentPublic(BaseModel):
    id: str
    meeting_id: str
    title: str = PydanticField(description="a top-secret title shows only to top-secret clearance")
    reference: str | None
    category: DocumentCategory
    classification: Classification
    marking: str = PydanticField(description="as printed: 机密★20年")
    urgency: Urgency
    embargo_until: datetime | None
    session_id: str | None
    deliver_at: datetime | None
    print_run: int
    status: DocumentStatus
    file_version: int
    file_sha256: str | None
    version: int
    created_at: datetime
