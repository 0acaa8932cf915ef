"""Bulk import of a roster file: a dry run reports every problem by row; a real import is
all-or-nothing and registers each person as if entered by hand (one event each)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.errors import Conflict, InvalidInput, field_errors
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee, AttendeeCreate
from services.registration.imports.sheets import Sheet, UnreadableFile, read
from services.registration.meetings import service as meetings

WORDS = {
    "gender": {"男": "male", "女": "female"},
    "category": {
        "出席": "member",
        "委员": "member",
        "列席": "observer",
        "来宾": "guest",
        "工作人员": "staff",
    },
}


class RowProblem(BaseModel):
    row: int
    field: str
    rule: str
    message: str


class ImportReport(BaseModel):
    dry_run: bool
    rows: int
    valid: int
    imported: int
    problems: list[RowProblem]
    ignored_columns: list[str]
    attendee_ids: list[str]


def import_roster(*, session: Session, meeting_id: str, content: bytes, dry_run: bool) -> ImportReport:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if meeting.roster_frozen_at is not None and not dry_run:
        raise Conflict("the roster is frozen: ask for each change on its own, for approval", field="roster")
    try:
        sheet = read(content)
    except UnreadableFile as error:
        raise InvalidInput("file", error.rule, str(error)) from error
    candidates, problems = _check(session, meeting_id, sheet)
    imported: list[str] = []
    if not dry_run and not problems:
        for attendee_in in candidates:
            imported.append(
                attendees.register(session=session, meeting_id=meeting_id, attendee_in=attendee_in).id
            )
    return ImportReport(
        dry_run=dry_run,
        rows=len(sheet.rows),
        valid=len(candidates),
        imported=len(imported),
        problems=problems,
        ignored_columns=sheet.ignored,
        attendee_ids=imported,
    )


def _check(session: Session, meeting_id: str, sheet: Sheet) -> tuple[list[AttendeeCreate], list[RowProblem]]:
    registered = set(
        session.scalars(
            select(col(Attendee.id_number)).where(
                col(Attendee.meeting_id) == meeting_id, col(Attendee.id_number).is_not(None)
            )
        )
    )
    first_row_of: dict[str, int] = {}
    candidates: list[AttendeeCreate] = []
    problems: list[RowProblem] = []
    for number, cells in sheet.rows:
        try:
            attendee_in = AttendeeCreate.model_validate(_values(sheet.columns, cells))
        except ValidationError as error:
            problems += [
                RowProblem(row=number, field=e["field"], rule=e["rule"], message=e["message"])
                for e in field_errors(error.errors())
            ]
            continue
        if (number_id := attendee_in.id_number) is not None:
            if number_id in registered:
                problems.append(RowProblem(row=number, field="id_number", rule="already_registered",
                                           message="this ID number is already on the roster"))  # fmt: skip
                continue
            if number_id in first_row_of:
                earlier = first_row_of[number_id]
                problems.append(RowProblem(row=number, field="id_number", rule="duplicate_in_file",
                                           message=f"the same ID number as row {earlier}"))  # fmt: skip
                continue
            first_row_of[number_id] = number
        candidates.append(attendee_in)
    return candidates, problems


def _values(columns: dict[int, str], cells: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    needs: dict[str, str] = {}
    for position, field in columns.items():
        cell = cells[position] if position < len(cells) else ""
        if not cell:
            continue
        if field.startswith("needs."):
            needs[field.removeprefix("needs.")] = cell
        else:
            values[field] = WORDS.get(field, {}).get(cell, cell)
    if needs:
        values["needs"] = needs
    return values
