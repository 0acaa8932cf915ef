"""One fault scenario from start to verdict: prepare a meeting, run the workload, inject the fault
(and heal it) while it runs, stop the workload, then poll every department until it agrees with
what the clients were told, or the scenario's time is up."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from huiwu.db import normalize_url
from huiwu.runner import GATEWAY, Platform
from tests.faults.checker import Checker, Tally
from tests.faults.postgres import PrivatePostgres
from tests.faults.workload import Meeting, Op, Workload, gateway_client, prepare

LEAD_S = 2.0  # operations flow this long before the fault
TAIL_S = 2.0  # and this long after it is healed
POLL_S = 0.5


@dataclass
class FaultCluster:
    """The cluster topology on a PostgreSQL of the suite's own."""

    platform: Platform
    postgres: PrivatePostgres
    database_urls: dict[str, str]
    _engines: dict[str, Engine] = field(default_factory=dict)

    def gateway(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.platform.token}"}
        return httpx.Client(base_url=self.platform.url(GATEWAY), headers=headers, timeout=30)

    def query(self, service: str, sql: str, **parameters: Any) -> list[Any]:
        """Rows from one service's database, read as the checker sees it."""
        if service not in self._engines:
            url = normalize_url(self.database_urls[service])
            self._engines[service] = create_engine(url, pool_pre_ping=True, pool_size=2)
        with self._engines[service].connect() as connection:
            return list(connection.execute(text(sql), parameters))

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()


@dataclass
class Outcome:
    number: int
    title: str
    tally: Tally
    converge_s: float | None  # None: not converged within the scenario's time
    ops: list[Op]
    meeting: Meeting


# Injects the fault and heals it. It runs on the main thread, which started every process: a
# process is started with PR_SET_PDEATHSIG, which fires when the *thread* that started it ends,
# so one restarted from a worker thread would be stopped when that thread is.
Fault = Callable[[FaultCluster, Meeting], None]


def run_scenario(
    cluster: FaultCluster, number: int, title: str, fault: Fault, *, converge_within: float
) -> Outcome:
    platform = cluster.platform
    workload = WorkloadThread(platform.url(GATEWAY), platform.token, f"故障演练第{number}场：{title}")
    meeting = workload.start()
    time.sleep(LEAD_S)
    try:
        fault(cluster, meeting)
        time.sleep(TAIL_S)
    finally:
        ops = workload.stop()
    stopped = time.monotonic()
    with cluster.gateway() as gateway:
        tally, converged = _converge(Checker(gateway, cluster.query, meeting), ops, stopped + converge_within)
    return Outcome(number, title, tally, None if converged is None else converged - stopped, ops, meeting)


class WorkloadThread:
    """The workload on an event loop of its own, beside the main thread that injects the fault."""

    def __init__(self, gateway_url: str, token: str, meeting_name: str) -> None:
        self._arguments = (gateway_url, token, meeting_name)
        self._prepared = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workload", daemon=True)
        self._meeting: Meeting | None = None
        self._ops: list[Op] = []
        self._error: BaseException | None = None

    def start(self) -> Meeting:
        """Prepare the meeting, then set the operations going; returns the meeting."""
        self._thread.start()
        self._prepared.wait()
        if self._meeting is None:
            self._thread.join()
            raise RuntimeError("the meeting could not be prepared") from self._error
        return self._meeting

    def stop(self) -> list[Op]:
        self._stopping.set()
        self._thread.join()
        if self._error is not None:
            raise RuntimeError("the workload failed") from self._error
        return self._ops

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:
            self._error = error
        finally:
            self._prepared.set()

    async def _main(self) -> None:
        url, token, meeting_name = self._arguments
        async with gateway_client(url, token) as client:
            self._meeting = await prepare(client, meeting_name)
            workload = Workload(client, self._meeting)
            self._prepared.set()
            running = asyncio.create_task(workload.run())
            while not self._stopping.is_set():
                await asyncio.sleep(0.1)
            workload.stop()
            self._ops = await running


def _converge(checker: Checker, ops: list[Op], deadline: float) -> tuple[Tally, float | None]:
    """The first tally in which everything agrees (and when), else the last one."""
    while True:
        try:
            tally = checker.tally(ops)
        except (httpx.HTTPError, OperationalError) as error:  # a service or the database coming back
            tally = Tally(operations=len(ops), problems=[f"could not read the state: {error}"])
        if tally.converged:
            return tally, time.monotonic()
        if time.monotonic() > deadline:
            return tally, None
        time.sleep(POLL_S)


def heal_everything(cluster: FaultCluster) -> None:
    """After a scenario, whatever it did: every process running and ready for the next one."""
    platform = cluster.platform
    for name in [*platform.nats_names, *platform.service_names, GATEWAY]:
        process = platform.processes.get(name)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a scenario that failed may have left it frozen
        else:
            platform.stop(name)
            platform.restart(name)
    platform.wait_ready(timeout=120)
