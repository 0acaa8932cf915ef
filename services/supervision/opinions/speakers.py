"""Naming people in supervision's records: a person on the roster is printed with the name and 职务
supervision knows from registration, anyone else as the staff wrote them."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.errors import InvalidInput
from services.supervision.attendees.models import Participant
from services.supervision.opinions.models import PersonIn, PersonPublic


def resolve(session: Session, meeting_id: str, person: PersonIn, field: str) -> PersonPublic:
    """``person`` as printed; ``field`` names it in the error if the roster does not have them."""
    if person.attendee_id is None:
        assert person.name is not None and person.post is not None  # PersonIn's rule
        return PersonPublic(attendee_id=None, name=person.name, post=person.post)
    participant = session.get(Participant, person.attendee_id)
    if participant is None or participant.meeting_id != meeting_id:
        raise InvalidInput(
            f"{field}.attendee_id", "not_on_roster",
            f"attendee {person.attendee_id} is not on this meeting's roster",
        )  # fmt: skip
    return PersonPublic(
        attendee_id=participant.id, name=participant.name, post=person.post or participant.title
    )


def printed(name: str, post: str) -> str:
    """王芳（省委组织部副部长）; the name alone when no post is known."""
    return f"{name}（{post}）" if post else name
