"""The cluster topology on loopback (three NATS nodes, two processes per service), and what a
test asks NATS about it: who leads a stream, whether every replica has caught up."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client

from huiwu.runner import Platform, free_port

START_TIMEOUT_S = 180.0  # twelve processes on two shared cores


@contextmanager
def running_cluster(directory: Path, env: Mapping[str, str]) -> Iterator[Platform]:
    platform = Platform.clustered(
        data_dir=directory, gateway_port=free_port(), token=secrets.token_urlsafe(16), env=env
    )
    try:
        platform.start_nats()
        platform.start_all()
        platform.wait_ready(timeout=START_TIMEOUT_S)
        yield platform
    finally:
        platform.stop_all()


async def _connect(platform: Platform) -> Client:
    """A client of the cluster; a node that is down (on purpose) is skipped quietly."""
    return await nats.connect(
        platform.nats_url.split(","), connect_timeout=2, max_reconnect_attempts=3, error_cb=_quiet
    )


async def _quiet(_error: Exception) -> None:
    pass


async def _stream_info(platform: Platform, stream: str) -> Any:
    client = await _connect(platform)
    try:
        return await client.jetstream(timeout=5).stream_info(stream)
    finally:
        await client.close()


def stream_info(platform: Platform, stream: str) -> Any:
    return asyncio.run(_stream_info(platform, stream))


async def _unacknowledged(platform: Platform, stream: str, durable: str) -> int:
    client = await _connect(platform)
    try:
        info = await client.jetstream(timeout=5).consumer_info(stream, durable)
        return int(info.num_ack_pending)
    finally:
        await client.close()


def unacknowledged(platform: Platform, stream: str, durable: str) -> int:
    """Deliveries of a durable consumer that no process has acknowledged yet."""
    return asyncio.run(_unacknowledged(platform, stream, durable))


def stream_leader(platform: Platform, stream: str) -> str:
    """The NATS process (``nats-2``…) leading ``stream``: its server name is its process name."""
    return str(stream_info(platform, stream).cluster.leader)


def wait_until_replicated(platform: Platform, stream: str, timeout: float = 60.0) -> Any:
    """Until the stream has a leader and both other replicas are current (caught up)."""
    deadline = time.monotonic() + timeout
    info: Any = None
    while time.monotonic() < deadline:
        try:
            info = stream_info(platform, stream)
        except Exception:  # no leader yet, or the node asked is still starting
            info = None
        if info is not None and info.cluster.leader and _replicas_current(info):
            return info
        time.sleep(0.2)
    raise AssertionError(f"stream {stream} not replicated on every node within {timeout}s: {info}")


def _replicas_current(info: Any) -> bool:
    peers = info.cluster.replicas or []
    return len(peers) == int(info.config.num_replicas) - 1 and all(peer.current for peer in peers)


def until(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(interval)
