"""Events produced by documents (机要文件): copies issued and collected back, missing copies, and
its answer to a departure (the clearance)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from huiwu.events.contract import EventContract


class Classification(StrEnum):
    """密级 (RULES R3.2), lowest first; ``none`` is an unclassified document."""

    none = "none"
    secret = "secret"  # 秘密
    confidential = "confidential"  # 机密
    top_secret = "top_secret"  # 绝密


class CopyIssued(EventContract):
    """A numbered copy was handed to a person (分发登记)."""

    producer = "documents"
    aggregate = "copy"
    event_name = "issued"

    meeting_id: str
    document_id: str
    copy_no: str = Field(description="份号, six digits: 000001")
    classification: Classification
    attendee_id: str
    issued_at: datetime
    issued_by: str


class CopyCollected(EventContract):
    """A copy came back (清退)."""

    producer = "documents"
    aggregate = "copy"
    event_name = "collected"

    meeting_id: str
    document_id: str
    copy_no: str
    attendee_id: str
    returned_at: datetime
    returned_by: str
    received_by: str
    complete: bool = Field(description="pages and attachments all there, no notes or copies made")


class CopyRetained(EventContract):
    """A copy stays with its holder, with an approval (经批准留存/带回)."""

    producer = "documents"
    aggregate = "copy"
    event_name = "retained"

    meeting_id: str
    document_id: str
    copy_no: str
    attendee_id: str
    approval_reference: str


class CopyMissing(EventContract):
    """A copy is missing (缺失). For a classified copy the office must report within 24 hours
    (RULES R3.8): supervision opens a case with that deadline and the report's fields."""

    producer = "documents"
    aggregate = "copy"
    event_name = "missing"

    meeting_id: str
    document_id: str
    title: str = Field(description="the document's title (events stay inside the platform)")
    classification: Classification
    marking: str = Field(description="as printed, e.g. 机密★20年")
    copy_no: str
    attendee_id: str | None = Field(description="who held it, if it had been issued")
    discovered_at: datetime
    report_due_at: datetime | None = Field(description="discovered_at + 24 hours; None if unclassified")
    circumstances: str = Field(description="how it was discovered")


class OutstandingCopy(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    document_id: str
    title: str
    copy_no: str
    classification: Classification


class ClearanceGranted(EventContract):
    """Documents has nothing outstanding from a person who asked to leave: they may go."""

    producer = "documents"
    aggregate = "clearance"
    event_name = "granted"

    meeting_id: str
    attendee_id: str
    request_id: str


class ClearanceDenied(EventContract):
    """A person who asked to leave still holds copies that must come back first."""

    producer = "documents"
    aggregate = "clearance"
    event_name = "denied"

    meeting_id: str
    attendee_id: str
    request_id: str
    outstanding: list[OutstandingCopy]
