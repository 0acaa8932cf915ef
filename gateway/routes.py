"""Which service answers which public path (the scope it needs: ``huiwu.auth.scope_for``)."""

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
        (rf"^{_MEETING}/attendees/[^/]+/seats?/?$", "venue"),  # where a person sits: venue's answer
        (rf"^{_MEETING}/(sessions|protocol)(/.*)?$", "venue"),
        (r"^/api/v1/venues(/.*)?$", "venue"),
        (rf"^{_MEETING}/attendees/[^/]+/(copies|clearance)/?$", "documents"),  # copies held, leave cleared
        (rf"^{_MEETING}/documents(/.*)?$", "documents"),
        (rf"^{_MEETING}/(tasks|supervision)(/.*)?$", "supervision"),
        (rf"^{_MEETING}/cases(/.*)?$", "supervision"),
        (rf"^{_MEETING}/(opinions|bulletins|situation-reports)(/.*)?$", "supervision"),
        (
            rf"^{_MEETING}/(attendees|groups|roster|checkins|attendance|requests|lodging|dining|notices"
            r"|guide\.(?:pdf|html))(/.*)?$",
            "registration",
        ),
        (rf"^{_MEETING}/journal/?$", "supervision"),
        (r"^/api/v1/journal(/.*)?$", "supervision"),
        (r"^/api/v1/meetings/?$", "registration"),
        (rf"^{_MEETING}/?$", "registration"),
    )
)


def resolve(path: str) -> Route:
    for route in ROUTES:
        if route.pattern.match(path):
            return route
    raise NotFound(f"no API at {path}")
