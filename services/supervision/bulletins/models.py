"""Meeting bulletins (会议简报, RULES R5.1–R5.2): masthead, body and foot; a draft until issued, when
it takes the meeting's next number (第N期) and never changes again."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import BulletinWriteUp, Classification
from services.supervision.database import Table

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
BulletinName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Headline = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
Recipient = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Recipients = Annotated[list[Recipient], PydanticField(max_length=50)]

DEFAULT_UNIT = "大会秘书处"
NAME_SUFFIX = "简报"
# Unless a period is marked, 绝密 30 years, 机密 20, 秘密 10 (保密法, RULES R3.2).
DEFAULT_SECRECY_YEARS = {
    Classification.secret: 10,
    Classification.confidential: 20,
    Classification.top_secret: 30,
}
LEVEL_NAMES = {
    Classification.secret: "秘密",
    Classification.confidential: "机密",
    Classification.top_secret: "绝密",
}


class BulletinStatus(StrEnum):
    draft = "draft"
    issued = "issued"  # 已印发: numbered, never changed again


class Bulletin(Table, table=True):
    # No two issues of a meeting share a number, whatever happens in the code above the database.
    __table_args__ = (UniqueConstraint("meeting_id", "issue_number", name="uq_bulletin_issue_number"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    status: BulletinStatus = Field(default=BulletinStatus.draft, sa_type=String(10))
    issue_number: int | None = None  # 第N期, given at issue
    name: str | None = Field(default=None, max_length=100)  # None: the meeting's name + 简报 (fixed at issue)
    unit: str = Field(max_length=50)  # 编印单位
    headline: str = Field(max_length=200)
    write_up: BulletinWriteUp = Field(sa_type=String(20))
    sections: list[dict[str, Any]] = Field(sa_type=JSON)  # SectionPublic: the opinions copied in
    recipients: dict[str, list[str]] = Field(sa_type=JSON)  # RecipientsIn
    print_count: int  # 印发份数
    classification: Classification = Field(sa_type=String(20))
    secrecy_years: int | None = None  # None: unclassified
    drafted_by: str = Field(max_length=50)
    issued_by: str | None = Field(default=None, max_length=50)
    issued_on: date | None = None  # 印发日期, in Beijing
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class IssuedFile(Table, table=True):
    """The PDF as issued, kept so that every later download is that very file (and the one the
    documents room registered, for a classified bulletin)."""

    __tablename__ = "bulletin_file"

    bulletin_id: str = Field(foreign_key="bulletin.id", primary_key=True, max_length=36)
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)


class RecipientsIn(BaseModel):
    """The foot (报尾): units or people, as printed."""

    model_config = ConfigDict(extra="forbid")

    report_to: Recipients = PydanticField(default_factory=list, description="报: superiors")
    send_to: Recipients = PydanticField(default_factory=list, description="送: peers")
    issue_to: Recipients = PydanticField(default_factory=list, description="发: subordinates")
    extra_to: Recipients = PydanticField(default_factory=list, description="增发: extra recipients")


class OpinionItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["opinion"]
    opinion_id: Reference


class ParagraphItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["paragraph"]
    text: Paragraph


Item = Annotated[OpinionItem | ParagraphItem, PydanticField(discriminator="kind")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: Headline | None = PydanticField(default=None, description="e.g. 一、关于工作报告")
    items: list[Item] = PydanticField(min_length=1, max_length=100, description="printed in this order")


class BulletinDraft(BaseModel):
    """A bulletin's whole draft: created with it, replaced with it while it is a draft."""

    model_config = ConfigDict(extra="forbid")

    name: BulletinName | None = PydanticField(default=None, description="default: the meeting's name + 简报")
    unit: Name = PydanticField(default=DEFAULT_UNIT, description="编印单位")
    headline: Headline
    write_up: BulletinWriteUp = PydanticField(
        default=BulletinWriteUp.overview, description="综述, 重点报道 or 摘要: how it is filed, not printed"
    )
    sections: list[Section] = PydanticField(min_length=1, max_length=50)
    recipients: RecipientsIn = PydanticField(default_factory=RecipientsIn)
    print_count: int = PydanticField(ge=1, le=99999, description="印发份数")
    classification: Classification = Classification.none
    secrecy_years: int | None = PydanticField(default=None, ge=1, le=30, description="保密期限 in years")
    drafted_by: Name

    @model_validator(mode="after")
    def _period_fits_level(self) -> BulletinDraft:
        if self.classification == Classification.none:
            if self.secrecy_years is not None:
                raise PydanticCustomError(
                    "period_without_level", "an unclassified bulletin has no secrecy period"
                )
        elif (self.secrecy_years or 0) > DEFAULT_SECRECY_YEARS[self.classification]:
            raise PydanticCustomError(
                "period_too_long", "a {level} bulletin is kept secret for {most} years at most",
                {"level": self.classification.value, "most": DEFAULT_SECRECY_YEARS[self.classification]},
            )  # fmt: skip
        return self


class BulletinIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issued_by: Name = PydanticField(description="who signs it off for printing")


class OpinionPrinted(BaseModel):
    """An opinion as the bulletin prints it: copied in when chosen, as opinions never change."""

    kind: Literal["opinion"]
    opinion_id: str
    speaker: str
    post: str
    group_name: str
    text: str


class SectionPublic(BaseModel):
    heading: str | None
    items: list[Annotated[OpinionPrinted | ParagraphItem, PydanticField(discriminator="kind")]]


class BulletinPublic(BaseModel):
    id: str
    meeting_id: str
    status: BulletinStatus
    issue_number: int | None = PydanticField(description="第N期; given at issue")
    name: str = PydanticField(description="报头: the meeting's name + 简报 unless named otherwise")
    unit: str
    headline: str
    write_up: BulletinWriteUp
    sections: list[SectionPublic]
    recipients: RecipientsIn
    print_count: int
    classification: Classification
    marking: str = PydanticField(description="as printed top left: 机密★20年; empty if unclassified")
    drafted_by: str
    issued_by: str | None
    issued_on: date | None
    issued_at: datetime | None
    file_sha256: str | None = PydanticField(description="of the PDF as issued")
    version: int
    created_at: datetime


class BulletinSummary(BaseModel):
    """A bulletin in a list: a top-secret headline shows only to top-secret clearance."""

    id: str
    status: BulletinStatus
    issue_number: int | None
    name: str
    headline: str
    classification: Classification
    issued_on: date | None
    created_at: datetime
