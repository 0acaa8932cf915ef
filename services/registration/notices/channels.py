"""How a notice reaches a person. ``log`` writes it to the service log (the default, for a desk
that prints or phones); ``webhook`` posts it, signed, to the office's messaging gateway; ``smtp``
emails it through the office's mail server.

A channel raises to say the attempt failed (the worker retries with growing delays), or raises
``Undeliverable`` when retrying cannot help until the person's record changes."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

import httpx

from huiwu.chinese import CHINA_TIME
from huiwu.db import utcnow
from huiwu.settings import Settings
from services.registration.notices.models import Notice

log = logging.getLogger("huiwu.notices")


SMTP_TIMEOUT_S = 30
FOOTER = "（本邮件由会务系统发送，请勿直接回复。）"
# The subject line names what changed; a topic not listed here is an 安排变更.
SUBJECTS = {
    "substitution": "人员替换",
    "withdrawal": "退出会议",
    "group": "分组安排",
    "lodging": "住宿安排",
    "agenda": "日程变更",
    "task_reminder": "督办提醒",
    "situation_report": "情况反映",
}


class Undeliverable(Exception):
    """This channel cannot reach the person as recorded; retrying will not help until the record
    changes (the worker marks the notice ``undeliverable`` instead of retrying it)."""


class Channel(Protocol):
    def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
        """Deliver, or raise; the caller retries. ``recipient``: attendee_id, name, phone, email
        and meeting (the meeting's name)."""


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


class SmtpChannel:
    """Email through the office's mail server: a plain-text UTF-8 message, one per notice.

    A person without an email address cannot be reached this way, and trying again will not
    change that: the notice is marked ``undeliverable`` (last_error "no email address"), so the
    desk sees whom to phone, and it goes back to pending as soon as an address is added to the
    person's record. A refused or broken conversation with the server raises and is retried with
    the worker's growing delays. The Message-ID is the notice's id, so a copy sent twice (a crash
    after the server accepted it) is recognisable as the same message."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host or not settings.smtp_sender:
            raise ValueError("HUIWU_NOTICE_CHANNEL=smtp needs HUIWU_SMTP_HOST and HUIWU_SMTP_SENDER")
        self._host, self._port, self._sender = settings.smtp_host, settings.smtp_port, settings.smtp_sender
        self._username = settings.smtp_username
        self._password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self._starttls = settings.smtp_starttls

    def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
        message = self.message(notice, recipient)
        with smtplib.SMTP(self._host, self._port, timeout=SMTP_TIMEOUT_S) as server:
            if self._starttls:
                server.starttls(context=ssl.create_default_context())
            if self._username:
                server.login(self._username, self._password)
            server.send_message(message)

    def message(self, notice: Notice, recipient: dict[str, str | None]) -> EmailMessage:
        if not recipient.get("email"):
            raise Undeliverable(
                f"no email address for {recipient['name']}: add one to their record and this is sent"
            )
        message = EmailMessage()
        message["Subject"] = subject(notice.topic, recipient.get("meeting"))
        message["From"] = self._sender
        message["To"] = Address(display_name=recipient["name"] or "", addr_spec=recipient["email"] or "")
        message["Date"] = format_datetime(utcnow().astimezone(CHINA_TIME))
        message["Message-ID"] = f"<{notice.id}@{self._domain()}>"
        # base64: 7-bit safe through any relay, even one that does not announce 8BITMIME.
        message.set_content(f"{notice.message}\n\n{FOOTER}\n", charset="utf-8", cte="base64")
        return message

    def _domain(self) -> str:
        """The sender's mail domain (HUIWU_SMTP_SENDER may be "会务组 <hw@example.gov.cn>")."""
        return parseaddr(self._sender)[1].rpartition("@")[2] or "huiwu"


def subject(topic: str, meeting: str | None) -> str:
    """e.g. 【会议通知】江南省政协第五次会议：住宿安排"""
    what = SUBJECTS.get(topic, "安排变更")
    return f"【会议通知】{meeting}：{what}" if meeting else f"【会议通知】{what}"


def channel_from(settings: Settings, secret: str) -> Channel:
    if settings.notice_channel == "webhook":
        if not settings.notice_webhook_url:
            raise ValueError("HUIWU_NOTICE_CHANNEL=webhook needs HUIWU_NOTICE_WEBHOOK_URL")
        return WebhookChannel(settings.notice_webhook_url, secret)
    if settings.notice_channel == "smtp":
        return SmtpChannel(settings)
    return LogChannel()
