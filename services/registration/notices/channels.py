"""How a notice reaches a person. ``log`` writes it to the service log (the default, for a desk
that prints or phones); ``webhook`` posts it, signed, to the office's messaging gateway."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Protocol

import httpx

from huiwu.settings import Settings
from services.registration.notices.models import Notice

log = logging.getLogger("huiwu.notices")


class Channel(Protocol):
    def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
        """Deliver, or raise; the caller retries."""


class LogChannel:
    def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
        log.info("notice to %s: %s", recipient["name"], notice.message, extra={"notice_id": notice.id})


class WebhookChannel:
    def __init__(self, url: str, secret: str) -> None:
        self._url = url
        self._secret = secret.encode()

    def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
        body = json.dumps(
            {
                "id": notice.id,
                "meeting_id": notice.meeting_id,
                "to": recipient,
                "topic": notice.topic,
                "message": notice.message,
                "before": notice.before,
                "after": notice.after,
            },
            ensure_ascii=False,
        ).encode()
        signature = hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-Huiwu-Signature": f"sha256={signature}",
            "Idempotency-Key": notice.id,
        }
        httpx.post(self._url, content=body, headers=headers, timeout=10).raise_for_status()


def channel_from(settings: Settings, secret: str) -> Channel:
    if settings.notice_channel == "webhook":
        if not settings.notice_webhook_url:
            raise ValueError("HUIWU_NOTICE_CHANNEL=webhook needs HUIWU_NOTICE_WEBHOOK_URL")
        return WebhookChannel(settings.notice_webhook_url, secret)
    return LogChannel()
