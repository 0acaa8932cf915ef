"""``GET /api/v1/meetings/{id}/attendees/{aid}/dossier``: one person across every department —
registration's record of them, where venue seats them, the copies documents gave them and whether
they may leave, and what supervision holds on them."""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField

from gateway.aggregates.sections import Asker, Section, SectionStatus, section
from huiwu.db import utcnow
from huiwu.errors import NotFound
from huiwu.events.catalog import (
    AttendeeCategory,
    AttendeeStatus,
    CaseKind,
    CaseState,
    LeaveKind,
    OutstandingCopy,
    RequestKind,
    RequestStatus,
    SeatArea,
    TaskColour,
    TaskState,
)


class Person(BaseModel):
    id: str
    name: str
    organization: str
    title: str
    category: AttendeeCategory
    rank: int | None
    delegation: str | None
    group_id: str | None
    id_number: str | None = PydanticField(description="masked: region and last four only")
    status: AttendeeStatus


class CheckIn(BaseModel):
    session_id: str | None = PydanticField(description="None: the meeting itself")
    direction: str = PydanticField(description="in or out")
    method: str = PydanticField(description="badge or roster")
    gate: str | None
    at: datetime


class LeaveGranted(BaseModel):
    kind: LeaveKind
    reason: str
    approver: str
    session_ids: list[str] = PydanticField(description="empty: the whole meeting")
    granted_at: datetime


class RequestRaised(BaseModel):
    id: str
    kind: RequestKind
    text: str
    status: RequestStatus
    due_at: datetime | None
    overdue: bool
    created_at: datetime
    done_at: datetime | None


class DepartureAsked(BaseModel):
    status: str = PydanticField(description="requested, departed or blocked")
    requested_at: datetime
    decided_at: datetime | None
    reasons: list[str] = PydanticField(description="why the person may not leave yet, in Chinese")


class RegistrationRecord(BaseModel):
    attendee: Person
    checkins: list[CheckIn] = PydanticField(description="oldest first")
    leave: list[LeaveGranted]
    requests: list[RequestRaised]
    departure: DepartureAsked | None


class Seat(BaseModel):
    area: SeatArea
    row: int
    column: int
    label: str = PydanticField(description="as printed: 主席台第一排3号, 5排12座")


class SessionPlace(BaseModel):
    session_id: str
    session_title: str
    starts_at: datetime
    room_name: str
    seat: Seat | None = PydanticField(
        description="None: expected, without a seat (free seating, or not planned)"
    )


class VenueRecord(BaseModel):
    sessions: list[SessionPlace] = PydanticField(
        description="sessions not cancelled that seat or expect them"
    )


class HeldCopy(BaseModel):
    document_id: str
    title: str = PydanticField(description="a top-secret title shows only to top-secret clearance")
    marking: str = PydanticField(description="密级★期限 as printed")
    copy_no: str
    status: str = PydanticField(description="issued, returned, retained or missing")
    issued_at: datetime | None
    returned_at: datetime | None


class LastDepartureAnswer(BaseModel):
    status: str = PydanticField(description="pending, granted or denied")
    requested_at: datetime
    decided_at: datetime | None


class DepartureClearance(BaseModel):
    may_leave: bool = PydanticField(description="no copy given to the person is still with them")
    outstanding: list[OutstandingCopy]
    last_request: LastDepartureAnswer | None = PydanticField(
        description="documents' answer to their latest request"
    )


class DocumentsRecord(BaseModel):
    copies: list[HeldCopy]
    clearance: DepartureClearance = PydanticField(description="离会清退, as documents sees it")


class TaskHeld(BaseModel):
    id: str
    number: str = PydanticField(description="督〔2027〕3号")
    content: str
    lead_department: str
    deadline: datetime
    state: TaskState
    state_label: str
    overdue: bool
    colour: TaskColour | None


class CaseNaming(BaseModel):
    id: str
    kind: CaseKind
    state: CaseState
    title: str
    report_due_at: datetime | None
    overdue: bool


class SupervisionRecord(BaseModel):
    tasks: list[TaskHeld] = PydanticField(description="tasks the person is responsible for")
    cases: list[CaseNaming] = PydanticField(description="cases naming the person")


class Dossier(BaseModel):
    meeting_id: str
    attendee_id: str
    as_of: datetime
    registration: Section[RegistrationRecord]
    venue: Section[VenueRecord]
    documents: Section[DocumentsRecord]
    supervision: Section[SupervisionRecord]


async def dossier(asker: Asker, meeting_id: str, attendee_id: str) -> Dossier:
    person = f"/api/v1/meetings/{meeting_id}/attendees/{attendee_id}"
    registration, venue, documents, supervision = await asyncio.gather(
        section(_registration(asker, person)),
        section(_venue(asker, person)),
        section(_documents(asker, person)),
        section(_supervision(asker, meeting_id, attendee_id)),
    )
    if registration.status == SectionStatus.not_found:  # the roster is registration's
        raise NotFound(f"attendee {attendee_id} is not on meeting {meeting_id}'s roster", field="attendee_id")
    return Dossier(
        meeting_id=meeting_id,
        attendee_id=attendee_id,
        as_of=utcnow(),
        registration=registration,
        venue=venue,
        documents=documents,
        supervision=supervision,
    )


async def _registration(asker: Asker, person: str) -> RegistrationRecord:
    return RegistrationRecord.model_validate(await asker.get("registration", f"{person}/record"))


async def _venue(asker: Asker, person: str) -> VenueRecord:
    return VenueRecord.model_validate({"sessions": await asker.get("venue", f"{person}/seats")})


async def _documents(asker: Asker, person: str) -> DocumentsRecord:
    copies, clearance = await asyncio.gather(
        asker.get("documents", f"{person}/copies"), asker.get("documents", f"{person}/clearance")
    )
    return DocumentsRecord.model_validate({"copies": copies, "clearance": clearance})


async def _supervision(asker: Asker, meeting_id: str, attendee_id: str) -> SupervisionRecord:
    path = f"/api/v1/meetings/{meeting_id}/supervision/attendees/{attendee_id}"
    return SupervisionRecord.model_validate(await asker.get("supervision", path))
