"""The eight fault scenarios of issue 9 on the cluster topology. In each, the workload registers,
checks in, moves sessions and takes copies back while the fault is injected and healed; then
every department must agree with what the clients were told: nothing acknowledged lost, nothing
applied twice. ``faults_ci`` marks the ones fast enough for every CI run."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections import Counter

import httpx
import nats
import pytest

from huiwu.bus import ACK_WAIT_S
from tests.faults.checker import EVENT_OF, consumers_of
from tests.faults.conftest import RESULTS
from tests.faults.harness import Fault, FaultCluster, Outcome, heal_everything, run_scenario
from tests.faults.topology import stream_leader, unacknowledged, until, wait_until_replicated
from tests.faults.workload import Meeting

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]

STREAMS = ["REGISTRATION", "VENUE", "DOCUMENTS", "SUPERVISION"]


def scenario(
    cluster: FaultCluster, number: int, title: str, fault: Fault, *, converge_within: float = 90.0
) -> Outcome:
    """Run it, record its row of the table, and hold it to lost = 0 and duplicated = 0."""
    try:
        outcome = run_scenario(cluster, number, title, fault, converge_within=converge_within)
    finally:
        heal_everything(cluster)
    RESULTS.append(outcome)
    tally = outcome.tally
    assert tally.operations > 0
    assert (tally.lost, tally.duplicated) == (0, 0), tally.problems
    assert outcome.converge_s is not None, tally.problems
    return outcome


def hold_deliveries(cluster: FaultCluster, holder: str, *, beside: str, attempts: int = 5) -> int:
    """Freeze ``holder`` (a venue process) with registration events delivered to it and not
    acknowledged; returns how many. Its twin is paused first, until its own pending fetch has
    expired, so that the holder's fetch is the one the next events go to; when the holder was
    caught between fetches (nothing in hand), it is woken and frozen again."""
    processes = cluster.platform.processes
    for _ in range(attempts):
        processes[beside].send_signal(signal.SIGSTOP)
        time.sleep(1.5)
        processes[holder].send_signal(signal.SIGSTOP)
        time.sleep(1.0)
        processes[beside].send_signal(signal.SIGCONT)
        time.sleep(2.0)  # the twin takes, and acknowledges, what waited meanwhile
        if held := unacknowledged(cluster.platform, "REGISTRATION", "venue__registration"):
            return held
        processes[holder].send_signal(signal.SIGCONT)
        time.sleep(1.0)
    return 0


def kill_and_restart(cluster: FaultCluster, name: str, *, down_s: float) -> None:
    cluster.platform.stop(name, kill=True)
    time.sleep(down_s)
    cluster.platform.restart(name)


@pytest.mark.faults_ci
def test_1_a_producing_service_killed_mid_stream(fault_cluster: FaultCluster) -> None:
    """Registration's first process, frozen a moment so that requests and outbox rows are in its
    hands, dies; the other serves on, and claims its rows once their lease runs out."""

    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        cluster.platform.processes["registration"].send_signal(signal.SIGSTOP)
        time.sleep(1.0)
        kill_and_restart(cluster, "registration", down_s=2.0)
        cluster.platform.wait_ready(["registration"])

    scenario(fault_cluster, 1, "生产方进程被强杀", fault)


def test_2_a_consuming_service_killed_mid_handler(fault_cluster: FaultCluster) -> None:
    """Venue's first process dies holding deliveries it never acknowledged; JetStream gives them
    to the other when the ack wait runs out, and the inbox settles any it had committed."""
    held: list[int] = []

    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        held.append(hold_deliveries(cluster, "venue", beside="venue-2"))
        kill_and_restart(cluster, "venue", down_s=1.0)
        cluster.platform.wait_ready(["venue"])

    scenario(fault_cluster, 2, "消费方处理中被强杀", fault, converge_within=ACK_WAIT_S + 60)
    assert held[0] > 0


@pytest.mark.faults_ci
def test_3_the_nats_node_leading_the_stream_killed_while_publishing(
    fault_cluster: FaultCluster,
) -> None:
    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        leader = stream_leader(cluster.platform, "REGISTRATION")
        kill_and_restart(cluster, leader, down_s=5.0)
        wait_until_replicated(cluster.platform, "REGISTRATION")

    scenario(fault_cluster, 3, "流的主节点被强杀", fault)


def test_4_every_nats_node_killed_then_restarted(fault_cluster: FaultCluster) -> None:
    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        platform = cluster.platform
        for name in platform.nats_names:
            platform.stop(name, kill=True)
        time.sleep(3.0)
        for name in platform.nats_names:
            platform.restart(name)
        for stream in STREAMS:
            wait_until_replicated(platform, stream, timeout=90)

    scenario(fault_cluster, 4, "三个NATS节点全部被强杀", fault)


def test_5_a_service_cut_off_longer_than_the_ack_wait(fault_cluster: FaultCluster) -> None:
    """Venue's second process, frozen (SIGSTOP) with deliveries in hand, past the ack wait: they go
    to the first, and when it wakes its late acknowledgements and commits meet the inbox."""
    held: list[int] = []

    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        held.append(hold_deliveries(cluster, "venue-2", beside="venue"))
        time.sleep(ACK_WAIT_S + 5)
        cluster.platform.processes["venue-2"].send_signal(signal.SIGCONT)

    scenario(fault_cluster, 5, "服务与NATS失联超过确认等待", fault, converge_within=ACK_WAIT_S + 60)
    assert held[0] > 0


def test_6_postgresql_restarted_under_the_consumers(fault_cluster: FaultCluster) -> None:
    """Every service's database goes away at once, as in a crash, and comes back."""

    def fault(cluster: FaultCluster, _meeting: Meeting) -> None:
        cluster.postgres.crash()
        time.sleep(3.0)
        cluster.postgres.start()

    scenario(fault_cluster, 6, "PostgreSQL重启", fault)


@pytest.mark.faults_ci
def test_7_a_poison_event_is_parked_and_alerted_and_the_rest_flows(fault_cluster: FaultCluster) -> None:
    poisoned: dict[str, int] = {}

    def fault(cluster: FaultCluster, meeting: Meeting) -> None:
        poisoned["sequence"] = asyncio.run(_publish_poison(cluster, meeting))

    outcome = scenario(fault_cluster, 7, "毒消息", fault)
    assert outcome.tally.ok > 0  # the rest flowed: acknowledged, and applied everywhere
    parkers = consumers_of(EVENT_OF["register"])
    with fault_cluster.gateway() as gateway:
        until(
            lambda: all(_parked(fault_cluster, gateway, s, d, poisoned["sequence"]) for s, d in parkers),
            timeout=30,
            what="every consumer parked the poison and announced it",
        )


@pytest.mark.faults_ci
def test_8_an_old_event_delivered_again_after_the_duplicate_window_is_applied_once(
    fault_cluster: FaultCluster,
) -> None:
    """JetStream drops a copy only within its ten-minute window; a copy sent later is stored and
    delivered. Sent with a new message id, the meeting's first registrations reach every consumer
    again: each takes them for duplicates, and the journal still holds each once."""
    again: dict[str, int] = {}

    def fault(cluster: FaultCluster, meeting: Meeting) -> None:
        before = _duplicates_seen(cluster)
        again["sent"] = asyncio.run(_send_again(cluster, meeting))
        again["before"] = before

    outcome = scenario(fault_cluster, 8, "去重窗口之后的重复事件", fault)
    consumers = len(consumers_of(EVENT_OF["register"]))
    until(
        lambda: _duplicates_seen(fault_cluster) - again["before"] >= again["sent"] * consumers,
        timeout=30,
        what="every consumer took each copy for a duplicate",
    )
    with fault_cluster.gateway() as gateway:
        params: dict[str, str | int] = {"type": EVENT_OF["register"], "limit": 500}
        journal = gateway.get(f"/api/v1/meetings/{outcome.meeting.id}/journal", params=params).json()
    recorded = Counter(entry["payload"]["attendee_id"] for entry in journal["items"])
    assert again["sent"] == len(outcome.meeting.people)
    assert [recorded[person] for person in outcome.meeting.people] == [1] * len(outcome.meeting.people)


async def _publish_poison(cluster: FaultCluster, meeting: Meeting) -> int:
    """A registration whose data is not the contract's (a producer's bug), on the real subject."""
    headers, _data = _outbox_rows(cluster, meeting, EVENT_OF["register"])[0]
    poison_id = str(uuid.uuid4())
    headers.update({"Nats-Msg-Id": poison_id, "ce-id": poison_id})
    client = await nats.connect(cluster.platform.nats_url.split(","))
    try:
        ack = await client.jetstream().publish(
            "huiwu.registration.attendee.registered", b'{"attendee_id": 42}', headers=headers
        )
    finally:
        await client.close()
    return int(ack.seq)


async def _send_again(cluster: FaultCluster, meeting: Meeting) -> int:
    """The registrations of the meeting's first people again, each with its event id, under a new
    message id."""
    first = set(meeting.people)
    rows = [
        (headers, data)
        for headers, data in _outbox_rows(cluster, meeting, EVENT_OF["register"])
        if json.loads(data)["attendee_id"] in first
    ]
    client = await nats.connect(cluster.platform.nats_url.split(","))
    try:
        for headers, payload in rows:
            fresh = {**headers, "Nats-Msg-Id": str(uuid.uuid4())}
            ack = await client.jetstream().publish(
                "huiwu.registration.attendee.registered", payload, headers=fresh
            )
            assert not ack.duplicate
    finally:
        await client.close()
    return len(rows)


def _outbox_rows(
    cluster: FaultCluster, meeting: Meeting, event_type: str
) -> list[tuple[dict[str, str], bytes]]:
    """The meeting's events of this type as registration recorded them: headers and data."""
    rows = cluster.query(
        "registration",
        "SELECT headers, payload FROM outbox_event WHERE meeting_id = :m AND event_type = :t"
        " ORDER BY position",
        m=meeting.id,
        t=event_type,
    )
    return [(json.loads(headers), payload.encode()) for headers, payload in rows]


def _parked(cluster: FaultCluster, gateway: httpx.Client, service: str, durable: str, sequence: int) -> bool:
    """A dead letter in the consumer's database, and its ``message_parked`` alert in the journal."""
    letters = cluster.query(
        service,
        "SELECT count(*) FROM dead_letter"
        " WHERE consumer = :d AND stream = 'REGISTRATION' AND stream_sequence = :s",
        d=durable,
        s=sequence,
    )
    params: dict[str, str | int] = {"type": f"huiwu.{service}.consumer.message_parked.v1", "limit": 500}
    alerts = gateway.get("/api/v1/journal", params=params).json()["items"]
    announced = [
        alert
        for alert in alerts
        if (alert["payload"]["consumer"], alert["payload"]["stream_sequence"]) == (durable, sequence)
    ]
    return letters[0][0] == 1 and len(announced) == 1


def _duplicates_seen(cluster: FaultCluster) -> int:
    """Deliveries every consumer process took for events it had applied before (its /metrics)."""
    total = 0.0
    for name in cluster.platform.service_names:
        metrics = httpx.get(f"{cluster.platform.url(name)}/metrics", timeout=5).text
        for line in metrics.splitlines():
            if line.startswith("huiwu_events_consumed_total{") and 'outcome="duplicate"' in line:
                total += float(line.rsplit(" ", 1)[1])
    return int(total)
