"""The hash chain. An entry's hash is SHA-256 over the canonical JSON of its position, its event
and the hash of the entry before, so changing, removing or inserting an entry breaks the chain
right there.

Anyone can recompute a hash from the listing: the object ``{position, event_id, type, producer,
subject, meeting_id, actor, occurred_at, recorded_at, payload, prev_hash}``, times in UTC as
``2027-01-12T01:00:00.000000+00:00``, serialised with sorted keys, no whitespace, UTF-8 (Chinese
as is). The first entry's ``prev_hash`` is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from services.supervision.journal.models import Break, JournalEntry, Verdict

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def instant(moment: datetime) -> str:
    # Microseconds always: isoformat() drops them when zero, and the text must not vary.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(entry: JournalEntry) -> str:
    """Raises ValueError when the stored payload is no longer JSON."""
    return seal({field: getattr(entry, field) for field in HASHED})


HASHED = (
    "position", "event_id", "event_type", "producer", "subject", "meeting_id", "actor",
    "occurred_at", "recorded_at", "payload", "prev_hash",
)  # fmt: skip


def seal(row: Mapping[str, Any]) -> str:
    """The hash of an entry given as its column values (``HASHED``; ``payload`` as stored)."""
    hashed = {
        "position": row["position"],
        "event_id": row["event_id"],
        "type": row["event_type"],
        "producer": row["producer"],
        "subject": row["subject"],
        "meeting_id": row["meeting_id"],
        "actor": row["actor"],
        "occurred_at": instant(row["occurred_at"]),
        "recorded_at": instant(row["recorded_at"]),
        "payload": json.loads(row["payload"]),
        "prev_hash": row["prev_hash"],
    }
    return hashlib.sha256(canonical(hashed).encode()).hexdigest()


def broken(position: int, reason: Break, detail: str) -> Verdict:
    return Verdict(intact=False, first_broken_position=position, reason=reason, detail=detail)


@dataclass
class Walk:
    """A verification under way: the last entry found sound (none yet: position 0, GENESIS)."""

    position: int = 0
    hash: str = GENESIS

    def follow(self, entries: Iterable[JournalEntry]) -> Verdict | None:
        """Check the next entries, in position order; the first break, or None."""
        for entry in entries:
            expected = self.position + 1
            if entry.position != expected:
                return broken(
                    expected, Break.missing_entry, f"entry {entry.position} follows entry {self.position}"
                )
            if entry.prev_hash != self.hash:
                return broken(
                    entry.position,
                    Break.prev_hash_mismatch,
                    f"the previous hash of entry {entry.position} is not the hash of entry {self.position}",
                )
            if _hash_of(entry) != entry.hash:
                return broken(
                    entry.position,
                    Break.hash_mismatch,
                    f"entry {entry.position} changed after it was recorded",
                )
            self.position, self.hash = entry.position, entry.hash
        return None

    def end(self, position: int, head: str) -> Verdict:
        """The verdict once every entry up to the head (``position``, ``head``) was followed."""
        if self.position < position:
            return broken(
                self.position + 1,
                Break.missing_entry,
                f"the chain ends at entry {self.position}, not {position}",
            )
        if self.hash != head:
            return broken(
                position, Break.head_mismatch, f"entry {position} is not the one the chain ended with"
            )
        return Verdict(intact=True, entries=position, head=head)


def _hash_of(entry: JournalEntry) -> str | None:
    try:
        return entry_hash(entry)
    except ValueError:
        return None  # a payload edited into something that is not JSON
