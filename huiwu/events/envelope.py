"""CloudEvents 1.0 envelope, carried over NATS in binary mode (``ce-*`` headers, JSON body)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from huiwu.context import current_actor, current_causation_id, current_correlation_id
from huiwu.db import utcnow
from huiwu.events.contract import EventContract, contract_for

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
MSG_ID_HEADER = "Nats-Msg-Id"
_ATTRIBUTES = (
    "specversion", "id", "source", "type", "time", "subject", "datacontenttype",
    "meetingid", "correlationid", "causationid", "actor",
)  # fmt: skip
_REQUIRED = ("specversion", "id", "source", "type")


class MalformedEvent(ValueError):
    """A message that is not a valid Huiwu CloudEvent; retrying cannot help."""


class CloudEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    specversion: str = SPEC_VERSION
    id: str
    source: str
    type: str
    time: datetime
    subject: str | None = None
    datacontenttype: str = CONTENT_TYPE
    meetingid: str | None = None
    correlationid: str | None = None
    causationid: str | None = None
    actor: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def nats_subject(self) -> str:
        """``huiwu.registration.attendee.registered`` for ``huiwu.registration.attendee.registered.v1``."""
        return self.type.rsplit(".", 1)[0]

    def contract(self) -> EventContract:
        """The typed data; raises MalformedEvent if it does not match its contract."""
        try:
            return contract_for(self.type).model_validate(self.data)
        except ValidationError as error:
            raise MalformedEvent(f"{self.type} data does not match its contract: {error}") from error

    def nats_headers(self) -> dict[str, str]:
        headers = {MSG_ID_HEADER: self.id, "content-type": self.datacontenttype}
        for attribute in _ATTRIBUTES:
            value = getattr(self, attribute)
            if value is None or attribute == "datacontenttype":
                continue
            text = value.isoformat() if isinstance(value, datetime) else str(value)
            headers[f"ce-{attribute}"] = quote(text, safe="")
        return headers

    def nats_payload(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_nats(cls, headers: dict[str, str] | None, payload: bytes) -> CloudEvent:
        headers = headers or {}
        attributes: dict[str, Any] = {
            name: unquote(headers[f"ce-{name}"]) for name in _ATTRIBUTES if f"ce-{name}" in headers
        }
        missing = [name for name in _REQUIRED if name not in attributes]
        if missing:
            raise MalformedEvent(f"missing CloudEvents attributes: {', '.join(missing)}")
        if attributes["specversion"] != SPEC_VERSION:
            raise MalformedEvent(f"unsupported specversion {attributes['specversion']}")
        try:
            data = json.loads(payload) if payload else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise MalformedEvent(f"body is not JSON: {error}") from error
        if not isinstance(data, dict):
            raise MalformedEvent("body is not a JSON object")
        try:
            return cls.model_validate({**attributes, "data": data})
        except ValidationError as error:
            raise MalformedEvent(f"invalid CloudEvents attributes: {error}") from error


def mint(
    contract: EventContract,
    *,
    producer: str,
    subject: str | None = None,
    meeting_id: str | None = None,
) -> CloudEvent:
    """A new event: the id and time are fixed here, once, when the fact happens."""
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=f"/huiwu/{producer}",
        type=contract.event_type(producer),
        time=utcnow(),
        subject=subject,
        meetingid=meeting_id,
        correlationid=current_correlation_id.get(),
        causationid=current_causation_id.get(),
        actor=current_actor.get(),
        data=contract.model_dump(mode="json"),
    )
