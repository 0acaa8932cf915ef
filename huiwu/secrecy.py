"""Who may see classified content (RULES R3.2): the clearance each classification needs, the
caller's clearance (as the gateway's signed assertion vouched for it), and the rule that a
top-secret title is itself secret. Every department that holds classified things asks here."""

from __future__ import annotations

from huiwu.auth import Clearance
from huiwu.context import current_clearance
from huiwu.errors import Forbidden
from huiwu.events.catalog import Classification

NEEDED = {
    Classification.none: Clearance.none,
    Classification.secret: Clearance.secret,
    Classification.confidential: Clearance.confidential,
    Classification.top_secret: Clearance.top_secret,
}


class NotCleared(Forbidden):
    code = "clearance-required"
    title = "Clearance too low"


def caller_clearance() -> Clearance:
    """The clearance the gateway vouched for; a request without one has none."""
    return Clearance.named(current_clearance.get())


def refusal(classification: str, what: str) -> NotCleared | None:
    """Why the caller may not see ``what`` (e.g. "this document"), or None if they may."""
    needed = NEEDED[Classification(classification)]
    if caller_clearance() >= needed:
        return None
    return NotCleared(
        f"{what} is {classification}; the caller's clearance is {caller_clearance().name}",
        required_clearance=needed.name,
    )


def title_hidden(classification: str) -> bool:
    """A top-secret title is itself secret: only top-secret clearance sees it."""
    return classification == Classification.top_secret and caller_clearance() < Clearance.top_secret
