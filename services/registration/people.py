"""What follows a change of people on the desk's other records (groups, lodging, dining)."""

from __future__ import annotations

from sqlmodel import Session

from services.registration.attendees.models import Attendee
from services.registration.groups import service as groups
from services.registration.lodging import service as lodging
from services.registration.notices import service as notices


def after_substitution(session: Session, original: Attendee, replacement: Attendee) -> None:
    """The substitute convenes, sleeps and eats where the original would have; both are told."""
    groups.hand_over_convenor(session, original, replacement)
    lodging.hand_over(session, original, replacement)
    notices.notify(
        session,
        replacement,
        "substitution",
        f"{replacement.name}同志：您替换{original.name}同志参加会议，"
        "原分组、住宿和用餐安排不变，请领取新的证件。",
        before={"attendee": original.name},
        after={"attendee": replacement.name},
    )
    notices.notify(
        session,
        original,
        "substitution",
        f"{original.name}同志：经批准由{replacement.name}同志替换您参加会议，您的证件已作废。",
        before={"attendee": original.name},
        after={"attendee": replacement.name},
    )


def after_withdrawal(session: Session, attendee: Attendee) -> None:
    """Their bed and seat are freed; they are told their badge no longer works."""
    lodging.release(session, attendee)
    notices.notify(
        session,
        attendee,
        "withdrawal",
        f"{attendee.name}同志：您已不再参加本次会议，证件已作废。",
        before={"status": "registered"},
        after={"status": "withdrawn"},
    )
