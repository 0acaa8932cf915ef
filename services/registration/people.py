"""What follows a change of people on the desk's other records (groups, lodging, dining)."""

from __future__ import annotations

from sqlmodel import Session

from services.registration.attendees.models import Attendee
from services.registration.groups import service as groups
from services.registration.lodging import service as lodging


def after_substitution(session: Session, original: Attendee, replacement: Attendee) -> None:
    """The substitute convenes, sleeps and eats where the original would have."""
    groups.hand_over_convenor(session, original, replacement)
    lodging.hand_over(session, original, replacement)


def after_withdrawal(session: Session, attendee: Attendee) -> None:
    lodging.release(session, attendee)
