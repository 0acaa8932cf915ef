"""The gateway's NATS connection and what reads from it, started and stopped with the gateway."""

from __future__ import annotations

from gateway.database import Store
from gateway.webhooks.runtime import Webhooks
from huiwu.bus import Bus
from huiwu.settings import Settings


class EventsOut:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.bus = Bus(settings.nats_servers, client_name="huiwu-gateway")
        self.heartbeat_s = settings.event_stream_heartbeat_s
        self.webhooks = Webhooks(store, self.bus, settings)

    def start(self) -> None:
        """Connects in the background: the gateway serves its API while the broker is away."""
        self.bus.start()
        self.webhooks.start()

    async def stop(self) -> None:
        await self.webhooks.stop()
        await self.bus.close()
