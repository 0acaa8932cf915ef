"""Check-in benchmark: how many badge scans per second the gateway signs in, and how soon the
attendance count shows them.

    python bench/checkin.py [--url http://127.0.0.1:8000] [--token TOKEN] [-n 1000] [-c 32]
                            [--repeat 0.1] [--seed 2027] [--timeout 120] [--spawn]

It creates a fresh meeting, registers N attendees and fetches their badges (not measured), waits
until the departments have caught up with the registrations, then lets C scanners scan: every
badge once (201 expected), plus ``--repeat`` × N re-scans of someone already signed in (200
expected), each scanner one request at a time with nonces ``<scanner>:<seq>``. It prints the
throughput and latency of the scans, then polls ``GET /api/v1/meetings/{id}/attendance`` every
50 ms until everyone counted there (staff are not) is present, and ``/sync`` until registration's
outbox has published every check-in. ``--spawn`` starts a whole platform of its own in a
temporary directory. The exit code is 1 if a scan was answered otherwise than expected or the
counts did not arrive in time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

# bench/ is not a package; run as a script, this directory is on sys.path and the registration
# benchmark's helpers import as ``register``.
from register import (
    POLL_INTERVAL_S,
    REQUEST_TIMEOUT_S,
    create_meeting,
    default_token,
    percentile,
    print_log_tails,
    spawned_platform,
    wait_for_sync,
)

from huiwu.demo import demo_attendees
from huiwu.runner import GATEWAY

STAFF = "staff"  # not counted in attendance (RULES R6.3)


@dataclass(frozen=True)
class Roster:
    """The attendees registered for the benchmark, in registration order."""

    attendee_ids: list[str]
    categories: list[str]
    seconds: float

    @property
    def counted(self) -> int:
        return sum(category != STAFF for category in self.categories)


@dataclass(frozen=True)
class Scan:
    attendee: int  # index into the roster
    repeat: bool

    @property
    def expected(self) -> str:
        return "200" if self.repeat else "201"


@dataclass
class Scans:
    """What the scanning phase measured; times are ``time.perf_counter()`` values."""

    planned: int = 0
    repeats: int = 0
    started: float = 0.0
    last_answer: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)


@dataclass
class Arrival:
    """When a poll first saw what it waited for (``perf_counter``), and the last answer it got."""

    at: float | None = None
    last: dict[str, Any] = field(default_factory=dict)
    poll_failures: int = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway (default: %(default)s)")
    parser.add_argument("--token", help="bearer token (default: $HUIWU_BOOTSTRAP_TOKEN, else .huiwu/)")
    parser.add_argument("-n", type=int, default=1000, help="attendees (default: %(default)s)")
    parser.add_argument("-c", type=int, default=32, help="scanners, one request each (default: %(default)s)")
    parser.add_argument(
        "--repeat", type=float, default=0.1, help="re-scans, as a fraction of N (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=2027, help="for the re-scans (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0, help="for each wait (default: %(default)s s)")
    parser.add_argument("--spawn", action="store_true", help="start a platform of its own in a temp dir")
    args = parser.parse_args(argv)
    if args.n < 1 or args.c < 1:
        parser.error("-n and -c must be at least 1")
    if args.repeat < 0:
        parser.error("--repeat must not be negative")
    options = (args.n, args.c, args.repeat, args.seed, args.timeout)
    if not args.spawn:
        token = args.token or default_token()
        if token is None:
            parser.error("no token: pass --token, set HUIWU_BOOTSTRAP_TOKEN, or run `make up` first")
        return asyncio.run(run(args.url, token, *options))
    code = 2
    with spawned_platform() as platform:
        try:
            code = asyncio.run(run(platform.url(GATEWAY), platform.token, *options))
        finally:
            if code != 0:
                print_log_tails(platform)
    return code


def client_for(url: str, token: str, c: int) -> httpx.AsyncClient:
    """One client for the whole run: a keep-alive connection per scanner, and one to poll with."""
    limits = httpx.Limits(max_connections=c + 1, max_keepalive_connections=c + 1)
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S, limits=limits)


def scanners_for(url: str, token: str, c: int) -> aiohttp.ClientSession:
    """The scanners' connections. aiohttp, not httpx, for the measured part: on 2 cores an httpx
    request costs ~3.4 ms of the client's CPU, which the platform under test would lose."""
    connector = aiohttp.TCPConnector(limit=c + 1)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    headers = {"Authorization": f"Bearer {token}"}
    return aiohttp.ClientSession(url, headers=headers, connector=connector, timeout=timeout)


async def run(url: str, token: str, n: int, c: int, repeat: float, seed: int, timeout: float) -> int:
    async with client_for(url, token, c) as client:
        meeting_id, roster, badges, settled = await prepare(client, n, c, timeout)
        async with scanners_for(url, token, c) as scanners:
            scans = await scan(scanners, meeting_id, badges, c, repeat, seed)
        attendance = await wait_for_attendance(client, meeting_id, roster.counted, timeout)
        outbox = await wait_for_outbox(client, meeting_id, timeout)
    print(report(url, meeting_id, c, roster, settled, scans, attendance, outbox, timeout))
    return 0 if scans.errors == 0 and attendance.at is not None and outbox.at is not None else 1


async def prepare(
    client: httpx.AsyncClient, n: int, c: int, timeout: float
) -> tuple[str, Roster, list[str], float | None]:
    """The meeting, its roster and badges, and how long the departments took to catch up with
    the registrations (None: not in time), so that the scans have the machine to themselves."""
    meeting_id = await create_meeting(client, "签到压力测试")
    roster = await register_attendees(client, meeting_id, n, c)
    print(f"registered {n} attendees in {roster.seconds:.1f} s", flush=True)
    started = time.perf_counter()
    badges = await fetch_badges(client, meeting_id, roster.attendee_ids, c)
    print(f"fetched {n} badges in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    sync = await wait_for_sync(client, meeting_id, n, timeout)
    settled = None if sync.all_caught_up is None else sync.all_caught_up - started
    return meeting_id, roster, badges, settled


async def register_attendees(client: httpx.AsyncClient, meeting_id: str, n: int, c: int) -> Roster:
    bodies = demo_attendees()
    path = f"/api/v1/meetings/{meeting_id}/attendees"
    semaphore = asyncio.Semaphore(c)

    async def one(index: int) -> tuple[str, str]:
        body = dict(bodies[index % len(bodies)])
        if index >= len(bodies):
            body.pop("rank", None)  # the protocol order belongs to the first round only
        async with semaphore:
            response = await client.post(path, json=body)
        if response.status_code != 201:
            raise SystemExit(f"registering attendee {index}: {response.status_code} {response.text[:300]}")
        attendee = response.json()
        return str(attendee["id"]), str(attendee["category"])

    started = time.perf_counter()
    registered = await asyncio.gather(*(one(index) for index in range(n)))
    return Roster(
        attendee_ids=[attendee_id for attendee_id, _ in registered],
        categories=[category for _, category in registered],
        seconds=time.perf_counter() - started,
    )


async def fetch_badges(
    client: httpx.AsyncClient, meeting_id: str, attendee_ids: list[str], c: int
) -> list[str]:
    semaphore = asyncio.Semaphore(c)

    async def one(attendee_id: str) -> str:
        async with semaphore:
            response = await client.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/badge")
        if response.status_code != 200:
            raise SystemExit(f"fetching a badge: {response.status_code} {response.text[:300]}")
        return str(response.json()["token"])

    return list(await asyncio.gather(*(one(attendee_id) for attendee_id in attendee_ids)))


def plan(n: int, repeat: float, seed: int) -> list[Scan]:
    """Every badge once in roster order, and ``repeat`` × N re-scans of random attendees, each
    placed somewhere after that attendee's first scan."""
    rng = random.Random(seed)
    keyed = [(float(index), Scan(index, repeat=False)) for index in range(n)]
    for index in rng.choices(range(n), k=round(repeat * n)):
        keyed.append((index + 1 + rng.random() * (n - index), Scan(index, repeat=True)))
    keyed.sort(key=lambda pair: pair[0])
    return [scan for _, scan in keyed]


async def scan(
    client: aiohttp.ClientSession, meeting_id: str, badges: list[str], c: int, repeat: float, seed: int
) -> Scans:
    """C scanners take the planned scans in order, one request at a time each. A re-scan waits
    until the first scan of that badge was answered (not counted in its latency)."""
    queue = plan(len(badges), repeat, seed)
    path = f"/api/v1/meetings/{meeting_id}/checkins"
    answered = [asyncio.Event() for _ in badges]
    result = Scans(planned=len(queue), repeats=sum(planned.repeat for planned in queue))
    upcoming = iter(queue)

    async def scanner(number: int) -> None:
        for seq, planned in enumerate(upcoming):  # a shared iterator: each scan is taken once
            if planned.repeat:
                await answered[planned.attendee].wait()
            body = {"badge": badges[planned.attendee], "gate": f"门{number}", "nonce": f"{number}:{seq}"}
            sent = time.perf_counter()
            try:
                async with client.post(path, json=body) as response:
                    status, detail = str(response.status), await response.text()
            except (aiohttp.ClientError, TimeoutError) as error:
                status, detail = type(error).__name__, str(error)
            done = time.perf_counter()
            answered[planned.attendee].set()
            result.latencies.append(done - sent)
            result.last_answer = max(result.last_answer, done)
            result.statuses[status] += 1
            if status != planned.expected:
                result.errors += 1
                if len(result.error_samples) < 3:
                    result.error_samples.append(f"{status} (expected {planned.expected}): {detail[:300]}")

    result.started = time.perf_counter()
    await asyncio.gather(*(scanner(number) for number in range(1, c + 1)))
    return result


async def wait_for_attendance(
    client: httpx.AsyncClient, meeting_id: str, expected: int, timeout: float
) -> Arrival:
    """Until the attendance counts ``expected`` present (everyone but staff)."""
    return await poll(
        client,
        f"/api/v1/meetings/{meeting_id}/attendance",
        lambda body: body.get("total", {}).get("present") == expected,
        timeout,
    )


async def wait_for_outbox(client: httpx.AsyncClient, meeting_id: str, timeout: float) -> Arrival:
    """Until registration has published every event it recorded (the check-ins) to NATS."""

    def drained(body: dict[str, Any]) -> bool:
        return bool(body.get("services", {}).get("registration", {}).get("outbox_pending") == 0)

    return await poll(client, f"/api/v1/meetings/{meeting_id}/sync", drained, timeout)


async def poll(
    client: httpx.AsyncClient, path: str, done: Callable[[dict[str, Any]], bool], timeout: float
) -> Arrival:
    arrival = Arrival()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            response = await client.get(path)
        except httpx.HTTPError:
            response = None
        now = time.perf_counter()
        if response is None or response.status_code != 200:
            arrival.poll_failures += 1
        else:
            arrival.last = response.json()
            if done(arrival.last):
                arrival.at = now
                return arrival
        await asyncio.sleep(POLL_INTERVAL_S)
    return arrival


def report(
    url: str,
    meeting_id: str,
    c: int,
    roster: Roster,
    settled: float | None,
    scans: Scans,
    attendance: Arrival,
    outbox: Arrival,
    timeout: float,
) -> str:
    n = len(roster.attendee_ids)
    wall = scans.last_answer - scans.started
    ordered = sorted(scans.latencies)
    ms = [percentile(ordered, p) * 1000 for p in (50, 90, 99, 100)] if ordered else [float("nan")] * 4
    per_s, first_per_s = rate(len(ordered), wall), rate(scans.statuses["201"], wall)
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(scans.statuses.items()))
    synced = f"{settled:9.3f} s after the badges (before scanning)" if settled is not None else "NOT in time"
    lines = [
        f"check-in benchmark against {url}",
        f"  meeting            {meeting_id}",
        f"  attendees (N)      {n}   ({roster.counted} counted in attendance; staff are not)",
        f"  scanners (C)       {c}",
        f"  scans              {scans.planned}   ({n} first, {scans.repeats} repeats)",
        f"  departments synced {synced}",
        f"  wall time          {wall:9.3f} s",
        f"  throughput         {per_s:9.1f} check-ins/s   ({first_per_s:.1f}/s answered 201)",
        f"  latency ms         p50 {ms[0]:.1f}   p90 {ms[1]:.1f}   p99 {ms[2]:.1f}   max {ms[3]:.1f}",
        f"  statuses           {statuses}",
        f"  errors             {scans.errors}",
    ]
    lines.extend(f"    {sample}" for sample in scans.error_samples)
    present = attendance.last.get("total", {}).get("present")
    lines.append(f"attendance: {roster.counted} present (seconds after the last answer)")
    lines.append("  all present        " + after(attendance, scans, timeout, f"last seen {present}"))
    lines.append(f"  announcement       {attendance.last.get('announcement', '?')}")
    pending = outbox.last.get("services", {}).get("registration", {}).get("outbox_pending")
    lines.append("  outbox drained     " + after(outbox, scans, timeout, f"{pending} pending"))
    if failures := attendance.poll_failures + outbox.poll_failures:
        lines.append(f"  failed polls       {failures}")
    return "\n".join(lines)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def after(arrival: Arrival, scans: Scans, timeout: float, otherwise: str) -> str:
    if arrival.at is None:
        return f"TIMED OUT after {timeout:.0f} s ({otherwise})"
    return f"{arrival.at - scans.last_answer:+9.3f} s"


if __name__ == "__main__":
    sys.exit(main())
