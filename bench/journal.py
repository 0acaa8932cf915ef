"""Journal benchmark: how fast supervision appends events to its hash chain, and how fast it
verifies the whole chain.

    python bench/journal.py [-n 20000] [--writers 1] [--database sqlite|postgres]

Supervision's own code on its own database (SQLite in a temporary directory, or a scratch
PostgreSQL database with ``--database postgres`` and HUIWU_TEST_POSTGRES_URL), ``-n``
registration events (Chinese names, an actor) appended twice over, each time by ``--writers``
threads at once, as replicas would on PostgreSQL (they take turns at the chain's head):

- *chain only*: ``journal.append``, one transaction per 64 events;
- *as consumed*: the kernel consumer's step for one fetch of 64 (``Consumer._apply_batch``):
  the inbox check and row and the journal entry of each event, in one transaction;
- *verify*: ``journal.verify`` of the whole chain (every hash recomputed, every link checked),
  then again under tracemalloc for its peak memory, which stays that of one batch.

It prints entries per second, and the CPU time per entry, steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from huiwu import migrations  # noqa: E402
from huiwu.bus import FETCH_BATCH, Bus  # noqa: E402
from huiwu.db import SessionFactory, create_db_engine, session_factory, unit_of_work  # noqa: E402
from huiwu.events.catalog import AttendeeCategory, AttendeeRegistered  # noqa: E402
from huiwu.events.envelope import CloudEvent, mint  # noqa: E402
from huiwu.inbox import Consumer  # noqa: E402
from huiwu.testing.databases import scratch_database  # noqa: E402
from services.supervision.journal import service as journal  # noqa: E402
from services.supervision.main import definition  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
GIVEN = "建国明伟洋静军华平芳强敏丽勇杰涛斌超秀英辉鹏飞红霞春玲"

Apply = Callable[[list[CloudEvent]], None]


def events(count: int) -> list[CloudEvent]:
    meeting_id = str(uuid.uuid4())
    made = []
    for number in range(count):
        data = AttendeeRegistered(
            meeting_id=meeting_id, attendee_id=str(uuid.uuid4()), version=1,
            name=SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)],
            organization="江南省纪委监委", title="委员", category=AttendeeCategory.member, rank=number + 1,
            delegation=f"第{number % 40 + 1}代表团",
        )  # fmt: skip
        event = mint(data, producer="registration", subject=data.attendee_id, meeting_id=meeting_id)
        made.append(event.model_copy(update={"actor": "报名组张三"}))
    return made


def chain_only(make_session: SessionFactory) -> Apply:
    def apply(batch: list[CloudEvent]) -> None:
        with unit_of_work(make_session) as session:
            for event in batch:
                journal.append(session, event)

    return apply


def as_consumed(make_session: SessionFactory) -> Apply:
    subscription = journal.SUBSCRIPTIONS[0]
    consumer = Consumer(subscription, make_session, Bus([], client_name="bench"))  # never connects

    def apply(batch: list[CloudEvent]) -> None:
        consumer._apply_batch([(event, 0) for event in batch])

    return apply


def timed(apply: Apply, events: list[CloudEvent], writers: int) -> tuple[float, float]:
    """Wall and CPU seconds for ``writers`` threads to apply every fetch of 64 events."""
    lock = threading.Lock()
    fetches = iter([events[start : start + FETCH_BATCH] for start in range(0, len(events), FETCH_BATCH)])

    def writer() -> None:
        while True:
            with lock:
                fetch = next(fetches, None)
            if fetch is None:
                return
            apply(fetch)

    threads = [threading.Thread(target=writer) for _ in range(writers)]
    wall, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - wall, time.process_time() - cpu


def report(label: str, count: int, seconds: tuple[float, float], extra: str = "") -> None:
    wall, cpu = seconds
    each = cpu / count * 1e6
    print(f"{label:<12} {count / wall:9.0f} entries/s   ({wall:6.2f} s, {each:5.0f} µs CPU each{extra})")


def run(args: argparse.Namespace, url: str) -> None:
    engine = create_db_engine(url)
    migrations.upgrade(engine, definition.name, definition.migrations, definition.metadata)
    make_session = session_factory(engine)
    first, second = events(args.n), events(args.n)

    appended = timed(chain_only(make_session), first, args.writers)
    consumed = timed(as_consumed(make_session), second, args.writers)
    verifying = time.perf_counter(), time.process_time()
    verdict = journal.verify(make_session)
    verified = time.perf_counter() - verifying[0], time.process_time() - verifying[1]
    assert verdict.intact and verdict.entries == 2 * args.n, verdict
    tracemalloc.start()
    journal.verify(make_session)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine.dispose()

    print(f"{args.n} entries appended twice over, {args.writers} writer(s), on {url.split(':')[0]}")
    report("chain only", args.n, appended)
    report("as consumed", args.n, consumed)
    report("verify", 2 * args.n, verified, f", peak {peak / 2**20:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    with scratch_database(args.database, "supervision") as url:
        run(args, url)


if __name__ == "__main__":
    main()
