"""The fault suite's topology (three NATS nodes, two processes per service, a PostgreSQL of its
own), shared by its scenarios; and the table of their results, printed at the end of the run and,
after a full run (``make faults``), written to ``docs/reliability.md``."""

from __future__ import annotations

import os
import platform as host
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from huiwu.chinese import CHINA_TIME
from huiwu.runner import GATEWAY, nats_server_binary
from huiwu.settings import SERVICES
from tests.faults.harness import FaultCluster, Outcome
from tests.faults.postgres import PrivatePostgres, postgres_binaries
from tests.faults.topology import running_cluster

SCENARIOS = 8
RESULTS: list[Outcome] = []
REPORT = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("no initdb/pg_ctl/setpriv: the fault suite runs (and restarts) a PostgreSQL of its own")
    server = PrivatePostgres(binaries)
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.remove()


@pytest.fixture(scope="session")
def fault_cluster(
    private_postgres: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultCluster]:
    urls = {name: private_postgres.create_database(f"huiwu_{name}") for name in (*SERVICES, GATEWAY)}
    env = {f"HUIWU_{name.upper()}_DATABASE_URL": url for name, url in urls.items()}
    with running_cluster(tmp_path_factory.mktemp("fault-cluster"), env) as platform:
        cluster = FaultCluster(platform, private_postgres, urls)
        try:
            yield cluster
        finally:
            cluster.close()


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| scenario | operations | ok | recovered | unknown | lost | duplicated | converged in |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for outcome in sorted(outcomes, key=lambda o: o.number):
        tally = outcome.tally
        converged = "not converged" if outcome.converge_s is None else f"{outcome.converge_s:.1f} s"
        lines.append(
            f"| {outcome.number}. {outcome.title} | {tally.operations} | {tally.ok} | {tally.recovered} "
            f"| {tally.unknown} | {tally.lost} | {tally.duplicated} | {converged} |"
        )
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not RESULTS:
        return
    terminalreporter.section("fault scenarios")
    terminalreporter.write_line(table(RESULTS))
    if len({outcome.number for outcome in RESULTS}) == SCENARIOS:
        REPORT.write_text(_report(), encoding="utf-8")
        terminalreporter.write_line(f"written to {REPORT}")


def _report() -> str:
    version = subprocess.run(
        [nats_server_binary(), "--version"], capture_output=True, text=True
    ).stdout.strip()
    when = datetime.now(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    template = (Path(__file__).parent / "reliability.md.in").read_text(encoding="utf-8")
    return template.format(
        table=table(RESULTS),
        when=when,
        machine=f"{host.system()} {host.machine()}, {os.cpu_count()} cores",
        nats=version,
    )
