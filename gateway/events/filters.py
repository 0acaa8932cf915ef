"""Which events a caller may receive, and which they asked for.

A caller reads the stream of each department it holds ``<department>:read`` for (``admin``: all
four); an event whose data names a ``classification`` above the caller's clearance (documents'
copy events, a classified bulletin) is withheld; a token for one meeting sees that meeting's events
only. The caller narrows it further by meeting and by event type, where a type is named in full
(``huiwu.registration.attendee.registered.v1``), without ``huiwu.`` or without its version
(``registration.attendee.registered``), or ending in a wildcard (``registration.*``,
``registration.attendee.*``; ``*`` alone: every type the caller may read).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from huiwu.auth import DEPARTMENTS, Clearance, Principal, Refused, TokenKind
from huiwu.events import asyncapi
from huiwu.events.envelope import CloudEvent

PREFIX = "huiwu."
WILDCARD = "*"
MAX_PATTERN_LENGTH = 200


@dataclass(frozen=True)
class TypePattern:
    """A type pattern, kept without ``huiwu.``: ``registration.attendee.*``."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> TypePattern:
        """As written, unchecked: for patterns stored when they were checked."""
        return cls(tuple(text.strip().removeprefix(PREFIX).split(".")))

    @property
    def text(self) -> str:
        return ".".join(self.parts)

    @property
    def department(self) -> str | None:
        """The one department it names; None for ``*``."""
        return None if self.parts[0] == WILDCARD else self.parts[0]

    def matches(self, event_type: str) -> bool:
        parts = tuple(event_type.removeprefix(PREFIX).split("."))
        if self.parts[-1] == WILDCARD:
            stem = self.parts[:-1]
            return len(parts) > len(stem) and parts[: len(stem)] == stem
        return parts == self.parts or parts[:-1] == self.parts  # the second: any version

    def subject(self) -> str:
        """The NATS subject filter covering it (versions live in the type, not the subject)."""
        if self.parts[-1] == WILDCARD:
            return PREFIX + ".".join([*self.parts[:-1], ">"])
        return PREFIX + ".".join(self.parts[:3])  # department, aggregate, event: not the version


def parse_pattern(text: str) -> TypePattern:
    """A pattern that matches at least one type of the catalogue; a pydantic error otherwise."""
    pattern = TypePattern.of(text)
    if (
        len(text) > MAX_PATTERN_LENGTH
        or any(not part for part in pattern.parts)
        or WILDCARD in pattern.parts[:-1]
    ):
        raise PydanticCustomError(
            "event_type_pattern",
            "{text} is not an event type: e.g. registration.attendee.registered, registration.*",
            {"text": text},
        )
    if not any(pattern.matches(known) for known in _known_types()):
        raise PydanticCustomError(
            "known_event_type", "{text} names no event in the catalogue", {"text": text}
        )
    return pattern


@functools.cache
def _known_types() -> tuple[str, ...]:
    return tuple(asyncapi.event_types())


def subject_filters(patterns: Sequence[TypePattern], department: str) -> list[str]:
    """The department's subjects the patterns ask for, none covering another (JetStream refuses
    overlapping filters); ``[huiwu.<department>.>]`` when they ask for all of it."""
    everything = PREFIX + department + ".>"
    subjects = {p.subject() for p in patterns if p.department in (None, department)}
    if not patterns or everything in subjects or any(p.department is None for p in patterns):
        return [everything]
    wide = [subject[:-1] for subject in subjects if subject.endswith(">")]
    return sorted(s for s in subjects if not any(s != w + ">" and s.startswith(w) for w in wide))


def classification(data: Any) -> Clearance:
    """The highest level any ``classification`` in the data names (a copy's, a bulletin's, each
    outstanding copy of a refused departure's), none if it names none."""
    if isinstance(data, Mapping):
        levels = [Clearance.named(str(data.get("classification") or ""))]
        levels += [classification(value) for value in data.values() if isinstance(value, Mapping | list)]
        return max(levels)
    if isinstance(data, list):
        return max((classification(item) for item in data), default=Clearance.none)
    return Clearance.none


@dataclass(frozen=True)
class Selection:
    """What one reader receives: departments it may read, the types it asked for (none: all), a
    meeting (its token's, or the one it asked for) and its clearance."""

    departments: tuple[str, ...]
    patterns: tuple[TypePattern, ...]
    meeting_id: str | None
    clearance: Clearance

    def admits(self, event: CloudEvent) -> bool:
        if event.type.removeprefix(PREFIX).split(".")[0] not in self.departments:
            return False
        if self.meeting_id is not None and event.meetingid != self.meeting_id:
            return False
        if self.patterns and not any(pattern.matches(event.type) for pattern in self.patterns):
            return False
        return classification(event.data) <= self.clearance

    def subjects(self, department: str) -> list[str]:
        return subject_filters(self.patterns, department)


def readable_departments(principal: Principal) -> tuple[str, ...]:
    return tuple(department for department in DEPARTMENTS if principal.allows(f"{department}:read"))


def select_for(principal: Principal, patterns: Iterable[TypePattern], meeting_id: str | None) -> Selection:
    """The selection ``principal`` may have; 403 for a department, meeting or kind it may not read."""
    if principal.kind == TokenKind.kiosk:
        raise Refused("a kiosk token only scans badges and looks attendees up", "kiosk")
    if principal.meeting_id is not None and meeting_id not in (None, principal.meeting_id):
        raise Refused(
            f"this token is for meeting {principal.meeting_id} only",
            "meeting",
            meeting_id=principal.meeting_id,
        )
    readable = readable_departments(principal)
    if not readable:
        raise Refused("reading events needs a <department>:read scope", "scope")
    asked = tuple(patterns)
    for pattern in asked:
        if pattern.department is not None and pattern.department not in readable:
            scope = f"{pattern.department}:read"
            raise Refused(f"this token lacks the scope {scope}", "scope", required_scope=scope)
    named = {pattern.department for pattern in asked}
    departments = readable if not asked or None in named else tuple(d for d in readable if d in named)
    return Selection(departments, asked, meeting_id or principal.meeting_id, principal.clearance)
