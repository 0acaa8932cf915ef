"""Which service answers which public path, and the scope a caller needs for it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from huiwu.errors import NotFound

_MEETING = r"/api/v1/meetings/[^/]+"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    service: str


# First match wins: specific meeting sub-resources before the meeting itself.
ROUTES = tuple(
    Route(re.compile(pattern), service)
    for pattern, service in (
        (rf"^{_MEETING}/attendees/[^/]+/seat/?$", "venue"),  # where a person sits: venue's answer
        (rf"^{_MEETING}/(sessions|protocol)(/.*)?$", "venue"),
        (r"^/api/v1/venues(/.*)?$", "venue"),
        (rf"^{_MEETING}/attendees/[^/]+/copies/?$", "documents"),  # the copies a person holds
        (rf"^{_MEETING}/documents(/.*)?$", "documents"),
        (
            rf"^{_MEETING}/(attendees|groups|roster|checkins|attendance|requests|lodging|dining|notices"
            r"|guide\.(?:pdf|html))(/.*)?$",
            "registration",
        ),
        (r"^/api/v1/meetings/?$", "registration"),
        (rf"^{_MEETING}/?$", "registration"),
    )
)


def resolve(path: str) -> Route:
    for route in ROUTES:
        if route.pattern.match(path):
            return route
    raise NotFound(f"no API at {path}")


def scope_for(service: str, method: str) -> str:
    return f"{service}:{'read' if method in ('GET', 'HEAD') else 'write'}"
