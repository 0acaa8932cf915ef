"""Microphones (话筒) from the room's stock: every podium seat first, in precedence order, then the
lectern, then the speakers who do not sit on the podium (BRIEF §2.3). Table seats and the
lectern take fixed microphones, speakers in the hall wireless ones; when one kind runs out the
other stands in, and whatever is still wanted is reported as a shortage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.venue.venues.models import MicrophoneKind, Microphones


@dataclass(frozen=True)
class Want:
    at: str  # podium, lectern or speaker
    attendee_id: str | None
    prefers: MicrophoneKind


@dataclass(frozen=True)
class Allocation:
    number: int
    kind: MicrophoneKind
    want: Want


def wants(podium: Sequence[str], lectern: bool, speakers_in_hall: Sequence[str]) -> list[Want]:
    """``podium`` in precedence order (1号 first)."""
    needed = [Want("podium", person, MicrophoneKind.fixed) for person in podium]
    if lectern:
        needed.append(Want("lectern", None, MicrophoneKind.fixed))
    needed.extend(Want("speaker", person, MicrophoneKind.wireless) for person in speakers_in_hall)
    return needed


def allocate(needed: Sequence[Want], stock: Microphones) -> tuple[list[Allocation], int]:
    """The microphones handed out, numbered from 1, and how many more were wanted."""
    left = {MicrophoneKind.fixed: stock.fixed, MicrophoneKind.wireless: stock.wireless}
    handed: list[Allocation] = []
    for want in needed:
        other = MicrophoneKind.wireless if want.prefers == MicrophoneKind.fixed else MicrophoneKind.fixed
        kind = want.prefers if left[want.prefers] else other if left[other] else None
        if kind is None:
            continue
        left[kind] -= 1
        handed.append(Allocation(len(handed) + 1, kind, want))
    return handed, len(needed) - len(handed)
