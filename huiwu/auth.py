"""Who is calling and what they may do: scopes, clearance, a meeting restriction, kiosks.

A scope is ``<department>:read``, ``<department>:write``, ``<department>:*`` (both) or ``admin``
(every scope). The gateway decides with ``authorize`` before it forwards a request, and each
service decides again with the same function from the signed assertion it receives
(``huiwu.assertions``), so a request that bypasses the gateway gains nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from huiwu.errors import Forbidden

ADMIN = "admin"
DEPARTMENTS = ("registration", "venue", "documents", "supervision")
SCOPE_PATTERN = rf"^(?:{ADMIN}|(?:{'|'.join(DEPARTMENTS)}):(?:read|write|\*))$"

_MEETING_PATH = re.compile(r"^/api/v1/meetings/(?P<meeting>[^/]+)(?:/|$)")
_MEETINGS_LIST = re.compile(r"^/api/v1/meetings/?$")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# What a door kiosk does: scan badges, and look people up on the roster. An attendee is named by
# id (a UUID), so the roster's exports (attendees/export.xlsx, badges.pdf) stay out of reach.
KIOSK_ALLOWED = (
    ("POST", re.compile(r"^/api/v1/meetings/[^/]+/checkins/?$")),
    ("GET", re.compile(r"^/api/v1/meetings/[^/]+/attendees/?$")),
    ("GET", re.compile(rf"^/api/v1/meetings/[^/]+/attendees/{_UUID}/?$")),
)
KIOSK_SCOPES = frozenset({"registration:read", "registration:write"})


class Clearance(IntEnum):
    """Who may see classified content (RULES R3.2): 绝密 > 机密 > 秘密 > none."""

    none = 0
    secret = 1  # 秘密
    confidential = 2  # 机密
    top_secret = 3  # 绝密

    @classmethod
    def named(cls, name: str | None) -> Clearance:
        """The level called ``name``; anything unknown or missing is no clearance at all."""
        return cls.__members__.get(name or "", cls.none)


class TokenKind(StrEnum):
    standard = "standard"
    kiosk = "kiosk"  # a check-in kiosk at a door: scans and roster look-ups only


@dataclass(frozen=True)
class Principal:
    """A caller: the token's name, what it may do, and (for the audit) which token it was."""

    name: str
    scopes: frozenset[str]
    clearance: Clearance = Clearance.none
    token_id: str | None = None
    meeting_id: str | None = None  # set: only this meeting's paths
    kind: TokenKind = TokenKind.standard
    _granted: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Wildcards expanded once, so each request's check is one set lookup.
        expanded = {f"{scope[:-2]}:{mode}" for scope in self.scopes if scope.endswith(":*")
                    for mode in ("read", "write")}  # fmt: skip
        object.__setattr__(self, "_granted", frozenset(self.scopes | expanded))

    def allows(self, scope: str) -> bool:
        return ADMIN in self._granted or scope in self._granted


class Refused(Forbidden):
    """403 with the reason (``scope``, ``meeting``, ``kiosk``) the audit keeps."""

    def __init__(self, detail: str, reason: str, **extensions: str) -> None:
        super().__init__(detail, reason=reason, **extensions)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scope_for(service: str, method: str) -> str:
    return f"{service}:{'read' if method in ('GET', 'HEAD') else 'write'}"


def require(principal: Principal, scope: str) -> None:
    if not principal.allows(scope):
        raise Refused(f"this token lacks the scope {scope}", "scope", required_scope=scope)


def authorize(principal: Principal, method: str, path: str, service: str) -> None:
    """Refuse (403) a request to ``service`` that the principal may not make."""
    within_meeting(principal, path)
    if principal.kind == TokenKind.kiosk and not any(
        method == allowed and pattern.match(path) for allowed, pattern in KIOSK_ALLOWED
    ):
        raise Refused("a kiosk token only scans badges and looks attendees up", "kiosk")
    require(principal, scope_for(service, method))


def within_meeting(principal: Principal, path: str) -> None:
    """A token for one meeting reaches nothing of another, not even the list of meetings."""
    meeting_id = principal.meeting_id
    if meeting_id is None:
        return
    found = _MEETING_PATH.match(path)
    if _MEETINGS_LIST.match(path) or (found is not None and found["meeting"] != meeting_id):
        raise Refused(f"this token is for meeting {meeting_id} only", "meeting", meeting_id=meeting_id)
