"""Supervision's journal: every event of every department appended once to one hash chain, listed
oldest first, and verified in batches.

Each department's stream has its own journal consumer (``supervision-journal__<producer>``): the
kernel inbox lets an event in once, however often it is delivered, and the append locks the
chain's head row, so appends take turns, also from two replicas on PostgreSQL, and the chain
never forks. An event this release does not know is parked like any poison message; the
``message_parked`` event that says so is journaled in its turn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session, col

from huiwu.db import SessionFactory, unit_of_work, utcnow
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.inbox import Subscription
from huiwu.pagination import InvalidCursor, Page, decode_cursor, encode_cursor
from huiwu.settings import SERVICES
from services.supervision.journal.chain import GENESIS, Walk, broken, canonical, seal
from services.supervision.journal.models import (
    HEAD,
    Break,
    JournalEntry,
    JournalEntryPublic,
    JournalFilter,
    JournalHead,
    Verdict,
)

VERIFY_BATCH = 1000
CURSOR_SCOPE = "journal"
_HELD_HEAD = "journal_head"  # in session.info: the head this transaction locked
_ENTRIES = JournalEntry.__table__  # type: ignore[attr-defined]  # the stub omits __table__
_HEADS = JournalHead.__table__  # type: ignore[attr-defined]
_INSERT_ENTRY = insert(_ENTRIES)
_LOCK_HEAD = select(_HEADS.c.position, _HEADS.c.hash).where(_HEADS.c.id == HEAD).with_for_update()
_MOVE_HEAD = (
    update(_HEADS).where(_HEADS.c.id == HEAD).values(position=bindparam("position"), hash=bindparam("hash"))
)


def on_event(session: Session, event: CloudEvent, _data: EventContract) -> None:
    append(session, event)


SUBSCRIPTIONS = tuple(
    Subscription(
        service="supervision", producer=producer, handlers={}, other_events=on_event, purpose="journal"
    )
    for producer in SERVICES
)


def append(session: Session, event: CloudEvent) -> None:
    """Journal ``event`` in the caller's transaction, holding the chain's head until it commits."""
    head = _locked_head(session)
    position = head.position + 1
    row: dict[str, Any] = {
        "position": position,
        "event_id": event.id,
        "event_type": event.type,
        "producer": event.type.split(".")[1],  # huiwu.<producer>.<aggregate>.<event>.v<N>
        "subject": event.subject,
        "meeting_id": event.meetingid,
        "actor": event.actor,
        "occurred_at": event.time,
        "recorded_at": utcnow(),
        "payload": canonical(event.data),
        "prev_hash": head.hash,
    }
    row["hash"] = sealed = seal(row)
    # Plain statements on the transaction's connection, no ORM objects: every event of every
    # department passes here, and building and flushing entries was most of the journal's cost
    # during a check-in rush.
    connection = session.connection()
    connection.execute(_INSERT_ENTRY, row)
    connection.execute(_MOVE_HEAD, {"position": position, "hash": sealed})
    head.position, head.hash = position, sealed


@dataclass
class _Head:
    position: int
    hash: str


def _locked_head(session: Session) -> _Head:
    """The head, locked once per transaction: a consumer applies a whole fetch in one, and
    reading the head again for each event cost a query each."""
    held: tuple[object, _Head] | None = session.info.get(_HELD_HEAD)
    if held is not None and held[0] is session.get_transaction():
        return held[1]
    row = session.connection().execute(_LOCK_HEAD).first()
    if row is None:
        raise LookupError("the journal has lost its head row; nothing is journaled until it is restored")
    head = _Head(position=row.position, hash=row.hash)
    session.info[_HELD_HEAD] = (session.get_transaction(), head)
    return head


def listing(
    session: Session, *, meeting_id: str | None, filters: JournalFilter, limit: int, cursor: str | None
) -> Page[JournalEntryPublic]:
    """Oldest first, in the order supervision recorded the events, as an audit trail reads: new
    entries only ever add to the end, so paging through never skips or repeats one."""
    query = select(JournalEntry)
    if meeting_id is not None:
        query = query.where(col(JournalEntry.meeting_id) == meeting_id)
    if filters.type is not None:
        query = query.where(col(JournalEntry.event_type) == filters.type)
    if filters.actor is not None:
        query = query.where(col(JournalEntry.actor) == filters.actor)
    if filters.since is not None:
        query = query.where(col(JournalEntry.occurred_at) >= filters.since)
    if filters.until is not None:
        query = query.where(col(JournalEntry.occurred_at) < filters.until)
    if cursor:
        query = query.where(col(JournalEntry.position) > _position_after(cursor))
    rows = list(session.scalars(query.order_by(col(JournalEntry.position)).limit(limit + 1)))
    more = len(rows) > limit
    return Page[JournalEntryPublic](
        items=[public(entry) for entry in rows[:limit]],
        next_cursor=encode_cursor(CURSOR_SCOPE, [rows[limit - 1].position]) if more else None,
    )


def _position_after(cursor: str) -> int:
    key = decode_cursor(cursor, CURSOR_SCOPE)
    if len(key) != 1 or not isinstance(key[0], int):
        raise InvalidCursor
    return key[0]


def public(entry: JournalEntry) -> JournalEntryPublic:
    return JournalEntryPublic(
        position=entry.position,
        event_id=entry.event_id,
        type=entry.event_type,
        producer=entry.producer,
        subject=entry.subject,
        meeting_id=entry.meeting_id,
        actor=entry.actor,
        occurred_at=entry.occurred_at,
        recorded_at=entry.recorded_at,
        payload=json.loads(entry.payload),
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def verify(make_session: SessionFactory, *, batch: int = VERIFY_BATCH) -> Verdict:
    """Follow the whole chain up to its head as it was when verification began, ``batch``
    entries per short transaction, so appends go on meanwhile (SQLite has one writer)."""
    with unit_of_work(make_session) as session:
        # The last position before the head: appends move both together, so read in this order
        # an append in between can only make the head the greater, never the last position.
        last = session.scalar(select(func.max(col(JournalEntry.position)))) or 0
        head = session.get(JournalHead, HEAD)
    end, end_hash = (head.position, head.hash) if head is not None else (0, GENESIS)
    if last > end:
        return broken(end + 1, Break.beyond_head, f"entries go on to {last}; the chain ends at {end}")
    walk = Walk()
    while walk.position < end:
        with unit_of_work(make_session) as session:
            entries = session.scalars(
                select(JournalEntry)
                .where(col(JournalEntry.position) > walk.position, col(JournalEntry.position) <= end)
                .order_by(col(JournalEntry.position))
                .limit(batch)
            ).all()
        if not entries:
            break
        if (verdict := walk.follow(entries)) is not None:
            return verdict
    return walk.end(end, end_hash)
