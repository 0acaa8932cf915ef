"""Every event contract of the platform, by producer. Importing this module registers them all.

``docs/events.md`` is generated from here (``python -m huiwu.events.docs``).
"""

from huiwu.events.catalog.platform import MessageParked
from huiwu.events.catalog.registration import (
    AttendeeBadgeRevoked,
    AttendeeCategory,
    AttendeeCheckedIn,
    AttendeeLeaveGranted,
    AttendeeRegistered,
    AttendeeState,
    AttendeeStatus,
    AttendeeSubstituted,
    AttendeeUpdated,
    AttendeeWithdrawn,
    Gender,
    GroupFormed,
    GroupUpdated,
    LeaveKind,
    MeetingScheduled,
    MeetingStatusChanged,
    MeetingUpdated,
    RequestKind,
    RequestOpened,
    RequestProgressed,
    RequestStatus,
)

__all__ = [
    "AttendeeBadgeRevoked",
    "AttendeeCategory",
    "AttendeeCheckedIn",
    "AttendeeLeaveGranted",
    "AttendeeRegistered",
    "AttendeeState",
    "AttendeeStatus",
    "AttendeeSubstituted",
    "AttendeeUpdated",
    "AttendeeWithdrawn",
    "Gender",
    "GroupFormed",
    "GroupUpdated",
    "LeaveKind",
    "MeetingScheduled",
    "MeetingStatusChanged",
    "MeetingUpdated",
    "MessageParked",
    "RequestKind",
    "RequestOpened",
    "RequestProgressed",
    "RequestStatus",
]
