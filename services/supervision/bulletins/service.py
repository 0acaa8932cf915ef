"""Drafting, issuing and printing the meeting's bulletins (RULES R5.1–R5.2).

A draft is edited freely. Issuing it gives it the meeting's next number, gapless, 第1期, 第2期…:
the meeting's row is locked while the number is taken, so two issues at once wait for each other,
and a unique index backs that up. From then on the bulletin and its PDF never change. A
classified bulletin is read and changed only with the clearance for its level (RULES R3.2)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlmodel import Session, col

from huiwu import secrecy
from huiwu.chinese import local_date
from huiwu.db import utcnow
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import BulletinIssued, BulletinRecipients, Classification
from services.supervision.bulletins.models import (
    DEFAULT_SECRECY_YEARS,
    LEVEL_NAMES,
    NAME_SUFFIX,
    Bulletin,
    BulletinDraft,
    BulletinIssue,
    BulletinPublic,
    BulletinStatus,
    BulletinSummary,
    IssuedFile,
    OpinionPrinted,
    ParagraphItem,
    RecipientsIn,
    Section,
    SectionPublic,
)
from services.supervision.bulletins.pdf import Printed, bulletin_pdf
from services.supervision.events import emit
from services.supervision.meetings.models import KnownMeeting
from services.supervision.meetings.service import meeting_or_raise
from services.supervision.opinions.models import Opinion
from services.supervision.opinions.speakers import printed as printed_person

NAME_MAX = 100
# The PDF travels base64-encoded (a third larger) in the issued event, under NATS's 1 MB limit.
MAX_PDF_IN_EVENT = 600 * 1024
HIDDEN_HEADLINE = "（绝密简报）"


class AlreadyIssued(Conflict):
    code = "already-issued"
    title = "An issued bulletin never changes"


def create(session: Session, meeting_id: str, draft: BulletinDraft) -> Bulletin:
    meeting = meeting_or_raise(session, meeting_id)
    _cleared_for(Classification(draft.classification))
    bulletin = Bulletin(meeting_id=meeting_id, **_draft_values(session, meeting_id, draft))
    _name_fits(bulletin, meeting)
    session.add(bulletin)
    return bulletin


def replace(session: Session, bulletin: Bulletin, draft: BulletinDraft) -> Bulletin:
    """The draft as a whole, replaced (what the editor's form sends back)."""
    _still_a_draft(bulletin)
    _cleared_for(Classification(draft.classification))
    for name, value in _draft_values(session, bulletin.meeting_id, draft).items():
        setattr(bulletin, name, value)
    bulletin.version += 1
    _name_fits(bulletin, meeting_or_raise(session, bulletin.meeting_id))
    return bulletin


def issue(session: Session, meeting_id: str, bulletin_id: str, issue_in: BulletinIssue) -> Bulletin:
    """第N期, printed and announced. The meeting is locked before the bulletin is read, so a
    bulletin issued meanwhile by someone else is seen as issued."""
    meeting = meeting_or_raise(session, meeting_id, lock=True)
    bulletin = readable(session, meeting_id, bulletin_id)
    _still_a_draft(bulletin)
    _name_fits(bulletin, meeting)
    last = session.scalar(
        select(func.max(Bulletin.issue_number)).where(col(Bulletin.meeting_id) == meeting_id)
    )
    now = utcnow()
    bulletin.status, bulletin.issue_number = BulletinStatus.issued, (last or 0) + 1
    bulletin.name = name_of(bulletin, meeting)
    bulletin.issued_by, bulletin.issued_at, bulletin.issued_on = issue_in.issued_by, now, local_date(now)
    bulletin.version += 1
    content = bulletin_pdf(printed(bulletin, meeting))
    file = IssuedFile(bulletin_id=bulletin.id, sha256=hashlib.sha256(content).hexdigest(), content=content)
    session.add(file)
    _announce(session, bulletin, file)
    return bulletin


def _announce(session: Session, bulletin: Bulletin, file: IssuedFile) -> None:
    classified = bulletin.classification != Classification.none
    if classified and len(file.content) > MAX_PDF_IN_EVENT:
        raise InvalidInput(
            "sections", "too_long_to_register",
            f"this classified bulletin prints to {len(file.content) // 1024} KB, more than the "
            f"{MAX_PDF_IN_EVENT // 1024} KB the documents room can be sent: shorten it or split it in two",
        )  # fmt: skip
    assert bulletin.issue_number is not None and bulletin.name is not None
    assert (
        bulletin.issued_by is not None and bulletin.issued_at is not None and bulletin.issued_on is not None
    )
    emit(session, BulletinIssued(
        meeting_id=bulletin.meeting_id, bulletin_id=bulletin.id, issue_number=bulletin.issue_number,
        title=f"{bulletin.name}（第{bulletin.issue_number}期）", headline=bulletin.headline,
        write_up=bulletin.write_up, unit=bulletin.unit, issued_on=bulletin.issued_on,
        issued_at=bulletin.issued_at, issued_by=bulletin.issued_by, classification=bulletin.classification,
        secrecy_years=_period(bulletin), print_count=bulletin.print_count,
        recipients=BulletinRecipients.model_validate(bulletin.recipients),
        pdf=base64.b64encode(file.content).decode() if classified else None, pdf_sha256=file.sha256,
    ), subject=bulletin.id)  # fmt: skip


def _draft_values(session: Session, meeting_id: str, draft: BulletinDraft) -> dict[str, Any]:
    return {
        **draft.model_dump(exclude={"sections", "recipients"}),
        "sections": [
            section.model_dump() for section in _printed_sections(session, meeting_id, draft.sections)
        ],
        "recipients": draft.recipients.model_dump(),
    }


def _printed_sections(session: Session, meeting_id: str, sections: list[Section]) -> list[SectionPublic]:
    """The sections with each chosen opinion copied in as printed (opinions never change)."""
    printed_sections = []
    for number, section in enumerate(sections):
        items: list[OpinionPrinted | ParagraphItem] = []
        for place, item in enumerate(section.items):
            if isinstance(item, ParagraphItem):
                items.append(item)
                continue
            opinion = session.get(Opinion, item.opinion_id)
            if opinion is None or opinion.meeting_id != meeting_id:
                raise InvalidInput(
                    f"sections.{number}.items.{place}.opinion_id", "unknown_opinion",
                    f"opinion {item.opinion_id} was not recorded for this meeting",
                )  # fmt: skip
            items.append(_copied(opinion))
        printed_sections.append(SectionPublic(heading=section.heading, items=items))
    return printed_sections


def _copied(opinion: Opinion) -> OpinionPrinted:
    return OpinionPrinted(
        kind="opinion", opinion_id=opinion.id, speaker=opinion.speaker_name, post=opinion.speaker_post,
        group_name=opinion.group_name, text=opinion.text,
    )  # fmt: skip


def _still_a_draft(bulletin: Bulletin) -> None:
    if bulletin.status != BulletinStatus.draft:
        raise AlreadyIssued(
            f"bulletin 第{bulletin.issue_number}期 is issued; it can no longer change",
            field="bulletin_id", issue_number=bulletin.issue_number,
        )  # fmt: skip


def _cleared_for(classification: Classification) -> None:
    if refused := secrecy.refusal(classification, "this bulletin"):
        raise refused


def _name_fits(bulletin: Bulletin, meeting: KnownMeeting) -> None:
    if len(name_of(bulletin, meeting)) > NAME_MAX:
        raise InvalidInput(
            "name", "name_too_long",
            f"the meeting's name with {NAME_SUFFIX} is longer than {NAME_MAX} characters: "
            "give the bulletin a shorter name",
        )  # fmt: skip


def name_of(bulletin: Bulletin, meeting: KnownMeeting) -> str:
    """报头: as issued, as named in the draft, or the meeting's name + 简报."""
    return bulletin.name or f"{meeting.name}{NAME_SUFFIX}"


def _period(bulletin: Bulletin) -> int | None:
    if bulletin.classification == Classification.none:
        return None
    return bulletin.secrecy_years or DEFAULT_SECRECY_YEARS[Classification(bulletin.classification)]


def marking(bulletin: Bulletin) -> str:
    """机密★20年; nothing for an unclassified bulletin (RULES R3.2)."""
    years = _period(bulletin)
    return "" if years is None else f"{LEVEL_NAMES[Classification(bulletin.classification)]}★{years}年"


def get_or_raise(session: Session, meeting_id: str, bulletin_id: str) -> Bulletin:
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None or bulletin.meeting_id != meeting_id:
        raise NotFound(f"bulletin {bulletin_id} is not one of meeting {meeting_id}'s", field="bulletin_id")
    return bulletin


def readable(session: Session, meeting_id: str, bulletin_id: str) -> Bulletin:
    """The bulletin, to a caller cleared for its level."""
    bulletin = get_or_raise(session, meeting_id, bulletin_id)
    _cleared_for(Classification(bulletin.classification))
    return bulletin


def page(
    session: Session,
    meeting_id: str,
    *,
    limit: int,
    after: tuple[datetime, str] | None,
    status: BulletinStatus | None,
) -> list[Bulletin]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(Bulletin).where(col(Bulletin.meeting_id) == meeting_id)
    if status is not None:
        query = query.where(col(Bulletin.status) == status)
    if after is not None:
        query = query.where(tuple_(col(Bulletin.created_at), col(Bulletin.id)) > after)
    return list(session.scalars(query.order_by(col(Bulletin.created_at), col(Bulletin.id)).limit(limit)))


def pdf_of(session: Session, bulletin: Bulletin) -> bytes:
    """The file as issued; a draft is printed afresh, as a proof marked （草稿）."""
    if bulletin.status == BulletinStatus.issued:
        file = session.get(IssuedFile, bulletin.id)
        assert file is not None  # written with the issue
        return file.content
    return bulletin_pdf(printed(bulletin, meeting_or_raise(session, bulletin.meeting_id)))


def file_name(session: Session, bulletin: Bulletin) -> str:
    name = name_of(bulletin, meeting_or_raise(session, bulletin.meeting_id))
    issue_text = "草稿" if bulletin.issue_number is None else f"第{bulletin.issue_number}期"
    return f"{name}（{issue_text}）.pdf"


def printed(bulletin: Bulletin, meeting: KnownMeeting) -> Printed:
    sections = [SectionPublic.model_validate(section) for section in bulletin.sections]
    recipients = RecipientsIn.model_validate(bulletin.recipients)
    return Printed(
        name=name_of(bulletin, meeting),
        issue="（草稿）" if bulletin.issue_number is None else f"第{bulletin.issue_number}期",
        unit=bulletin.unit,
        date=_chinese_date(bulletin.issued_on),
        marking=marking(bulletin),
        headline=bulletin.headline,
        sections=tuple(
            (section.heading, tuple(_paragraph(item) for item in section.items)) for section in sections
        ),
        foot=tuple(
            tuple(names)
            for names in (recipients.report_to, recipients.send_to, recipients.issue_to, recipients.extra_to)
        ),
        print_count=bulletin.print_count,
    )


def _paragraph(item: OpinionPrinted | ParagraphItem) -> str:
    if isinstance(item, ParagraphItem):
        return item.text
    return f"{printed_person(item.speaker, item.post)}：{item.text}"


def _chinese_date(day: date | None) -> str:
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def public(session: Session, bulletin: Bulletin) -> BulletinPublic:
    file = session.get(IssuedFile, bulletin.id)
    meeting = meeting_or_raise(session, bulletin.meeting_id)
    shown_as = {"name", "sections", "recipients", "marking", "file_sha256"}
    return BulletinPublic(
        **{name: getattr(bulletin, name) for name in BulletinPublic.model_fields.keys() - shown_as},
        name=name_of(bulletin, meeting),
        sections=[SectionPublic.model_validate(section) for section in bulletin.sections],
        recipients=RecipientsIn.model_validate(bulletin.recipients),
        marking=marking(bulletin),
        file_sha256=file.sha256 if file else None,
    )


def summary(bulletin: Bulletin, meeting: KnownMeeting) -> BulletinSummary:
    """A top-secret headline is itself secret: only top-secret clearance sees it."""
    hidden = secrecy.title_hidden(bulletin.classification)
    return BulletinSummary(
        **{
            name: getattr(bulletin, name)
            for name in BulletinSummary.model_fields.keys() - {"name", "headline"}
        },
        name=name_of(bulletin, meeting),
        headline=HIDDEN_HEADLINE if hidden else bulletin.headline,
    )
