"""The return register (文件清退登记, RULES R3.7), one row per copy that left the store, and the
return list (清退目录, R3.6), one line per document to hand back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField

from services.documents.copies.models import CopyCounts, CopyStatus

STATUS_NAMES = {
    CopyStatus.in_stock: "未发放",
    CopyStatus.issued: "已发放",
    CopyStatus.returned: "已清退",
    CopyStatus.retained: "经批准留存",
    CopyStatus.missing: "缺失",
}


class RegisterRow(BaseModel):
    document_id: str
    title: str = PydanticField(description="a top-secret title shows only to top-secret clearance")
    reference: str | None = PydanticField(description="文号")
    marking: str = PydanticField(description="密级★期限 as printed: 机密★20年")
    copy_no: str = PydanticField(description="份号, six digits")
    attendee_id: str | None
    holder: str | None = PydanticField(description="who it was issued to")
    organization: str | None = PydanticField(description="the holder's unit")
    issued_at: datetime | None
    issued_by: str | None
    status: str = PydanticField(description="已发放, 已清退, 经批准留存 or 缺失")
    state: CopyStatus = PydanticField(description="the same, as a code")
    returned_at: datetime | None
    returned_by: str | None
    received_by: str | None
    complete: bool | None = PydanticField(description="pages and attachments all there when returned")
    approval_reference: str | None = PydanticField(description="the approval to keep it (留存)")
    remarks: str | None = PydanticField(description="remarks; for a missing copy, how it was discovered")


@dataclass(frozen=True)
class ReturnListEntry:
    """A document everyone hands back, and how many copies of it were issued."""

    title: str
    reference: str | None
    marking: str
    issued: int


class MeetingCounts(BaseModel):
    """The meeting's documents and what became of their copies, at a glance."""

    documents: int = PydanticField(description="documents registered")
    copies: CopyCounts = PydanticField(description="over every document of the meeting")
