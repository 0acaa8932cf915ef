"""The published event catalogue: the AsyncAPI document and one JSON Schema per event type, kept
current with the contracts, valid by their own specifications, describing the events services
really publish, and served by the gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import nats
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from huiwu.events.asyncapi import JSON_SCHEMA_DIALECT, asyncapi, event_schema, event_types, files
from huiwu.events.catalog import AttendeeRegistered, MessageParked
from huiwu.events.contract import ANY_SERVICE, EventContract
from huiwu.events.envelope import CloudEvent, mint
from huiwu.settings import SERVICES
from huiwu.testing.fixtures import StartService, eventually
from huiwu.testing.nats import NatsServer
from services.registration.main import definition as registration
from tests.messaging import stream_messages

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "docs" / "events"
# The official JSON Schema of AsyncAPI 3.0.0, copied byte for byte from `schemas/3.0.0-without-$id.json`
# of the npm package @asyncapi/specs 6.11.1 (Apache License 2.0, the AsyncAPI Initiative).
ASYNCAPI_SCHEMA = ROOT / "tests" / "fixtures" / "asyncapi-3.0.0.json"
ASYNCAPI_URI = "urn:huiwu:asyncapi"
REGISTERED = "huiwu.registration.attendee.registered.v1"

MEETING = {
    "name": "中共江南省纪律检查委员会第三次全体会议",
    "starts_on": "2027-01-12",
    "ends_on": "2027-01-14",
}
PERSON = {"name": "欧阳少东", "organization": "江州市纪委监委", "title": "书记", "delegation": "江州代表团"}


def committed() -> dict[str, str]:
    return {
        str(path.relative_to(CATALOGUE)): path.read_text(encoding="utf-8")
        for path in sorted(CATALOGUE.rglob("*.json"))
    }


def refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "$ref" and isinstance(inner, str):
                yield inner
            else:
                yield from refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from refs(inner)


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_committed_catalogue_is_current() -> None:
    assert committed() == files(), "run: make docs"


def test_every_event_type_on_the_wire_has_a_schema_and_a_message() -> None:
    document = asyncapi()
    expected = {
        contract.event_type(producer)
        for contract in EventContract.registry.values()
        for producer in (SERVICES if contract.producer == ANY_SERVICE else (contract.producer,))
    }

    assert set(event_types()) == expected
    assert set(document["components"]["messages"]) == expected
    assert {name for name in files() if name.startswith("schemas/")} == {
        f"schemas/{event_type}.json" for event_type in expected
    }
    # A platform event is published by every service, each on its own stream.
    assert {f"huiwu.{service}.consumer.message_parked.v1" for service in SERVICES} <= expected


@pytest.mark.parametrize("event_type", sorted(event_types()))
def test_each_event_schema_is_a_valid_draft_2020_12_schema(event_type: str) -> None:
    schema = json.loads((CATALOGUE / "schemas" / f"{event_type}.json").read_text(encoding="utf-8"))

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["properties"]["type"]["const"] == event_type
    assert all(ref.startswith("#/$defs/") and resolve(schema, ref) for ref in refs(schema))
    assert schema["x-huiwu-schema-version"] == int(event_type.rsplit(".v", 1)[1])


def test_the_asyncapi_document_is_valid_asyncapi_3() -> None:
    document = json.loads((CATALOGUE / "asyncapi.json").read_text(encoding="utf-8"))
    specification = json.loads(ASYNCAPI_SCHEMA.read_text(encoding="utf-8"))

    jsonschema.Draft7Validator(specification).validate(document)
    assert document["asyncapi"] == "3.0.0"
    assert all(resolve(document, ref) for ref in refs(document))


def test_each_subject_is_a_channel_its_producer_sends_every_version_on() -> None:
    document = asyncapi()
    attendee = document["channels"]["huiwu.registration.attendee.registered"]
    publish = document["operations"]["publish.huiwu.registration.attendee.registered"]
    message = document["components"]["messages"][REGISTERED]

    assert attendee["address"] == "huiwu.registration.attendee.registered"
    assert "REGISTRATION" in attendee["description"]
    assert attendee["messages"] == {REGISTERED: {"$ref": f"#/components/messages/{REGISTERED}"}}
    assert publish["action"] == "send"
    assert publish["channel"] == {"$ref": "#/channels/huiwu.registration.attendee.registered"}
    assert publish["messages"] == [
        {"$ref": f"#/channels/huiwu.registration.attendee.registered/messages/{REGISTERED}"}
    ]
    assert message["x-huiwu-schema-version"] == 1
    assert message["payload"] == {"$ref": "#/components/schemas/AttendeeRegistered"}
    for channel_id, channel in document["channels"].items():
        assert channel["address"] == channel_id
        assert all(
            ref["$ref"].startswith("#/components/messages/huiwu.") for ref in channel["messages"].values()
        )
    assert all(operation["action"] == "send" for operation in document["operations"].values())


def validator(document: dict[str, Any], pointer: str) -> jsonschema.Draft7Validator:
    """Validates against the schema at ``pointer`` in the AsyncAPI document, its refs resolved there."""
    registry: Registry[Any] = Registry().with_resource(ASYNCAPI_URI, DRAFT7.create_resource(document))
    return jsonschema.Draft7Validator(
        {"$ref": f"{ASYNCAPI_URI}#{pointer}"}, registry=registry, format_checker=jsonschema.FormatChecker()
    )


def check_against_the_catalogue(headers: dict[str, str], body: bytes) -> CloudEvent:
    """The event as received from NATS matches its AsyncAPI message (headers and body) and, read
    back by the kernel, its JSON Schema as a whole event."""
    document = asyncapi()
    event = CloudEvent.from_nats(headers, body)
    message = f"/components/messages/{event.type}"

    validator(document, f"{message}/headers").validate(headers)
    validator(document, f"{message}/payload").validate(json.loads(body))
    whole = event_schema(event.type)
    jsonschema.Draft202012Validator(whole, format_checker=jsonschema.FormatChecker()).validate(
        event.model_dump(mode="json")
    )
    return event


async def published(nats_server: NatsServer, stream: str) -> list[tuple[dict[str, str], bytes]]:
    count = await stream_messages(nats_server, stream)
    client = await nats.connect(nats_server.url)
    try:
        stored = [await client.jetstream().get_msg(stream, sequence) for sequence in range(1, count + 1)]
        return [(dict(message.headers or {}), message.data or b"") for message in stored]
    finally:
        await client.close()


async def stream_holds(nats_server: NatsServer, stream: str, count: int) -> bool:
    return await stream_messages(nats_server, stream) >= count


async def test_events_a_service_publishes_match_the_catalogue(
    start_service: StartService, nats_server: NatsServer
) -> None:
    service = await start_service(registration)
    meeting = (await service.http.post("/api/v1/meetings", json=MEETING)).json()
    attendees = f"/api/v1/meetings/{meeting['id']}/attendees"
    person = (await service.http.post(attendees, json=PERSON)).json()
    changed = await service.http.patch(f"{attendees}/{person['id']}", json={"title": "副书记"})
    withdrawn = await service.http.post(f"{attendees}/{person['id']}/withdraw", json={"reason": "工作调动"})
    assert (changed.status_code, withdrawn.status_code) == (200, 200)
    await eventually(lambda: stream_holds(nats_server, "REGISTRATION", 4), what="four events published")

    events = {
        event.type: event
        for event in (
            check_against_the_catalogue(*message) for message in await published(nats_server, "REGISTRATION")
        )
    }

    assert set(events) >= {
        "huiwu.registration.meeting.scheduled.v1",
        REGISTERED,
        "huiwu.registration.attendee.updated.v1",
        "huiwu.registration.attendee.withdrawn.v1",
    }
    assert events[REGISTERED].data["name"] == "欧阳少东"


def test_a_platform_event_matches_the_schema_of_the_service_that_parked_it() -> None:
    parked = MessageParked(
        consumer="supervision__registration", stream="REGISTRATION", stream_sequence=7,
        parked_event_id=None, parked_event_type=None, deliveries=1, reason="body is not JSON",
    )  # fmt: skip
    event = mint(parked, producer="supervision", subject="supervision__registration")

    check_against_the_catalogue(event.nats_headers(), event.nats_payload())
    other = event_schema("huiwu.venue.consumer.message_parked.v1")
    assert not jsonschema.Draft202012Validator(other).is_valid(event.model_dump(mode="json"))


def test_an_event_that_breaks_its_contract_does_not_match_its_schema() -> None:
    schema = event_schema(REGISTERED)
    event = mint(attendee_registered(), producer="registration", subject="a1", meeting_id="m1").model_dump(
        mode="json"
    )
    without_name = {**event, "data": {key: value for key, value in event["data"].items() if key != "name"}}
    wrong_source = {**event, "source": "/huiwu/venue"}

    validate = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert validate.is_valid(event)
    assert [error.validator for error in validate.iter_errors(without_name)] == ["required"]
    assert [error.validator for error in validate.iter_errors(wrong_source)] == ["const"]


def attendee_registered() -> AttendeeRegistered:
    return AttendeeRegistered(
        meeting_id="m1", attendee_id="a1", version=1, name="欧阳少东",
        organization="江州市纪委监委", title="书记", category="member",
    )  # fmt: skip


def test_the_gateway_serves_the_catalogue_and_each_schema(gateway: httpx.Client) -> None:
    document = gateway.get("/api/v1/events/catalog")
    schema = gateway.get(f"/api/v1/events/catalog/{REGISTERED}")

    assert document.status_code == 200
    assert document.json() == asyncapi()
    assert schema.status_code == 200
    assert schema.headers["content-type"] == "application/schema+json"
    assert schema.json() == event_schema(REGISTERED)


def test_the_gateway_answers_an_unknown_type_with_a_problem(gateway: httpx.Client) -> None:
    unknown = gateway.get("/api/v1/events/catalog/huiwu.registration.attendee.teleported.v1")

    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["type"] == "urn:huiwu:problem:not-found"
    assert "huiwu.registration.attendee.teleported.v1" in unknown.json()["detail"]


def test_the_catalogue_is_for_authenticated_callers(gateway: httpx.Client) -> None:
    anonymous = httpx.get(str(gateway.base_url.join("/api/v1/events/catalog")))

    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
