"""The meeting guide (会议指南, BRIEF §1.1): one booklet in hand answers every question. Both the
PDF (read back with pypdf) and the HTML page (read back with html.parser) are checked for the same
content: cover, agenda in Beijing time without cancelled sessions, groups with their convenors,
the roster in protocol order, lodging and the practical notes, in that order; each download is
made afresh, so a change shows in the next one."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from gateway.routes import resolve
from huiwu.events.catalog import Expected, ExpectedKind, SessionKind, SessionStatus
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.guide.service import day_span
from services.registration.main import definition as registration
from tests.test_exports import assert_in_order, page_texts
from tests.test_groups import person
from tests.test_registration_agenda import HALL, SHANGHAI, apply_directly, change_of, session_state
from tests.test_registration_roster import MEETING, new_meeting

SECTIONS = ("一、会议日程", "二、会议编组", "三、人员名单", "四、住宿安排", "五、注意事项")
# Registered out of order on purpose; organization and title default to 省纪委监委 and 委员.
PEOPLE: list[tuple[str, dict[str, Any]]] = [
    ("周强", {"category": "observer", "organization": "江南省审计厅", "title": "厅长"}),
    ("欧阳少东", {}),
    ("赵明", {"rank": 2, "title": "副书记"}),
    ("孙丽", {"category": "staff", "organization": "大会秘书处", "title": "工作人员"}),
    ("王芳", {}),
    ("林静", {"rank": 1, "title": "书记"}),
    ("刘洋", {"category": "guest", "organization": "江南大学", "title": "教授"}),
    ("丁一", {"organization": "江州市<纪委>&监委"}),  # text the HTML page must escape
]
# Category first, then leaders by rank, then surname strokes: 丁 2, 王 4, 欧 8.
PROTOCOL = ["林静", "赵明", "丁一", "王芳", "欧阳少东", "周强", "刘洋", "孙丽"]
GROUP_ROOM = "江南宾馆3楼第2会议室"
CANCELLED = "临时工作会议"


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


@dataclass
class Meeting:
    id: str
    people: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"/api/v1/meetings/{self.id}"


def beijing(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of January 2027 given in Beijing time, carried in UTC as venue's events carry it."""
    return datetime(2027, 1, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
async def meeting(service: RunningService) -> Meeting:
    """Eight people, two groups, one stay, and two sessions on the agenda besides a cancelled one."""
    meeting = Meeting(await new_meeting(service))
    for name, fields in PEOPLE:
        meeting.people[name] = await person(service, meeting.id, name, **fields)
    first = await form_group(service, meeting, "第一组", ["林静", "欧阳少东", "周强"], convenor="王芳")
    await form_group(service, meeting, "第二组", ["赵明", "丁一"])
    await lodge(service, meeting, "王芳")
    # The afternoon session first: the agenda is ordered by time, not by arrival.
    schedule(
        service,
        meeting,
        title="第一组分组讨论",
        kind=SessionKind.group,
        starts_at=beijing(12, 14, 30),
        ends_at=beijing(12, 17),
        room_name=GROUP_ROOM,
        expected=Expected(kind=ExpectedKind.group, group_id=first),
    )
    schedule(
        service,
        meeting,
        title="第一次全体会议",
        starts_at=beijing(12, 9),
        ends_at=beijing(12, 11, 30),
        presiding_officer_id=meeting.people["林静"],
    )
    schedule(
        service,
        meeting,
        title=CANCELLED,
        status=SessionStatus.cancelled,
        starts_at=beijing(12, 12),
        ends_at=beijing(12, 13),
    )
    return meeting


async def form_group(
    service: RunningService, meeting: Meeting, name: str, members: list[str], convenor: str | None = None
) -> str:
    body: dict[str, Any] = {"name": name}
    if convenor is not None:
        body |= {"convenor_id": meeting.people[convenor], "room": GROUP_ROOM}
    formed = await service.http.post(f"{meeting.url}/groups", json=body)
    assert formed.status_code == 201, formed.text
    group_id = str(formed.json()["id"])
    joined = await service.http.post(
        f"{meeting.url}/groups/{group_id}/members",
        json={"attendee_ids": [meeting.people[member] for member in members]},
    )
    assert joined.status_code == 200, joined.text
    return group_id


async def lodge(service: RunningService, meeting: Meeting, name: str) -> None:
    rooms = f"{meeting.url}/lodging/rooms"
    room = await service.http.post(rooms, json={"hotel": "江南宾馆", "number": "1203", "beds": 2})
    stay = {"attendee_id": meeting.people[name], "check_in_on": "2027-01-11", "check_out_on": "2027-01-14"}
    lodged = await service.http.post(f"{rooms}/{room.json()['id']}/occupants", json=stay)
    assert lodged.status_code == 201, lodged.text


def schedule(service: RunningService, meeting: Meeting, **fields: Any) -> None:
    """Puts a session on registration's agenda as venue's ``agenda.changed`` would."""
    state = session_state(str(uuid.uuid4()), 1, **fields)
    apply_directly(service, change_of(meeting.id, None, state, []))


async def pdf_text(service: RunningService, meeting: Meeting) -> str:
    response = await service.http.get(f"{meeting.url}/guide.pdf")
    assert response.status_code == 200, response.text
    return "".join(page_texts(response.content))


async def html_text(service: RunningService, meeting: Meeting) -> str:
    response = await service.http.get(f"{meeting.url}/guide.html")
    assert response.status_code == 200, response.text
    page = Page()
    page.feed(response.text)
    return page.text


def sections(text: str) -> dict[str, str]:
    """The text of the cover and of each section, by heading; the sections must come in order."""
    starts = [text.find(heading) for heading in SECTIONS]
    missing = [heading for heading, at in zip(SECTIONS, starts, strict=True) if at < 0]
    assert not missing, f"missing sections: {missing}"
    assert starts == sorted(starts), "the sections are out of order"
    ends = [*starts[1:], len(text)]
    return {"cover": text[: starts[0]]} | {
        heading: text[start:end] for heading, start, end in zip(SECTIONS, starts, ends, strict=True)
    }


def assert_the_whole_guide(text: str) -> None:
    """What both the PDF and the HTML page say, their whitespace removed."""
    part = sections(text)
    assert_in_order(part["cover"], [MEETING["name"], "会议指南", "2027年1月12日至14日"])

    agenda = part["一、会议日程"]
    plenary = ["09:00—11:30", "第一次全体会议", HALL, "林静", "全体人员"]
    discussion = ["14:30—17:00", "第一组分组讨论", GROUP_ROOM, "待定", "第一组"]
    assert_in_order(agenda, ["1月12日（星期二）", "时间议程地点主持人参加人员", *plenary, *discussion])
    assert CANCELLED not in text
    assert "01:00" not in agenda  # 09:00 in Beijing is 01:00 UTC: times are printed in Beijing time

    groups = part["二、会议编组"]
    assert_in_order(
        groups,
        [
            *("第一组", "召集人：王芳", f"地点：{GROUP_ROOM}", "成员：林静、王芳、欧阳少东、周强"),
            *("第二组", "召集人：待定", "地点：另行通知", "成员：赵明、丁一"),
        ],
    )

    roster = part["三、人员名单"]
    assert_in_order(roster, ["（按姓氏笔画为序）", "出席（5人）", "序号姓名单位职务", "1林静省纪委监委书记"])
    assert_in_order(roster, ["列席（1人）", "1周强江南省审计厅厅长", "来宾（1人）", "工作人员（1人）"])
    assert_in_order(roster, PROTOCOL)
    assert "3丁一江州市<纪委>&监委委员" in roster

    assert "江南宾馆1203王芳1月11日至14日" in part["四、住宿安排"]
    notes = part["五、注意事项"]
    assert all(words in notes for words in ("佩戴证件", "按时出席", "清退", "保密"))


async def test_the_pdf_guide_answers_every_question_in_order(
    service: RunningService, meeting: Meeting
) -> None:
    response = await service.http.get(f"{meeting.url}/guide.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    filename = unquote(response.headers["content-disposition"].split("UTF-8''")[1])
    assert filename == f"{MEETING['name']}会议指南.pdf"
    pages = page_texts(response.content)
    assert_the_whole_guide("".join(pages))
    assert not any("页/共" in text for text in pages[:1])  # the cover has no page number
    assert all(f"第{number}页/共{len(pages)}页" in text for number, text in enumerate(pages[1:], start=2))
    reader = PdfReader(io.BytesIO(response.content))
    assert [entry.title for entry in reader.outline if not isinstance(entry, list)] == list(SECTIONS)
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [420, 595]  # A5


class Page(HTMLParser):
    """What a reader gets from the page: its language, the text shown (without whitespace), the
    headings, the header cells' scopes, the tables, and any tag that would fetch something."""

    FETCHING = frozenset({"script", "link", "img", "iframe", "object", "embed", "source", "base"})
    UNSHOWN = frozenset({"style", "title"})
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "source", "base", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.chunks: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.scopes: list[str | None] = []
        self.tables = 0
        self.table_heads = 0
        self.fetching: list[str] = []
        self.style = ""
        self._open: list[str] = []

    @property
    def text(self) -> str:
        return re.sub(r"\s+", "", "".join(self.chunks))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag not in self.VOID:  # a void element has no end tag: it never holds text
            self._open.append(tag)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag in ("h1", "h2", "h3"):
            self.headings.append((tag, ""))
        elif tag == "th":
            self.scopes.append(attributes.get("scope"))
        self.tables += tag == "table"
        self.table_heads += tag == "thead"
        if tag in self.FETCHING or "src" in attributes or "href" in attributes:
            self.fetching.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:  # closes it and whatever was left open inside it
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        current = self._open[-1] if self._open else ""
        if current == "style":
            self.style += data
        if current in self.UNSHOWN:
            return
        self.chunks.append(data)
        if any(tag in ("h1", "h2", "h3") for tag in self._open):
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


async def test_the_html_guide_is_a_standalone_accessible_page(
    service: RunningService, meeting: Meeting
) -> None:
    response = await service.http.get(f"{meeting.url}/guide.html")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    page = Page()
    page.feed(response.text)
    assert_the_whole_guide(page.text)
    assert page.lang == "zh-CN"
    assert [text for tag, text in page.headings if tag == "h1"] == [f"{MEETING['name']}会议指南"]
    assert [text for tag, text in page.headings if tag == "h2"] == list(SECTIONS)
    assert page.scopes and set(page.scopes) == {"col", "row"}  # every header cell says what it heads
    assert page.tables == page.table_heads == 6  # one agenda day, four categories, the lodging
    assert page.fetching == [] and "url(" not in page.style and "@import" not in page.style
    assert "<纪委>" not in response.text and "江州市&lt;纪委&gt;&amp;监委" in response.text


async def test_each_download_is_made_afresh_so_a_change_shows_at_once(
    service: RunningService, meeting: Meeting
) -> None:
    before_pdf, before_html = await pdf_text(service, meeting), await html_text(service, meeting)
    withdrawn = await service.http.post(
        f"{meeting.url}/attendees/{meeting.people['丁一']}/withdraw", json={"reason": "因公出差"}
    )
    assert withdrawn.status_code == 200
    # 07:30 on the 13th in Beijing is still the 12th in UTC: it must be listed under the 13th.
    schedule(
        service,
        meeting,
        title="第二次全体会议",
        starts_at=beijing(13, 7, 30),
        ends_at=beijing(13, 8, 30),
        expected=Expected(kind=ExpectedKind.members),
    )

    after_pdf, after_html = await pdf_text(service, meeting), await html_text(service, meeting)

    for before in (before_pdf, before_html):
        assert "丁一" in before and "第二次全体会议" not in before
    for after in (after_pdf, after_html):
        assert "丁一" not in after
        part = sections(after)
        assert "成员：赵明" in part["二、会议编组"] and "出席（4人）" in part["三、人员名单"]
        assert_in_order(
            part["一、会议日程"],
            [
                *("1月12日（星期二）", "第一次全体会议", "第一组分组讨论"),
                *("1月13日（星期三）", "07:30—08:30", "第二次全体会议", HALL, "待定", "出席人员"),
            ],
        )


async def test_a_guide_with_nothing_arranged_yet_says_what_is_to_follow(service: RunningService) -> None:
    meeting = Meeting(await new_meeting(service))

    for text in (await pdf_text(service, meeting), await html_text(service, meeting)):
        part = sections(text)
        assert "日程另行通知" in part["一、会议日程"]
        assert "编组另行通知" in part["二、会议编组"]
        assert "名单另行通知" in part["三、人员名单"]
        assert "住宿另行安排" in part["四、住宿安排"]
        assert "佩戴证件" in part["五、注意事项"]


@pytest.mark.parametrize("document", ["guide.pdf", "guide.html"])
async def test_the_guide_of_an_unknown_meeting_is_a_404_problem(
    service: RunningService, document: str
) -> None:
    response = await service.http.get(f"/api/v1/meetings/{uuid.uuid4()}/{document}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert (problem["type"], problem["field"]) == ("urn:huiwu:problem:not-found", "meeting_id")


@pytest.mark.parametrize("document", ["guide.pdf", "guide.html"])
def test_the_gateway_sends_the_guide_to_registration(document: str) -> None:
    assert resolve(f"/api/v1/meetings/{uuid.uuid4()}/{document}").service == "registration"


def test_date_spans_name_the_month_and_year_only_when_they_change() -> None:
    assert day_span(date(2027, 1, 12), date(2027, 1, 14)) == "2027年1月12日至14日"
    assert day_span(date(2027, 1, 12), date(2027, 1, 12)) == "2027年1月12日"
    assert day_span(date(2027, 1, 30), date(2027, 2, 2)) == "2027年1月30日至2月2日"
    assert day_span(date(2026, 12, 30), date(2027, 1, 2)) == "2026年12月30日至2027年1月2日"
    assert day_span(date(2026, 12, 30), date(2027, 1, 2), with_year=False) == "12月30日至1月2日"
