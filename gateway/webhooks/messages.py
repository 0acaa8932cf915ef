"""What a webhook delivery posts, signed by the Standard Webhooks convention: ``webhook-id`` (the
same on every attempt, for the receiver to drop repeats), ``webhook-timestamp`` (Unix seconds of
this attempt) and ``webhook-signature``: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``
under the subscription's key, given to its creator as ``whsec_`` + base64."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from huiwu.events.envelope import CloudEvent

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the convention asks for 24 to 64
USER_AGENT = "Huiwu-Webhooks/1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def body_of(event: CloudEvent) -> str:
    """``{type, timestamp, data}`` as the convention lays a payload out, with the CloudEvent's
    other attributes beside them."""
    message = {
        "type": event.type,
        "timestamp": event.time.isoformat(),
        "data": event.data,
        "id": event.id,
        "source": event.source,
        "subject": event.subject,
        "meeting_id": event.meetingid,
        "correlation_id": event.correlationid,
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(secret: str, message_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
