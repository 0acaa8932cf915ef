"""Registration benchmark: how fast the gateway registers attendees, and how soon the departments
catch up.

    python bench/register.py [--url http://127.0.0.1:8000] [--token TOKEN] [-n 1000] [-c 16]
                             [--sync-timeout 120] [--spawn]

It creates a fresh meeting, registers N attendees with C requests in flight, prints the latency
of the registrations, then polls ``GET /api/v1/meetings/{id}/sync`` every 50 ms until every
service counts all of them. ``--spawn`` starts a whole platform of its own in a temporary
directory, so that nothing else needs to run. The exit code is 1 if a request failed or the
services did not catch up in time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from huiwu.demo import demo_attendees
from huiwu.runner import GATEWAY, Platform, free_port

REPO = Path(__file__).resolve().parents[1]
POLL_INTERVAL_S = 0.05
REQUEST_TIMEOUT_S = 30.0
LOG_TAIL_LINES = 15


@dataclass
class Registrations:
    """What the registration phase measured; times are ``time.perf_counter()`` values."""

    started: float = 0.0
    last_answer: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return self.statuses["201"]

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.succeeded


@dataclass
class Sync:
    """When each service first counted every registered attendee (``perf_counter`` values)."""

    caught_up: dict[str, float] = field(default_factory=dict)
    all_caught_up: float | None = None
    in_sync: bool = False
    last_report: dict[str, Any] = field(default_factory=dict)
    poll_failures: int = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway (default: %(default)s)")
    parser.add_argument("--token", help="bearer token (default: $HUIWU_BOOTSTRAP_TOKEN, else .huiwu/)")
    parser.add_argument("-n", type=int, default=1000, help="attendees to register (default: %(default)s)")
    parser.add_argument("-c", type=int, default=16, help="requests in flight (default: %(default)s)")
    parser.add_argument("--sync-timeout", type=float, default=120.0, help="seconds (default: %(default)s)")
    parser.add_argument("--spawn", action="store_true", help="start a platform of its own in a temp dir")
    args = parser.parse_args(argv)
    if args.n < 1 or args.c < 1:
        parser.error("-n and -c must be at least 1")
    if not args.spawn:
        token = args.token or default_token()
        if token is None:
            parser.error("no token: pass --token, set HUIWU_BOOTSTRAP_TOKEN, or run `make up` first")
        return asyncio.run(run(args.url, token, args.n, args.c, args.sync_timeout))
    code = 2
    with spawned_platform() as platform:
        try:
            code = asyncio.run(run(platform.url(GATEWAY), platform.token, args.n, args.c, args.sync_timeout))
        finally:
            if code != 0:
                print_log_tails(platform)
    return code


@contextmanager
def spawned_platform() -> Iterator[Platform]:
    """NATS, the services and the gateway in a temporary directory, on free ports (start_all's
    default; wait_ready checks each answer comes from the process it started); stopped after."""
    with tempfile.TemporaryDirectory(prefix="huiwu-bench-") as tmp:
        platform = Platform(data_dir=Path(tmp), gateway_port=free_port(), token=secrets.token_urlsafe(16))
        try:
            started = time.perf_counter()
            platform.start_nats()
            platform.start_all()
            platform.wait_ready()
            print(f"spawned a platform in {tmp} ({time.perf_counter() - started:.1f} s)", flush=True)
            yield platform
        finally:
            platform.stop_all()


def default_token() -> str | None:
    if token := os.environ.get("HUIWU_BOOTSTRAP_TOKEN", "").strip():
        return token
    data_dir = Path(os.environ.get("HUIWU_DATA_DIR", ".huiwu"))
    for path in (data_dir / "bootstrap-token", REPO / ".huiwu" / "bootstrap-token"):
        if path.is_file():
            return path.read_text().strip() or None
    return None


async def run(url: str, token: str, n: int, c: int, sync_timeout: float) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=c + 1, max_keepalive_connections=c + 1)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S, limits=limits
    ) as client:
        meeting_id = await create_meeting(client)
        registrations = await register(client, meeting_id, n, c)
        sync = await wait_for_sync(client, meeting_id, registrations.succeeded, sync_timeout)
    print(report(url, meeting_id, n, c, registrations, sync, sync_timeout))
    return 0 if registrations.errors == 0 and sync.all_caught_up is not None else 1


async def create_meeting(client: httpx.AsyncClient, label: str = "登记压力测试") -> str:
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    body = {"name": f"{label} {stamp}", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
    response = await client.post("/api/v1/meetings", json=body)
    if response.status_code != 201:
        raise SystemExit(f"creating the meeting: {response.status_code} {response.text}")
    return str(response.json()["id"])


async def register(client: httpx.AsyncClient, meeting_id: str, n: int, c: int) -> Registrations:
    bodies = demo_attendees()
    path = f"/api/v1/meetings/{meeting_id}/attendees"
    semaphore = asyncio.Semaphore(c)
    result = Registrations()

    async def one(index: int) -> None:
        body = dict(bodies[index % len(bodies)])
        if index >= len(bodies):
            body.pop("rank", None)  # the protocol order belongs to the first round only
        async with semaphore:
            sent = time.perf_counter()
            try:
                response = await client.post(path, json=body)
                status, detail = str(response.status_code), response.text
            except httpx.HTTPError as error:
                status, detail = type(error).__name__, str(error)
            answered = time.perf_counter()
        result.latencies.append(answered - sent)
        result.last_answer = max(result.last_answer, answered)
        result.statuses[status] += 1
        if status != "201" and len(result.error_samples) < 3:
            result.error_samples.append(f"{status}: {detail[:300]}")

    result.started = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(n)))
    return result


async def wait_for_sync(client: httpx.AsyncClient, meeting_id: str, expected: int, timeout: float) -> Sync:
    sync = Sync()
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            response = await client.get(f"/api/v1/meetings/{meeting_id}/sync")
        except httpx.HTTPError:
            response = None
        now = time.perf_counter()
        if response is None or response.status_code != 200:
            sync.poll_failures += 1
        else:
            sync.last_report = response.json()
            services: dict[str, dict[str, Any]] = sync.last_report.get("services", {})
            for name, status in services.items():
                if name not in sync.caught_up and status.get("attendees") == expected:
                    sync.caught_up[name] = now
            if services and all(status.get("attendees") == expected for status in services.values()):
                sync.all_caught_up = now
                sync.in_sync = bool(sync.last_report.get("in_sync"))
                return sync
        await asyncio.sleep(POLL_INTERVAL_S)
    return sync


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def report(
    url: str, meeting_id: str, n: int, c: int, registrations: Registrations, sync: Sync, sync_timeout: float
) -> str:
    wall = registrations.last_answer - registrations.started
    ordered = sorted(registrations.latencies)
    ms = [percentile(ordered, p) * 1000 for p in (50, 90, 99, 100)]
    lines = [
        f"registration benchmark against {url}",
        f"  meeting            {meeting_id}",
        f"  attendees (N)      {n}",
        f"  concurrency (C)    {c}",
        f"  wall time          {wall:9.3f} s",
        f"  throughput         {n / wall if wall > 0 else float('inf'):9.1f} req/s",
        f"  latency ms         p50 {ms[0]:.1f}   p90 {ms[1]:.1f}   p99 {ms[2]:.1f}   max {ms[3]:.1f}",
        f"  errors             {registrations.errors}",
    ]
    if registrations.errors:
        others = {status: count for status, count in registrations.statuses.items() if status != "201"}
        lines.append(f"  error statuses     {others}")
        lines.extend(f"    {sample}" for sample in registrations.error_samples)
    expected = registrations.succeeded
    lines.append(f"sync: every service counts {expected} attendees (seconds after the last answer)")
    services: dict[str, dict[str, Any]] = sync.last_report.get("services", {})
    for name in services or sync.caught_up:
        if name in sync.caught_up:
            lines.append(f"  {name:<17}  {sync.caught_up[name] - registrations.last_answer:+9.3f} s")
        else:
            status = services.get(name, {})
            seen = status.get("attendees", status.get("error", "?"))
            lines.append(f"  {name:<17}  not caught up (last seen: {seen})")
    if sync.all_caught_up is None:
        lines.append(f"  all in sync        TIMED OUT after {sync_timeout:.0f} s")
    else:
        after_last = sync.all_caught_up - registrations.last_answer
        after_first = sync.all_caught_up - registrations.started
        lines.append(
            f"  all in sync        {after_last:+9.3f} s   ({after_first:.3f} s after the first request)"
        )
        lines.append(f"  gateway in_sync    {sync.in_sync}")
    if sync.poll_failures:
        lines.append(f"  failed polls       {sync.poll_failures}")
    return "\n".join(lines)


def print_log_tails(platform: Platform) -> None:
    for name in ["nats", *platform.service_ports, GATEWAY]:
        path = platform.log_path(name)
        if path.exists():
            tail = path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
            print(f"--- {path.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
