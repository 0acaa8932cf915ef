"""After a fault: every operation the workload tried, compared with what each department holds.

The owner's outbox is where an operation's effect is recorded (in the same transaction as the
state change), so for each operation the checker counts the events its owner recorded for it:
none is a lost operation if it was acknowledged (Jepsen's *unknown* if it was not), more than one
a duplicated one. The one event must then be in the inbox of every consumer whose subscription
handles its type (applied once: the inbox row commits with the handler's work), or the operation
is lost in that department. Departments' own views must agree with the owners' too: everyone
registered is known everywhere, each session's documents follow its last move, the attendance
counts each person checked in once, every copy taken back is counted once, and the journal's
hash chain is intact.
"""

from __future__ import annotations

import importlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

import httpx

from huiwu.events.catalog import AgendaChanged, AttendeeCheckedIn, AttendeeRegistered, CopyCollected
from huiwu.inbox import Subscription
from huiwu.settings import SERVICES
from tests.faults.workload import Meeting, Op, in_step

EVENT_OF = {
    "register": AttendeeRegistered.event_type("registration"),
    "check_in": AttendeeCheckedIn.event_type("registration"),
    "agenda": AgendaChanged.event_type("venue"),
    "return": CopyCollected.event_type("documents"),
}


@dataclass
class Tally:
    """Jepsen's categories: ok (acknowledged, applied once everywhere), recovered (not
    acknowledged, yet applied once everywhere), unknown (not acknowledged, not applied), lost
    (acknowledged or begun, missing somewhere), duplicated (applied more than once)."""

    operations: int = 0
    ok: int = 0
    recovered: int = 0
    unknown: int = 0
    lost: int = 0
    duplicated: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        return self.lost == 0 and self.duplicated == 0 and not self.problems


@cache
def consumers_of(event_type: str) -> tuple[tuple[str, str], ...]:
    """(service, durable) of every subscription that applies ``event_type``."""
    producer = event_type.split(".")[1]
    found = []
    for service in SERVICES:
        subscriptions: list[Subscription] = importlib.import_module(
            f"services.{service}.main"
        ).definition.subscriptions
        found += [
            (service, sub.durable)
            for sub in subscriptions
            if sub.producer == producer and sub.handler_for(event_type) is not None
        ]
    return tuple(found)


class Query(Protocol):
    """Rows of a SQL query on one service's database."""

    def __call__(self, service: str, sql: str, **parameters: Any) -> list[Any]: ...


class Checker:
    def __init__(self, gateway: httpx.Client, query: Query, meeting: Meeting) -> None:
        self._gateway = gateway
        self.query = query
        self._meeting = meeting

    def tally(self, ops: list[Op]) -> Tally:
        state = _State(self)
        result = Tally(operations=len(ops))
        for op in ops:
            verdict = state.verdict(op)
            setattr(result, verdict, getattr(result, verdict) + 1)
        result.problems = state.disagreements()
        return result

    def get(self, path: str, **params: Any) -> Any:
        response = self._gateway.get(f"/api/v1/meetings/{self._meeting.id}{path}", params=params)
        response.raise_for_status()
        return response.json()


class _State:
    """One reading of every department, taken at once before the operations are judged."""

    def __init__(self, checker: Checker) -> None:
        self._checker = checker
        meeting = checker._meeting
        self.meeting = meeting
        self.events: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        for producer in ("registration", "venue", "documents"):
            for event_id, event_type, payload in checker.query(
                producer,
                "SELECT event_id, event_type, payload FROM outbox_event WHERE meeting_id = :m",
                m=meeting.id,
            ):
                self.events[event_type].append((event_id, json.loads(payload)))
        self.applied = {
            (consumer, event_id)
            for service in SERVICES
            for consumer, event_id in checker.query(
                service, "SELECT consumer, event_id FROM inbox_entry WHERE meeting_id = :m", m=meeting.id
            )
        }
        self.roster = Counter(person["name"] for person in self._roster())
        self.copies = {
            (document_id, item["copy_no"]): item["status"]
            for document_id in meeting.returnable
            for item in checker.get(f"/documents/{document_id}/copies")["items"]
        }
        self.missing_where: list[str] = []

    def _roster(self) -> list[dict[str, Any]]:
        people: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            page = self._checker.get("/attendees", limit=500, **({"cursor": cursor} if cursor else {}))
            people += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return people

    def verdict(self, op: Op) -> str:
        recorded = self._recorded(op)
        if (held := self._held(op)) is not None and held != len(recorded):
            self.missing_where.append(
                f"{op.kind} {op.key}: {held} in the owner's state, {len(recorded)} events"
            )
            return "duplicated" if held > 1 else "lost"
        if not recorded:
            return "lost" if op.acked else "unknown"
        if len(recorded) > 1:
            return "duplicated"
        missing = [
            durable
            for _, durable in consumers_of(EVENT_OF[op.kind])
            if (durable, recorded[0]) not in self.applied
        ]
        if missing:
            self.missing_where.append(f"{op.kind} {op.key}: not applied by {', '.join(missing)}")
            return "lost"
        return "ok" if op.acked else "recovered"

    def _held(self, op: Op) -> int | None:
        """How many times the owner's state (as its API shows it) holds the effect, where it can tell."""
        if op.kind == "register":
            return self.roster[op.key]
        if op.kind == "return":
            return int(self.copies.get(_copy(op.key)) == "returned")
        return None

    def _recorded(self, op: Op) -> list[str]:
        """The ids of the events the owner recorded for this operation."""
        events = self.events[EVENT_OF[op.kind]]
        if op.kind == "register":
            return [event_id for event_id, data in events if data["name"] == op.key]
        if op.kind == "check_in":
            return [event_id for event_id, data in events if data["attendee_id"] == op.key]
        if op.kind == "agenda":
            session, start = op.key.split("@")
            moved_to = datetime.fromisoformat(start)
            return [
                event_id
                for event_id, data in events
                if data["session_id"] == session and _utc(data["after"]["starts_at"]) == moved_to
            ]
        return [
            event_id for event_id, data in events if (data["document_id"], data["copy_no"]) == _copy(op.key)
        ]

    def disagreements(self) -> list[str]:
        """Where a department's own view differs from the owner's."""
        problems = list(self.missing_where)
        report = self._checker.get("/sync")
        if not in_step(report):
            problems.append(f"departments disagree on the roster or have events waiting: {report}")
        sessions = {
            item["id"]: _utc(item["starts_at"]) for item in self._checker.get("/sessions", limit=100)["items"]
        }
        for session_id, document_id in self.meeting.session_documents.items():
            deliver_at = self._checker.get(f"/documents/{document_id}")["deliver_at"]
            if deliver_at is None or _utc(deliver_at) != sessions[session_id]:
                problems.append(
                    f"document for session {session_id} delivered at {deliver_at}, not {sessions[session_id]}"
                )
        checked_in = {data["attendee_id"] for _, data in self.events[EVENT_OF["check_in"]]}
        present = self._checker.get("/attendance")["total"]["present"]
        if present != len(checked_in):
            problems.append(f"attendance counts {present} present, {len(checked_in)} checked in")
        returned = sum(status == "returned" for status in self.copies.values())
        if returned != len(self.events[EVENT_OF["return"]]):
            problems.append(f"{returned} copies returned, {len(self.events[EVENT_OF['return']])} announced")
        verdict = self._checker._gateway.get("/api/v1/journal/verify").json()
        if not verdict.get("intact"):
            problems.append(f"journal broken: {verdict}")
        return problems


def _copy(key: str) -> tuple[str, str]:
    document_id, copy_no = key.split("/")
    return document_id, copy_no


def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)
