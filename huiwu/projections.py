"""Read models built from events. Redelivery reorders, so a projection keeps a version per row
and only moves forward; every attendee event carries the attendee's whole state for that."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

from sqlmodel import Session, SQLModel

from huiwu.events.catalog import (
    AttendeeCategory,
    AttendeeRegistered,
    AttendeeState,
    AttendeeSubstituted,
    AttendeeUpdated,
    AttendeeWithdrawn,
    Expected,
    ExpectedKind,
    MeetingScheduled,
    MeetingUpdated,
)
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.inbox import Handler

RowT = TypeVar("RowT", bound=SQLModel)


def apply_if_newer(
    session: Session, model: type[RowT], key: str, version: int, values: dict[str, Any]
) -> bool:
    """Insert the row, or update it if ``version`` is newer than the stored one. True if applied."""
    values = {**values, "version": version}
    row = session.get(model, key)
    if row is None:
        session.add(model.model_validate(values))
        return True
    if getattr(row, "version") >= version:  # noqa: B009 - every projection row has a version
        return False
    for name, value in values.items():
        setattr(row, name, value)
    return True


def project_attendee(session: Session, model: type[RowT], state: AttendeeState, meeting_id: str) -> bool:
    """Copy the attendee fields the row has (its columns, by name) onto the row, if newer."""
    columns = set(model.model_fields) - {"id", "version", "meeting_id"}
    values = {"id": state.attendee_id, "meeting_id": meeting_id, **state.model_dump(include=columns)}
    return apply_if_newer(session, model, state.attendee_id, state.version, values)


def roster_handlers(model: type[SQLModel]) -> dict[type[EventContract], Handler]:
    """The handlers that keep a department's own table of a meeting's people in step with the
    roster: registrations, updates, withdrawals and substitutions."""

    def apply_state(session: Session, _event: CloudEvent, data: EventContract) -> None:
        assert isinstance(data, AttendeeRegistered | AttendeeUpdated | AttendeeWithdrawn)
        project_attendee(session, model, data, data.meeting_id)

    def apply_substitution(session: Session, _event: CloudEvent, data: EventContract) -> None:
        assert isinstance(data, AttendeeSubstituted)
        project_attendee(session, model, data.original, data.meeting_id)
        project_attendee(session, model, data.substitute, data.meeting_id)

    return {
        AttendeeRegistered: apply_state,
        AttendeeUpdated: apply_state,
        AttendeeWithdrawn: apply_state,
        AttendeeSubstituted: apply_substitution,
    }


def meeting_handlers(model: type[SQLModel]) -> dict[type[EventContract], Handler]:
    """The handlers that keep a department's table of the meetings registration scheduled: each
    row takes the meeting fields it has columns for (by name), and only moves forward."""

    def apply_meeting(session: Session, _event: CloudEvent, data: EventContract) -> None:
        assert isinstance(data, MeetingScheduled | MeetingUpdated)
        version = data.version if isinstance(data, MeetingUpdated) else 1  # scheduling is the first
        values = {"id": data.meeting_id, **data.model_dump(include=set(model.model_fields) - {"version"})}
        apply_if_newer(session, model, data.meeting_id, version, values)

    return {MeetingScheduled: apply_meeting, MeetingUpdated: apply_meeting}


class Person(Protocol):
    """What a department's row of a person offers for choosing who is expected."""

    @property
    def id(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def group_id(self) -> str | None: ...


PersonT = TypeVar("PersonT", bound=Person)


def expected_among(people: Iterable[PersonT], expected: Expected) -> list[PersonT]:
    """Who ``expected`` names among ``people`` (those on the roster): everyone but the staff, the
    members (出席), a group, or a list. One rule for every department that reads the agenda."""
    if expected.kind == ExpectedKind.everyone:
        return [person for person in people if person.category != AttendeeCategory.staff]
    if expected.kind == ExpectedKind.members:
        return [person for person in people if person.category == AttendeeCategory.member]
    if expected.kind == ExpectedKind.group:
        return [person for person in people if person.group_id == expected.group_id]
    listed = set(expected.attendee_ids)
    return [person for person in people if person.id in listed]
