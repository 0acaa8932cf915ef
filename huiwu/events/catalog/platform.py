"""Events every service can produce about its own plumbing (type ``huiwu.<producer>.…``)."""

from __future__ import annotations

from pydantic import Field

from huiwu.events.contract import ANY_SERVICE, EventContract


class MessageParked(EventContract):
    """A consumer gave up on a message and parked it in its dead-letter table for an operator."""

    producer = ANY_SERVICE
    aggregate = "consumer"
    event_name = "message_parked"

    consumer: str = Field(description="The durable consumer that parked it, e.g. venue__registration")
    stream: str
    stream_sequence: int
    parked_event_id: str | None = Field(description="The parked event's id, if it had one")
    parked_event_type: str | None
    deliveries: int
    reason: str
