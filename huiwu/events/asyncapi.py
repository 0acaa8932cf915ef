"""The published event catalogue, generated from the contracts: an AsyncAPI 3.0 document of every
NATS subject and event, and one JSON Schema (Draft 2020-12) per event type.

    python -m huiwu.events.asyncapi --out docs/events/

On NATS an event travels in CloudEvents binary mode, so a message of the AsyncAPI document is what
a subscriber receives: ``ce-*`` headers and the contract's data as the body. The per-type JSON
Schema describes the whole event as one JSON object (structured mode: the attributes and ``data``),
as the kernel's ``CloudEvent`` holds it.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic.json_schema import models_json_schema

from huiwu.bus import stream_name
from huiwu.events.catalog import __all__ as _catalog  # noqa: F401 - registers every contract
from huiwu.events.contract import ANY_SERVICE, EventContract
from huiwu.events.envelope import CONTENT_TYPE, MSG_ID_HEADER, SPEC_VERSION, CloudEvent
from huiwu.settings import SERVICES

ASYNCAPI_VERSION = "3.0.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
COMPONENT_SCHEMAS = "#/components/schemas/"
SERVER = "nats"
HEADERS_SCHEMA = "CloudEventHeaders"
CORRELATION = "correlation"

# What each CloudEvents attribute means on this platform; the same words as docs/events.md.
ATTRIBUTES = {
    "specversion": "CloudEvents version",
    "id": "a UUID minted once, when the fact happened; never at publish time",
    "source": "`/huiwu/<producer>`",
    "type": "`huiwu.<producer>.<aggregate>.<event>.v<N>`",
    "time": "when the fact happened (UTC)",
    "subject": "the aggregate's id (meeting, attendee, …)",
    "datacontenttype": "the media type of `data`",
    "meetingid": "extension: the meeting the event belongs to",
    "correlationid": "extension: the request or event chain that led here",
    "causationid": "extension: the id of the event whose handling produced this one",
    "actor": "extension: the token (person or system) that asked for the change",
}
REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type", "time")

DESCRIPTION = f"""Every fact one department of Huiwu (会务) publishes for the others, on NATS JetStream.

Each event is a CloudEvents {SPEC_VERSION} event in **binary mode**: its attributes are `ce-*` headers
(values percent-encoded), the body is the JSON `data` of its contract, and `{MSG_ID_HEADER}` equals the
event id (JetStream drops a re-publish; consumers' inboxes drop any later duplicate). The version
lives in the type (`….v2` is published alongside `….v1`), not in the subject, so a channel may carry
several versions. One stream per producer, e.g. `REGISTRATION` on `huiwu.registration.>`; each
consumer is a durable pull consumer named `<consumer>__<producer>`.

The JSON Schema of a whole event (attributes and `data`) is in `schemas/<type>.json`, and served by
the gateway at `/api/v1/events/catalog/<type>`."""


def event_types() -> dict[str, type[EventContract]]:
    """Every type that can be on the wire, sorted; a platform contract once per service."""
    types: dict[str, type[EventContract]] = {}
    for contract in EventContract.registry.values():
        producers = SERVICES if contract.producer == ANY_SERVICE else (contract.producer,)
        for producer in producers:
            types[contract.event_type(producer)] = contract
    return dict(sorted(types.items()))


def producer_of(event_type: str) -> str:
    return event_type.split(".")[1]


def event_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema of one whole event: its attributes, and ``data`` as its contract says."""
    contract = event_types()[event_type]
    data = contract.model_json_schema()
    definitions = data.pop("$defs", {})
    schema: dict[str, Any] = {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:huiwu:event:{event_type}",
        "title": event_type,
        "description": _doc(contract),
        "x-huiwu-schema-version": contract.schema_version,
        "type": "object",
        "required": [*REQUIRED_ATTRIBUTES, "data"],
        "properties": {**_attributes(event_type), "data": data},
    }
    if definitions:
        schema["$defs"] = definitions  # the contract's own refs are ``#/$defs/…``: they resolve here
    return schema


def _attributes(event_type: str) -> dict[str, Any]:
    properties: dict[str, Any] = CloudEvent.model_json_schema()["properties"]
    properties.pop("data")
    for name, meaning in ATTRIBUTES.items():
        properties[name]["description"] = meaning
    fixed = {
        "specversion": SPEC_VERSION,
        "source": f"/huiwu/{producer_of(event_type)}",
        "type": event_type,
        "datacontenttype": CONTENT_TYPE,
    }
    for name, value in fixed.items():
        properties[name] = {"const": value, "description": ATTRIBUTES[name]}
    properties["id"]["format"] = "uuid"
    return properties


def asyncapi() -> dict[str, Any]:
    """The AsyncAPI 3.0 document: a channel per subject, a send operation per producer and subject,
    a message per type. Consumers are not listed: only the services know what they subscribe to."""
    types = event_types()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type, contract in types.items():
        subject = contract.nats_subject(producer_of(event_type))
        messages[event_type] = _message(event_type, contract)
        channel = channels.setdefault(subject, _channel(subject))
        channel["messages"][event_type] = {"$ref": f"#/components/messages/{event_type}"}
        operation = operations.setdefault(f"publish.{subject}", _operation(subject))
        operation["messages"].append({"$ref": f"#/channels/{subject}/messages/{event_type}"})
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": "Huiwu 会务 events",
            "version": version("huiwu"),
            "description": DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            SERVER: {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "NATS with JetStream; its address comes from `HUIWU_NATS_URL`.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": {HEADERS_SCHEMA: _headers_schema(), **_contract_schemas(types)},
            "messages": messages,
            "correlationIds": {
                CORRELATION: {
                    "description": "The request or event chain that led to the event.",
                    "location": "$message.header#/ce-correlationid",
                }
            },
        },
    }


def _channel(subject: str) -> dict[str, Any]:
    producer = subject.split(".")[1]
    return {
        "address": subject,
        "description": f"Published by {producer} on its stream `{stream_name(producer)}`.",
        "messages": {},
    }


def _operation(subject: str) -> dict[str, Any]:
    producer = subject.split(".")[1]
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{subject}"},
        "summary": f"{producer} publishes {subject}",
        "tags": [{"name": producer}],
        "messages": [],
    }


def _message(event_type: str, contract: type[EventContract]) -> dict[str, Any]:
    producer = producer_of(event_type)
    doc = _doc(contract)
    return {
        "name": event_type,
        "title": contract.__name__,
        "summary": doc.split(". ", 1)[0].rstrip("."),
        "description": doc,
        "contentType": CONTENT_TYPE,
        "headers": {
            "allOf": [
                {"$ref": f"{COMPONENT_SCHEMAS}{HEADERS_SCHEMA}"},
                {
                    "type": "object",
                    "properties": {
                        "ce-type": {"const": _header(event_type)},
                        "ce-source": {"const": _header(f"/huiwu/{producer}")},
                    },
                },
            ]
        },
        "payload": {"$ref": f"{COMPONENT_SCHEMAS}{contract.__name__}"},
        "correlationId": {"$ref": f"#/components/correlationIds/{CORRELATION}"},
        "tags": [{"name": producer}],
        "x-huiwu-event-type": event_type,
        "x-huiwu-schema-version": contract.schema_version,
    }


def _headers_schema() -> dict[str, Any]:
    """The NATS headers of every event: the attributes as ``ce-*``, percent-encoded."""
    properties: dict[str, Any] = {
        MSG_ID_HEADER: {"type": "string", "description": "the event id: JetStream drops a re-publish"},
        "content-type": {"const": CONTENT_TYPE},
    }
    for name, meaning in ATTRIBUTES.items():
        if name != "datacontenttype":  # it travels as content-type
            properties[f"ce-{name}"] = {"type": "string", "description": meaning}
    properties["ce-specversion"]["const"] = _header(SPEC_VERSION)
    return {
        "type": "object",
        "description": "CloudEvents binary mode: the attributes as headers, values percent-encoded.",
        "required": [MSG_ID_HEADER, *(f"ce-{name}" for name in REQUIRED_ATTRIBUTES)],
        "properties": properties,
    }


def _header(value: str) -> str:
    """As ``CloudEvent.nats_headers`` writes it: ``/huiwu/venue`` travels as ``%2Fhuiwu%2Fvenue``."""
    return quote(value, safe="")


def _contract_schemas(types: dict[str, type[EventContract]]) -> dict[str, Any]:
    contracts = sorted(set(types.values()), key=lambda contract: contract.__name__)
    _, top = models_json_schema(
        [(contract, "validation") for contract in contracts], ref_template=COMPONENT_SCHEMAS + "{model}"
    )
    schemas: dict[str, Any] = top["$defs"]
    # Payloads refer to contracts by class name: a clash pydantic had to rename must fail here.
    missing = [contract.__name__ for contract in contracts if contract.__name__ not in schemas]
    if missing:
        raise RuntimeError(f"contract names clash, rename one: {missing}")
    return dict(sorted(schemas.items()))


def _doc(contract: type[EventContract]) -> str:
    return " ".join((contract.__doc__ or contract.__name__).split())


def files() -> dict[str, str]:
    """The catalogue as files: ``asyncapi.json`` and ``schemas/<type>.json``, by relative path."""
    rendered = {"asyncapi.json": _json(asyncapi())}
    for event_type in event_types():
        rendered[f"schemas/{event_type}.json"] = _json(event_schema(event_type))
    return rendered


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write(out: Path) -> None:
    """Writes the catalogue under ``out``, removing the schemas of types that are gone."""
    rendered = files()
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    for stale in (out / "schemas").glob("*.json"):
        if f"schemas/{stale.name}" not in rendered:
            stale.unlink()
    for name, text in rendered.items():
        (out / name).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Writes the AsyncAPI document and the events' JSON Schemas.")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write, e.g. docs/events/")
    write(parser.parse_args(argv).out)


if __name__ == "__main__":
    main(sys.argv[1:])
