"""The NATS JetStream connection of one service process.

Connecting runs in the background and never gives up (``max_reconnect_attempts=-1``), so a
service starts, and reports not-ready, while the broker is away; the outbox keeps its events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError, NotFoundError

from huiwu.tasks import honour_cancellation

log = logging.getLogger(__name__)

# Longer than the relay's retry horizon (a 30 s claim lease plus a retry delay capped at 30 s),
# so a row re-published after a crash between publish and mark is dropped by JetStream.
DUPLICATE_WINDOW_S = 10 * 60
STREAM_MAX_AGE_S = 90 * 24 * 3600
PUBLISH_TIMEOUT_S = 5.0
ACK_WAIT_S = 30.0
FETCH_BATCH = 64
FETCH_TIMEOUT_S = 1.0
RESUBSCRIBE_DELAY_S = 1.0

TakeMessages = Callable[[list[Msg]], Awaitable[None]]


def stream_name(service: str) -> str:
    """One stream per producing service: ``REGISTRATION`` holds ``huiwu.registration.>``."""
    return service.upper()


def stream_subjects(service: str) -> list[str]:
    return [f"huiwu.{service}.>"]


def durable_consumer(durable: str, subjects: list[str] | None = None) -> ConsumerConfig:
    """A durable pull consumer that reads its stream from the start and never gives up on a
    message by itself (``max_deliver=-1``): its taker acknowledges, retries or parks each one.
    Without ``subjects`` it takes the whole stream."""
    return ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ACK_WAIT_S,
        max_deliver=-1,
        max_ack_pending=1000,
        filter_subjects=subjects,
    )


async def acknowledge(messages: list[Msg]) -> int:
    """Acknowledge each message and wait for the server's answer; returns how many failed (their
    work is committed, so the consumer's own record absorbs the redelivery)."""
    acks = await asyncio.gather(*(message.ack_sync() for message in messages), return_exceptions=True)
    return sum(isinstance(ack, Exception) for ack in acks)


async def _hand_back(messages: list[Msg]) -> None:
    """On the way out, give back what was fetched and not settled: redelivered at once to the next
    process instead of after ``ACK_WAIT_S``, when later events would already have overtaken it. A
    piece whose transaction commits after all meets its own inbox entry when it comes again."""
    unsettled = [message for message in messages if not message.is_acked]
    await asyncio.gather(*(message.nak() for message in unsettled), return_exceptions=True)


class Bus:
    def __init__(self, servers: list[str], *, client_name: str) -> None:
        self._servers = servers
        self._client_name = client_name
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._ready = asyncio.Event()
        self._connecting: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def client(self) -> Client:
        if self._nc is None:
            raise RuntimeError("not connected to NATS yet")
        return self._nc

    @property
    def jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("not connected to NATS yet")
        return self._js

    def start(self) -> None:
        self._connecting = asyncio.create_task(self._connect(), name="nats-connect")

    async def wait_connected(self) -> None:
        await self._ready.wait()

    async def _connect(self) -> None:
        self._nc = await nats.connect(
            servers=self._servers,
            name=self._client_name,
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            connect_timeout=2,
            error_cb=self._on_error,
            disconnected_cb=self._on_disconnected,
            reconnected_cb=self._on_reconnected,
        )
        self._js = self._nc.jetstream(timeout=PUBLISH_TIMEOUT_S)
        self._ready.set()
        log.info("connected to NATS", extra={"servers": self._servers})

    async def ensure_stream(self, service: str, *, replicas: int) -> None:
        """Create or update the service's stream; safe to run at every start, from every replica."""
        config = StreamConfig(
            name=stream_name(service),
            subjects=stream_subjects(service),
            storage=StorageType.FILE,
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy.OLD,
            max_age=STREAM_MAX_AGE_S,
            duplicate_window=DUPLICATE_WINDOW_S,
            num_replicas=replicas,
            deny_delete=True,
            deny_purge=True,
        )
        try:
            await self.jetstream.add_stream(config)
        except BadRequestError:
            await self.jetstream.update_stream(config)

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str]) -> int:
        """Publish and wait for JetStream's acknowledgement; returns the stream sequence."""
        ack = await self.jetstream.publish(subject, payload, headers=headers, timeout=PUBLISH_TIMEOUT_S)
        return int(ack.seq)

    async def broadcast(self, subject: str, payload: bytes) -> bool:
        """Core NATS, at most once, to whoever listens now: for news whose loss something else
        covers (a cache that expires anyway). False if the broker is away."""
        if not self.connected:
            return False
        await self.client.publish(subject, payload)
        return True

    async def listen(self, subject: str, on_news: Callable[[bytes], None]) -> None:
        """Hear ``broadcast``s on ``subject`` from when connected; the client subscribes again
        itself after a reconnection."""
        await self.wait_connected()

        async def deliver(message: Msg) -> None:
            on_news(message.data)

        await self.client.subscribe(subject, cb=deliver)

    async def consume(self, stream: str, consumer: ConsumerConfig, take: TakeMessages) -> None:
        """Fetch batches from a durable consumer and hand each to ``take`` until cancelled;
        whatever goes wrong, subscribe again and go on. ``take`` acknowledges the messages."""
        await self.wait_connected()
        while True:
            honour_cancellation()
            try:
                subscription = await self._subscribe(stream, consumer)
                while True:
                    honour_cancellation()
                    try:
                        messages = await subscription.fetch(FETCH_BATCH, timeout=FETCH_TIMEOUT_S)
                    except (NatsTimeoutError, TimeoutError):
                        continue
                    try:
                        await take(messages)
                    except asyncio.CancelledError:
                        await _hand_back(messages)
                        raise
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("consumer %s of %s failed; subscribing again", consumer.durable_name, stream)
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)

    async def _subscribe(self, stream: str, consumer: ConsumerConfig) -> JetStreamContext.PullSubscription:
        while True:
            honour_cancellation()  # nats-py's request may have swallowed it (see huiwu.tasks)
            try:
                # Create or update: a handler added in a new release widens the filter.
                await self.jetstream.add_consumer(stream, config=consumer)
                return await self.jetstream.pull_subscribe_bind(durable=consumer.durable_name, stream=stream)
            except NotFoundError:
                log.info("stream %s not there yet; waiting for its producer", stream)
                await asyncio.sleep(RESUBSCRIBE_DELAY_S)

    async def close(self) -> None:
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        # close, not drain: every publish was already acknowledged, and deliveries not yet
        # acknowledged are redelivered to the next process. (drain waits for fetched messages
        # nobody will process any more, and hangs.)
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()

    async def _on_error(self, error: Exception) -> None:
        log.warning("NATS error: %s", error)

    async def _on_disconnected(self) -> None:
        log.warning("disconnected from NATS; reconnecting")

    async def _on_reconnected(self) -> None:
        log.info("reconnected to NATS")
