"""The event catalogue, published: the AsyncAPI document and each event type's JSON Schema.

Built from the kernel's contracts in this process (the same code writes ``docs/events/``), so it is
the catalogue of the events this release publishes. Any authenticated caller may read it.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import APIRouter, Depends, Response

from gateway.caller import authenticated
from huiwu.errors import NotFound
from huiwu.events import asyncapi

SCHEMA_JSON = "application/schema+json"

router = APIRouter(prefix="/api/v1/events/catalog", tags=["events"], dependencies=[Depends(authenticated)])


@router.get("", response_model=dict[str, Any])
async def read_event_catalog() -> Response:
    """The AsyncAPI 3.0 document of every event: NATS subjects, producers, headers and payloads."""
    return Response(_catalog(), media_type="application/json")


@router.get("/{event_type}", response_model=dict[str, Any])
async def read_event_schema(event_type: str) -> Response:
    """The JSON Schema (Draft 2020-12) of one event type, e.g. ``huiwu.registration.attendee.registered.v1``:
    the whole CloudEvent, its ``data`` as the contract says."""
    schema = _schemas().get(event_type)
    if schema is None:
        raise NotFound(f"no event type {event_type} in the catalogue", event_type=event_type)
    return Response(schema, media_type=SCHEMA_JSON)


@functools.cache
def _catalog() -> bytes:
    return _encode(asyncapi.asyncapi())


@functools.cache
def _schemas() -> dict[str, bytes]:
    return {event_type: _encode(asyncapi.event_schema(event_type)) for event_type in asyncapi.event_types()}


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()
