"""`huiwu up --cluster` on one machine: three NATS nodes forming a JetStream cluster, every stream
on all three, and two processes per service sharing its database (SQLite files in the data dir,
or PostgreSQL), with the gateway taking turns between them. It keeps registering and checking in
while a NATS node is killed, and scheduled work runs once though two schedulers sweep."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from huiwu.chinese import CHINA_TIME
from huiwu.db import utcnow
from huiwu.runner import GATEWAY, Platform
from huiwu.settings import SERVICES
from huiwu.testing.databases import POSTGRES_URL_VARIABLE, Databases, postgres_admin_url
from tests.faults.topology import running_cluster, stream_leader, until, wait_until_replicated
from tests.test_slice_end_to_end import create_meeting, register, wait_for_sync

STREAMS = [service.upper() for service in SERVICES]
CONVERGE_S = 120.0  # twelve processes on two shared cores


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Shared by the module. On SQLite both processes of a service open the same file in the data
    dir (what `huiwu up --cluster` does); on PostgreSQL the same database."""
    if request.param == "postgres" and postgres_admin_url() is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    directory = tmp_path_factory.mktemp(f"cluster-{request.param}")
    databases = Databases(str(request.param), directory)
    env = {"HUIWU_SUPERVISION_SWEEP_INTERVAL_S": "0.2"}
    if request.param == "postgres":
        env |= {f"HUIWU_{name.upper()}_DATABASE_URL": databases.url(name) for name in (*SERVICES, GATEWAY)}
    try:
        with running_cluster(directory, env) as platform:
            yield platform
    finally:
        databases.drop_all()


@pytest.fixture
def gateway(cluster: Platform) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {cluster.token}"}
    with httpx.Client(base_url=cluster.url(GATEWAY), headers=headers, timeout=30) as client:
        yield client


def check_in(gateway: httpx.Client, meeting_id: str, attendee_id: str) -> httpx.Response:
    badge = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/badge").json()
    scan = {"badge": badge["token"], "nonce": f"北门-{attendee_id}"}  # one scan, one nonce
    return gateway.post(f"/api/v1/meetings/{meeting_id}/checkins", json=scan)


def journal(gateway: httpx.Client, meeting_id: str, event_type: str) -> list[dict[str, Any]]:
    """The meeting's events of this type, as supervision's journal recorded them (each once)."""
    params: dict[str, str | int] = {"type": event_type, "limit": 500}
    page = gateway.get(f"/api/v1/meetings/{meeting_id}/journal", params=params).json()
    items: list[dict[str, Any]] = page["items"]
    return items


def served(platform: Platform, name: str, method: str, status: int) -> float:
    """How many such requests this one process answered (its /metrics)."""
    metrics = httpx.get(f"{platform.url(name)}/metrics").text
    pattern = rf'huiwu_http_requests_total\{{[^}}]*method="{method}"[^}}]*status="{status}"[^}}]*\}} (\S+)'
    return sum(float(value) for value in re.findall(pattern, metrics))


def test_every_stream_lives_on_three_nodes_and_every_service_runs_twice(cluster: Platform) -> None:
    assert len(cluster.nats_names) == 3 and len(cluster.nats_url.split(",")) == 3
    for stream in STREAMS:
        info = wait_until_replicated(cluster, stream)
        assert info.config.num_replicas == 3
        assert {info.cluster.leader, *(peer.name for peer in info.cluster.replicas)} == set(
            cluster.nats_names
        )
    for service in SERVICES:
        first, second = cluster.replica_names(service)
        pids = {httpx.get(f"{cluster.url(name)}/healthz").json()["pid"] for name in (first, second)}
        assert len(pids) == 2


def test_the_gateway_takes_turns_between_replicas_and_skips_one_that_is_down(
    cluster: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    before = {name: served(cluster, name, "POST", 201) for name in cluster.replica_names("registration")}
    for number in range(6):
        register(gateway, meeting_id, f"轮询代表{number}")
    after = {name: served(cluster, name, "POST", 201) for name in cluster.replica_names("registration")}
    assert all(after[name] > before[name] for name in after), (before, after)

    cluster.stop("registration", kill=True)
    try:
        answers = [
            gateway.post(
                f"/api/v1/meetings/{meeting_id}/attendees",
                json={"name": f"备用代表{number}", "organization": "江州市纪委监委", "title": "书记"},
            ).status_code
            for number in range(6)
        ]
    finally:
        cluster.restart("registration")
        cluster.wait_ready(["registration"])
    assert answers == [201] * 6
    wait_for_sync(gateway, meeting_id, 12)


def test_registration_and_check_in_go_on_while_the_leading_nats_node_is_killed(
    cluster: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    people = [register(gateway, meeting_id, f"委员{number:02d}")["id"] for number in range(10)]
    wait_for_sync(gateway, meeting_id, 10)
    leader = stream_leader(cluster, "REGISTRATION")

    cluster.stop(leader, kill=True)
    try:
        people += [register(gateway, meeting_id, f"委员{number:02d}")["id"] for number in range(10, 20)]
        scans = [check_in(gateway, meeting_id, person).status_code for person in people]
        # the relay retries with growing delays (up to 30 s) while a new leader is elected
        wait_for_sync(gateway, meeting_id, 20, timeout=CONVERGE_S)
        assert stream_leader(cluster, "REGISTRATION") != leader
    finally:
        cluster.restart(leader)

    people += [register(gateway, meeting_id, f"委员{number:02d}")["id"] for number in range(20, 25)]
    report = wait_for_sync(gateway, meeting_id, 25, timeout=CONVERGE_S)
    attendance = gateway.get(f"/api/v1/meetings/{meeting_id}/attendance").json()
    assert scans == [201] * 20
    assert attendance["total"]["present"] == 20
    assert report["services"]["venue"]["events_applied"] == 25 + 1  # each registration once, the meeting

    # The journal is a consumer of its own, behind its own retries: it gets there, each once.
    def journaled() -> list[dict[str, Any]]:
        return journal(gateway, meeting_id, "huiwu.registration.attendee.checked_in.v1")

    until(lambda: len(journaled()) >= 20, timeout=CONVERGE_S, what="every check-in journaled")
    assert sorted(entry["subject"] for entry in journaled()) == sorted(people[:20])
    assert report["services"]["registration"]["outbox_pending"] == 0
    info = wait_until_replicated(cluster, "REGISTRATION")  # the restarted node caught up
    assert leader in {info.cluster.leader, *(peer.name for peer in info.cluster.replicas)}


def test_scheduled_work_runs_once_though_both_supervision_replicas_sweep(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    past = (utcnow() - timedelta(minutes=5)).astimezone(CHINA_TIME).isoformat()
    requests = []
    for number in range(1, 13):
        body = {
            "kind": "errand",
            "text": f"第{number}项交办事项",
            "assigned_to": "会务组李四",
            "due_at": past,
        }
        response = gateway.post(f"/api/v1/meetings/{meeting_id}/requests", json=body)
        assert response.status_code == 201, response.text
        requests.append(response.json()["id"])

    def opened() -> list[dict[str, Any]]:
        return journal(gateway, meeting_id, "huiwu.supervision.case.opened.v1")

    until(lambda: len(opened()) >= len(requests), timeout=60, what="a follow-up for every overdue request")
    time.sleep(1.0)  # both schedulers sweep every 0.2 s: five more passes each, which must add nothing
    cases = gateway.get(
        f"/api/v1/meetings/{meeting_id}/cases", params={"kind": "request_follow_up", "limit": 500}
    ).json()["items"]
    assert sorted(entry["payload"]["request_id"] for entry in opened()) == sorted(requests)
    assert len(cases) == len(requests)
