"""Seating benchmark: a 3,000-seat hall with 40 delegations and a 3-row podium. How long a full
plan takes, and a re-plan after one substitution.

    python bench/seating.py [--rows 50] [--seats-per-row 60] [--delegations 40] [--leaders 27]
                            [--repeat 5] [--database sqlite|postgres]

Venue's own code on its own database (SQLite in a temporary directory, or a scratch PostgreSQL
database with ``--database postgres`` and HUIWU_TEST_POSTGRES_URL): the roster is written
straight into venue's tables, then the timed steps are exactly what the service runs:

- *full plan*: ``seating.replan`` of a session nobody is seated in yet (read the roster, plan the
  podium and the hall, store 3,000 seats, record the ``venue.seating.changed`` event);
- *compute only*: the pure planner on the same people (no database);
- *re-plan after a substitution*: a hall delegate is replaced by someone whose name sorts
  elsewhere, as venue applies ``attendee.substituted``, then ``seating.replan``; it must move
  exactly two people (the original out, the substitute into the same seat).

It prints the median and the worst of ``--repeat`` runs of each step.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huiwu import migrations  # noqa: E402
from huiwu.db import create_db_engine, unit_of_work  # noqa: E402
from huiwu.events.catalog import AttendeeCategory, SessionKind  # noqa: E402
from huiwu.outbox import OutboxEvent  # noqa: E402
from huiwu.testing.databases import scratch_database  # noqa: E402
from services.venue.agenda.models import AgendaSession  # noqa: E402
from services.venue.attendees.models import SeatedPerson  # noqa: E402
from services.venue.main import definition  # noqa: E402
from services.venue.protocol.models import KnownMeeting  # noqa: E402
from services.venue.seating import service as seating  # noqa: E402
from services.venue.venues.models import Room, Venue  # noqa: E402

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = "建国明伟洋静军华平芳强敏丽勇杰涛斌超秀英辉鹏飞红霞春玲"
CITIES = ["江州", "湖州", "云州", "河州", "青州", "宁州", "安州", "泰州", "宜州", "清州"]


def name(number: int) -> str:
    surname = SURNAMES[number % len(SURNAMES)]
    given = GIVEN[(number // len(SURNAMES)) % len(GIVEN)] + GIVEN[(number * 7) % len(GIVEN)]
    return surname + given[: 1 + number % 2]


def delegation(number: int) -> str:
    return f"{CITIES[number % len(CITIES)]}代表团{number:02d}"


def seed(session: Session, args: argparse.Namespace) -> tuple[str, list[str]]:
    """A meeting, its room and roster, and a session expecting everyone: their ids."""
    meeting_id = str(uuid.uuid4())
    session.add(
        KnownMeeting(
            id=meeting_id, name="基准会议", starts_on=date(2027, 1, 12), ends_on=date(2027, 1, 14), version=1
        )
    )
    venue = Venue(name="会议中心")
    hall = {"rows": args.rows, "seats_per_row": args.seats_per_row, "aisles_after": [15, 45]}
    podium = {"rows": 3, "seats_per_row": 12}
    seats = args.rows * args.seats_per_row + 36
    room = Room(venue_id=venue.id, name="大礼堂", capacity=seats, seat_map=hall, podium=podium)
    for row in (venue, room):  # one at a time: rows without relationships are not ordered by their keys
        session.add(row)
        session.flush()
    people = []
    delegates = args.rows * args.seats_per_row
    for number in range(args.leaders + delegates):
        leader = number < args.leaders
        people.append(
            SeatedPerson(
                id=str(uuid.uuid4()),
                meeting_id=meeting_id,
                name=name(number),
                category=AttendeeCategory.member if number % 10 else AttendeeCategory.observer,
                rank=number + 1 if leader else None,
                delegation="省委"
                if leader
                else CITIES[number % len(CITIES)] + f"代表团{number % args.delegations:02d}",
                version=1,
            )
        )
    session.add_all(people)
    start = datetime(2027, 1, 12, 1, tzinfo=UTC)
    agenda = AgendaSession(
        meeting_id=meeting_id, title="第一次全体会议", kind=SessionKind.plenary, starts_at=start,
        ends_at=start + timedelta(hours=3), room_id=room.id, expected={"kind": "everyone"},
    )  # fmt: skip
    session.add(agenda)
    session.flush()
    return agenda.id, [person.id for person in people]


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def report(label: str, seconds: list[float]) -> None:
    median, worst = statistics.median(seconds) * 1000, max(seconds) * 1000
    print(f"{label:<34} median {median:8.1f} ms   worst {worst:8.1f} ms")


def run(args: argparse.Namespace, url: str) -> None:
    engine = create_db_engine(url)
    migrations.upgrade(engine, definition.name, definition.migrations, definition.metadata)
    full: list[float] = []
    compute: list[float] = []
    again: list[float] = []
    for _ in range(args.repeat):
        with unit_of_work(lambda: Session(engine)) as session:
            session_id, people = seed(session, args)
        plan_afresh(engine, session_id, full, compute)
        moved = substitute(engine, session_id, people[args.leaders + 123], again)
        assert moved == 2, f"a substitution moved {moved} people, expected 2"
    print(
        f"hall {args.rows}×{args.seats_per_row} = {args.rows * args.seats_per_row} seats, {args.delegations} "
        f"delegations, podium 3×12 with {args.leaders} leaders, on {url.split(':')[0]}"
    )
    report("full plan (plan + store 1 event)", full)
    report("compute only (pure planner)", compute)
    report("re-plan after one substitution", again)


def plan_afresh(engine: Engine, session_id: str, full: list[float], compute: list[float]) -> None:
    with unit_of_work(lambda: Session(engine)) as session:
        agenda = session.get(AgendaSession, session_id)
        room = session.get(Room, agenda.room_id) if agenda else None
        assert agenda is not None and room is not None
        full.append(timed(lambda: seating.replan(session, agenda, "scheduled")))
        compute.append(timed(lambda: seating.compute(session, agenda, room)))


def substitute(engine: Engine, session_id: str, original_id: str, timings: list[float]) -> int:
    """Replace ``original`` (as venue applies ``attendee.substituted``) and time the re-plan."""
    with unit_of_work(lambda: Session(engine)) as session:
        agenda = session.get(AgendaSession, session_id)
        row = session.get(SeatedPerson, original_id)
        assert agenda is not None and row is not None
        row.status = "substituted"
        newcomer = SeatedPerson(
            id=str(uuid.uuid4()), meeting_id=row.meeting_id, name="龚自珍", category=row.category,
            rank=row.rank, delegation=row.delegation, order_name=row.name, place_of=row.id, version=1,
        )  # fmt: skip
        session.add(newcomer)
        session.flush()
        before = agenda.plan_version
        timings.append(timed(lambda: seating.replan(session, agenda, "substitution")))
        assert agenda.plan_version == before + 1
    return moves_in_last_event(engine)


def moves_in_last_event(engine: Engine) -> int:
    """How many people the newest ``venue.seating.changed`` in venue's outbox says moved."""
    with Session(engine) as session:
        query = select(OutboxEvent).order_by(col(OutboxEvent.position).desc()).limit(1)
        newest = session.scalars(query).one()
    return len(json.loads(newest.payload)["moved"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--seats-per-row", type=int, default=60)
    parser.add_argument("--delegations", type=int, default=40)
    parser.add_argument("--leaders", type=int, default=27)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with scratch_database(args.database, "venue") as url:
        run(args, url)


if __name__ == "__main__":
    main()
