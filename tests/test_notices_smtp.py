"""Notices by email: the registration service talks SMTP to a real local mail server (aiosmtpd),
retries while the server is down, and marks a notice to someone without an address undeliverable
until one is added. Attendees' email addresses are validated, returned and importable."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlmodel import select

from huiwu.runner import free_port
from huiwu.settings import Settings
from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.registration.main import definition as registration
from services.registration.notices import service as notices
from services.registration.notices.channels import Channel, channel_from
from services.registration.notices.models import Notice
from tests.test_groups import person
from tests.test_notices import listed
from tests.test_registration_roster import MEETING, new_meeting

SENDER = "会务组 <huiwu@jnsjw.gov.cn>"


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        assert isinstance(envelope.original_content, bytes)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]


class MailServer:
    """A real SMTP server on a loopback port, in its own thread; it can be started late."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._running = False

    def start(self) -> None:
        self._controller.start()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._controller.stop()
            self._running = False

    def settings(self) -> dict[str, str]:
        return {
            "HUIWU_NOTICE_CHANNEL": "smtp",
            "HUIWU_SMTP_HOST": "127.0.0.1",
            "HUIWU_SMTP_PORT": str(self.port),
            "HUIWU_SMTP_SENDER": SENDER,
        }


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_channel(mail_server: MailServer) -> Channel:
    """The channel the worker would build from HUIWU_* settings, for tests that drive delivery."""
    settings = Settings.model_validate({name.removeprefix("HUIWU_").lower(): value
                                        for name, value in mail_server.settings().items()})  # fmt: skip
    return channel_from(settings, secret="")


@pytest.fixture
def configured_mail_server(mail_server: MailServer, monkeypatch: pytest.MonkeyPatch) -> MailServer:
    """The mail server, named in HUIWU_* settings for the services started after this."""
    for name, value in mail_server.settings().items():
        monkeypatch.setenv(name, value)
    return mail_server


@pytest.fixture
async def emailing_service(configured_mail_server: MailServer, start_service: StartService) -> RunningService:
    """The registration service with its notice worker on the smtp channel. pytest sets up a
    fixture's arguments in order, so the environment is there when ``start_service`` reads it."""
    configured_mail_server.start()
    return await start_service(registration)


async def test_substitution_and_withdrawal_are_emailed_in_chinese(
    emailing_service: RunningService, mail_server: MailServer
) -> None:
    service = emailing_service
    meeting_id = await new_meeting(service)
    base = f"/api/v1/meetings/{meeting_id}/attendees"
    original = await person(service, meeting_id, "周强", email="zhouqiang@jnsjw.gov.cn")
    leaving = await person(service, meeting_id, "孙丽", email="sunli@jnsjw.gov.cn")

    await service.http.post(
        f"{base}/{original}/substitute",
        json={"name": "吴敏", "organization": "省纪委", "title": "委员", "email": "wumin@jnsjw.gov.cn"},
    )
    await service.http.post(f"{base}/{leaving}/withdraw", json={"reason": "调离"})

    await eventually(lambda: len(mail_server.mailbox.received) == 3, what="three emails arrived")
    [to_original] = mail_server.mailbox.to("zhouqiang@jnsjw.gov.cn")
    [to_substitute] = mail_server.mailbox.to("wumin@jnsjw.gov.cn")
    [to_leaving] = mail_server.mailbox.to("sunli@jnsjw.gov.cn")
    assert to_original["Subject"] == f"【会议通知】{MEETING['name']}：人员替换"
    assert to_original["To"].addresses[0].display_name == "周强"
    assert to_original["To"].addresses[0].addr_spec == "zhouqiang@jnsjw.gov.cn"
    assert to_original["From"].addresses[0].display_name == "会务组"
    assert to_original.get_content_charset() == "utf-8"
    assert "周强同志：经批准由吴敏同志替换您参加会议，您的证件已作废。" in to_original.get_content()
    assert "吴敏同志：您替换周强同志参加会议" in to_substitute.get_content()
    assert to_leaving["Subject"] == f"【会议通知】{MEETING['name']}：退出会议"
    assert "孙丽同志：您已不再参加本次会议，证件已作废。" in to_leaving.get_content()

    async def all_marked_sent() -> list[dict[str, Any]] | None:
        # The mail server has them before the worker's transaction marking them sent commits.
        notices = await listed(service, meeting_id)
        return notices if {notice["status"] for notice in notices} == {"sent"} else None

    every = await eventually(all_marked_sent, what="every notice marked sent")
    assert to_original["Message-ID"] in {f"<{notice['id']}@jnsjw.gov.cn>" for notice in every}


async def test_a_notice_waits_while_the_mail_server_is_down_and_goes_once_it_is_up(
    start_service: StartService, mail_server: MailServer, smtp_channel: Channel
) -> None:
    service = await start_service(registration, workers=False)  # no background worker: we drive it
    meeting_id = await new_meeting(service)
    someone = await person(service, meeting_id, "王芳", email="wangfang@jnsjw.gov.cn")
    await service.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{someone}/withdraw", json={"reason": "病"}
    )

    while_down = notices.deliver_due(service.runtime, smtp_channel)
    [waiting] = await listed(service, meeting_id)
    mail_server.start()
    make_due_now(service)
    once_up = notices.deliver_due(service.runtime, smtp_channel)

    assert while_down == 0
    assert waiting["status"] == "pending" and waiting["attempts"] == 1
    assert "ConnectionRefusedError" in waiting["last_error"]
    assert once_up == 1
    [delivered] = await listed(service, meeting_id)
    assert delivered["status"] == "sent" and delivered["attempts"] == 2
    [mail] = mail_server.mailbox.to("wangfang@jnsjw.gov.cn")
    assert "王芳同志" in mail.get_content()


async def test_without_an_address_a_notice_is_undeliverable_until_one_is_added(
    start_service: StartService, mail_server: MailServer, smtp_channel: Channel
) -> None:
    service = await start_service(registration, workers=False)
    mail_server.start()
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强", email="zhouqiang@jnsjw.gov.cn")
    substitute = (
        await service.http.post(
            f"/api/v1/meetings/{meeting_id}/attendees/{original}/substitute",
            json={"name": "吴敏", "organization": "省纪委", "title": "委员"},
        )
    ).json()

    first = notices.deliver_due(service.runtime, smtp_channel)
    make_due_now(service)
    again = notices.deliver_due(service.runtime, smtp_channel)  # nothing to retry
    [stuck] = await listed(service, meeting_id, attendee_id=substitute["id"])
    await service.http.patch(
        f"/api/v1/meetings/{meeting_id}/attendees/{substitute['id']}", json={"email": "wumin@jnsjw.gov.cn"}
    )
    [requeued] = await listed(service, meeting_id, attendee_id=substitute["id"])
    after_adding = notices.deliver_due(service.runtime, smtp_channel)

    assert (first, again) == (1, 0)  # the original's went out; the substitute's did not
    assert stuck["status"] == "undeliverable" and stuck["attempts"] == 1
    assert "no email address for 吴敏" in stuck["last_error"]
    assert requeued["status"] == "pending"
    assert after_adding == 1
    [mail] = mail_server.mailbox.to("wumin@jnsjw.gov.cn")
    assert "吴敏同志：您替换周强同志参加会议" in mail.get_content()


async def test_an_email_address_is_checked_kept_and_imported(start_service: StartService) -> None:
    service = await start_service(registration, workers=False)
    meeting_id = await new_meeting(service)
    base = f"/api/v1/meetings/{meeting_id}/attendees"

    bad = await service.http.post(
        base, json={"name": "王芳", "organization": "省纪委", "title": "委员", "email": "wangfang@"}
    )
    good = await person(service, meeting_id, "王芳", email=" WangFang@JNSJW.gov.cn ")
    rows = "姓名,单位,职务,电子邮箱\n李明,省纪委,委员,liming@jnsjw.gov.cn\n".encode()
    imported = await service.http.post(f"{base}/import", content=rows, headers={"Content-Type": "text/csv"})

    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "email"
    assert (await service.http.get(f"{base}/{good}")).json()["email"] == "WangFang@jnsjw.gov.cn"
    [liming] = imported.json()["attendee_ids"]
    assert (await service.http.get(f"{base}/{liming}")).json()["email"] == "liming@jnsjw.gov.cn"


def make_due_now(service: RunningService) -> None:
    """Skip the retry delay (2 s after a first failure) instead of sleeping through it."""
    with service.runtime.make_session() as session:
        for notice in session.exec(select(Notice)):
            notice.next_attempt_at = notice.created_at
        session.commit()
