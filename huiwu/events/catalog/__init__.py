"""Every event contract of the platform, by producer. Importing this module registers them all.

``docs/events.md`` is generated from here (``python -m huiwu.events.docs``).
"""

from huiwu.events.catalog.platform import MessageParked
from huiwu.events.catalog.registration import (
    AttendeeCategory,
    AttendeeRegistered,
    Gender,
    MeetingScheduled,
    MeetingStatusChanged,
    MeetingUpdated,
)

__all__ = [
    "AttendeeCategory",
    "AttendeeRegistered",
    "Gender",
    "MeetingScheduled",
    "MeetingStatusChanged",
    "MeetingUpdated",
    "MessageParked",
]
