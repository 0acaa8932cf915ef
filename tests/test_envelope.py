"""The CloudEvents envelope and the event catalogue."""

from __future__ import annotations

import json
import uuid

import pytest

from huiwu.context import current_actor, current_correlation_id
from huiwu.events.catalog import AttendeeRegistered, MeetingScheduled, MessageParked
from huiwu.events.contract import EventContract, UnknownEventType, contract_for
from huiwu.events.envelope import CloudEvent, MalformedEvent, mint


def attendee() -> AttendeeRegistered:
    return AttendeeRegistered(
        meeting_id="m1", attendee_id="a1", version=1, name="欧阳少东",
        organization="江州市纪委监委", title="书记", category="member",
    )  # fmt: skip


def test_an_event_round_trips_through_nats_headers_and_body() -> None:
    actor = current_actor.set("办公厅 会务组")
    correlation = current_correlation_id.set("req-42")
    try:
        event = mint(attendee(), producer="registration", subject="a1", meeting_id="m1")
    finally:
        current_actor.reset(actor)
        current_correlation_id.reset(correlation)

    headers = event.nats_headers()
    received = CloudEvent.from_nats(headers, event.nats_payload())

    assert received == event
    assert received.contract() == attendee()
    assert headers["Nats-Msg-Id"] == event.id
    assert headers["ce-type"] == "huiwu.registration.attendee.registered.v1"
    assert headers["ce-actor"].isascii()  # percent-encoded: NATS headers are not for raw UTF-8
    assert received.actor == "办公厅 会务组"
    assert received.correlationid == "req-42"
    assert json.loads(event.nats_payload())["name"] == "欧阳少东"


def test_each_event_gets_its_own_id_minted_once() -> None:
    first = mint(attendee(), producer="registration")
    second = mint(attendee(), producer="registration")

    assert first.id != second.id
    assert uuid.UUID(first.id)
    assert first.nats_headers()["ce-id"] == first.id == first.nats_headers()["Nats-Msg-Id"]


@pytest.mark.parametrize(
    ("headers", "payload", "complaint"),
    [
        ({}, b"{}", "missing CloudEvents attributes: specversion, id, source, type"),
        ({"ce-specversion": "0.3", "ce-id": "1", "ce-source": "/x", "ce-type": "t"}, b"{}", "specversion"),
        (
            {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/x", "ce-type": "t"},
            b"[1]",
            "not a JSON object",
        ),
        ({"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/x", "ce-type": "t"}, b"\xff", "not JSON"),
    ],
)
def test_a_message_that_is_not_a_cloudevent_is_malformed(
    headers: dict[str, str], payload: bytes, complaint: str
) -> None:
    with pytest.raises(MalformedEvent, match=complaint):
        CloudEvent.from_nats(headers, payload)


def test_data_that_breaks_its_contract_is_malformed() -> None:
    event = mint(attendee(), producer="registration").model_copy(update={"data": {"name": "王芳"}})

    with pytest.raises(MalformedEvent, match="does not match its contract"):
        event.contract()


def test_types_and_subjects_follow_the_naming_rules() -> None:
    assert MeetingScheduled.event_type() == "huiwu.registration.meeting.scheduled.v1"
    assert AttendeeRegistered.nats_subject() == "huiwu.registration.attendee.registered"
    assert MessageParked.event_type("venue") == "huiwu.venue.consumer.message_parked.v1"
    assert contract_for("huiwu.documents.consumer.message_parked.v1") is MessageParked
    with pytest.raises(ValueError, match="produced by registration"):
        AttendeeRegistered.event_type("venue")
    with pytest.raises(UnknownEventType):
        contract_for("huiwu.registration.attendee.teleported.v1")


def test_every_contract_is_versioned_and_documented() -> None:
    for event_type, contract in EventContract.registry.items():
        assert event_type.rsplit(".", 1)[1].startswith("v")
        assert contract.__doc__, f"{event_type} needs a docstring: it is the catalogue's text"
