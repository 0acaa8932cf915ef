"""What the printable exports take: plain values, so they render without a database or HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RosterRow:
    """One person on a printed roster, in the order the caller wants them printed."""

    name: str
    gender: str | None  # "male", "female" or None
    organization: str
    title: str
    category: str  # "member", "observer", "guest" or "staff"
    delegation: str | None


@dataclass(frozen=True)
class BadgeCard:
    """One badge to print; ``token`` is what its QR code carries (see checkin.badges)."""

    name: str
    organization: str
    category: str  # "member", "observer", "guest" or "staff"
    pass_name: str  # 出席证, 列席证, 来宾证 or 工作证
    token: str
