"""The printed seating plan: the SVG chart in both viewpoints (RULES.md §1.2), the A3 PDF chart with
its seat list, and the folded name cards (席位卡). Each is rendered, then read back: the SVG with
xml.etree, the PDFs' text with pypdf, the name cards' pages as images with PDFium."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime

import pypdfium2 as pdfium  # ships no type information
import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from huiwu.events.catalog import SeatArea
from services.venue.namecards.pdf import NameCard, namecards_pdf
from services.venue.seating.charts import ChartView, seating_pdf, seating_svg
from services.venue.seating.models import HallShape, SeatingPlanPublic, SeatPublic
from services.venue.venues.models import LecternPosition
from tests.test_exports import assert_in_order

SVG = "{http://www.w3.org/2000/svg}"
MEETING = "中共江南省纪律检查委员会第三次全体会议"
# The podium in precedence order, with each leader's offset from the axis (+ = the leaders' left).
PODIUM = [("王建国", 0), ("李明", 1), ("欧阳春华", -1)]
# Hall: 3 rows of 5, an aisle after column 2, 2排3座 unusable (a pillar).
HALL_PEOPLE = {
    (1, 1): ("阿依古丽·买买提", "伊犁州代表团"),
    (1, 2): ("张伟", "江州市代表团"),
    (1, 4): ("刘芳", "江州市代表团"),
    (2, 1): ("陈红", "临海市代表团"),
    (3, 5): ("周强", "临海市代表团"),
}
ROWS, WIDTH, UNUSABLE = 3, 5, (2, 3)
EVERYONE = [name for name, _ in PODIUM] + [name for name, _ in HALL_PEOPLE.values()]


def podium_seat(precedence: int, name: str, offset: int) -> SeatPublic:
    column = offset + 2  # three in the row: offsets -1, 0, +1 are A-view columns 1, 2, 3
    return SeatPublic(
        area=SeatArea.podium,
        row=1,
        column=column,
        podium_view_column=4 - column,
        label=f"主席台第一排{column}号",
        attendee_id=f"p{precedence}",
        name=name,
        precedence=precedence,
        offset=offset,
    )


def hall_seat(row: int, column: int) -> SeatPublic:
    name, delegation = HALL_PEOPLE.get((row, column), (None, None))
    return SeatPublic(
        area=SeatArea.hall,
        row=row,
        column=column,
        podium_view_column=WIDTH + 1 - column,
        label=f"{row}排{column}座",
        attendee_id=f"h{row}-{column}" if name else None,
        name=name,
        delegation=delegation,
    )


def make_plan(lectern: LecternPosition = LecternPosition.audience_right) -> SeatingPlanPublic:
    hall = [
        hall_seat(row, column)
        for row in range(1, ROWS + 1)
        for column in range(1, WIDTH + 1)
        if (row, column) != UNUSABLE
    ]
    return SeatingPlanPublic(
        meeting_id="m1",
        session_id="s1",
        session_title="第一次全体会议",
        starts_at=datetime(2025, 3, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2025, 3, 1, 3, 30, tzinfo=UTC),
        room_id="r1",
        room_name="一号楼三层第一会议室",
        plan_version=1,
        planned_at=datetime(2025, 2, 28, tzinfo=UTC),
        podium_rows=[3],
        hall=HallShape(rows=ROWS, seats_per_row=WIDTH, aisles_after=[2], unusable=[UNUSABLE]),
        lectern=lectern,
        seats=[podium_seat(number, name, offset) for number, (name, offset) in enumerate(PODIUM, 1)] + hall,
        microphones=[],
        microphone_shortage=0,
        problems=[],
    )


def renamed(plan: SeatingPlanPublic, old: str, new: str) -> SeatingPlanPublic:
    seats = [seat.model_copy(update={"name": new}) if seat.name == old else seat for seat in plan.seats]
    return plan.model_copy(update={"seats": seats})


# --- SVG ------------------------------------------------------------------------------------


def svg_root(plan: SeatingPlanPublic, view: ChartView) -> ElementTree.Element:
    return ElementTree.fromstring(seating_svg(plan, view))


def texts(root: ElementTree.Element) -> list[ElementTree.Element]:
    return list(root.iter(f"{SVG}text"))


def drawn_at(root: ElementTree.Element, text: str) -> tuple[float, float]:
    """(x, y) of the one <text> reading ``text``."""
    [found] = [element for element in texts(root) if element.text == text]
    return float(found.attrib["x"]), float(found.attrib["y"])


@pytest.mark.parametrize("view", list(ChartView))
def test_the_chart_is_an_svg_document_with_every_name_once(view: ChartView) -> None:
    root = svg_root(make_plan(), view)
    assert root.tag == f"{SVG}svg"
    assert len(root.attrib["viewBox"].split()) == 4
    shown = [element.text for element in texts(root)]
    for name in EVERYONE:
        assert shown.count(name) == 1, name
    assert "第一次全体会议" in shown and "主席台" in shown


def test_each_view_says_which_it_is() -> None:
    assert "观众视角（从会场看主席台）" in seating_svg(make_plan(), ChartView.audience)
    assert "台上视角（从主席台看会场）" in seating_svg(make_plan(), ChartView.podium)


def test_the_chart_shows_room_and_beijing_time() -> None:
    shown = [element.text for element in texts(svg_root(make_plan(), ChartView.audience))]
    assert "一号楼三层第一会议室　2025年3月1日 09:00–11:30" in shown  # 01:00 UTC = 09:00 in Beijing


def test_from_the_hall_2hao_sits_right_of_1hao_and_3hao_left() -> None:
    root = svg_root(make_plan(), ChartView.audience)
    first, second, third = (drawn_at(root, name)[0] for name, _ in PODIUM)
    assert third < first < second
    assert [element.text for element in texts(root)].count("1号") == 1


def test_from_the_podium_2hao_sits_left_of_1hao() -> None:
    root = svg_root(make_plan(), ChartView.podium)
    first, second, third = (drawn_at(root, name)[0] for name, _ in PODIUM)
    assert second < first < third


def test_from_the_hall_the_podium_is_at_the_top_and_the_front_row_next_to_it() -> None:
    root = svg_root(make_plan(), ChartView.audience)
    podium_y = drawn_at(root, "王建国")[1]
    front, second, back = (drawn_at(root, name)[1] for name in ("张伟", "陈红", "周强"))
    assert podium_y < front < second < back


def test_from_the_podium_the_podium_is_at_the_bottom_and_the_hall_mirrored() -> None:
    root = svg_root(make_plan(), ChartView.podium)
    podium_y = drawn_at(root, "王建国")[1]
    front, second, back = (drawn_at(root, name)[1] for name in ("张伟", "陈红", "周强"))
    assert podium_y > front > second > back
    # 1排1座 is the hall's far left seen from the hall, so the far right seen from the podium.
    assert drawn_at(root, "阿依古丽·买买提")[0] > drawn_at(root, "张伟")[0] > drawn_at(root, "刘芳")[0]


def test_the_aisle_is_a_wider_gap_between_its_columns() -> None:
    root = svg_root(make_plan(), ChartView.audience)
    first, second, fourth = (drawn_at(root, name)[0] for name in ("阿依古丽·买买提", "张伟", "刘芳"))
    seat_pitch = second - first
    assert fourth - second > 2 * seat_pitch  # two columns along, plus the aisle after column 2


def seat_rects(root: ElementTree.Element, kind: str) -> list[ElementTree.Element]:
    return [
        rect for rect in root.iter(f"{SVG}rect") if rect.attrib.get("class", "").split() == ["seat", kind]
    ]


def test_the_unusable_seat_is_greyed_and_crossed_out_and_empty_seats_are_outlined() -> None:
    root = svg_root(make_plan(), ChartView.audience)
    [unusable] = seat_rects(root, "unusable")
    assert "2排3座" in (unusable.findtext(f"{SVG}title") or "")
    occupied, empty = seat_rects(root, "occupied"), seat_rects(root, "empty")
    assert len(occupied) == len(HALL_PEOPLE) and len(empty) == ROWS * WIDTH - len(HALL_PEOPLE) - 1
    assert unusable.attrib["fill"] not in {occupied[0].attrib["fill"], empty[0].attrib["fill"]}
    assert empty[0].attrib["fill"] == "none"
    assert len([path for path in root.iter(f"{SVG}path") if path.attrib.get("class") == "cross"]) == 1


def test_names_are_escaped() -> None:
    plan = renamed(make_plan(), "张伟", 'A<&>"B')
    root = svg_root(plan, ChartView.audience)  # parses
    assert drawn_at(root, 'A<&>"B')


def test_the_lectern_is_drawn_on_the_audiences_right_seen_from_the_hall() -> None:
    audience = svg_root(make_plan(LecternPosition.audience_right), ChartView.audience)
    podium = svg_root(make_plan(LecternPosition.audience_right), ChartView.podium)
    assert drawn_at(audience, "发言席")[0] > drawn_at(audience, "王建国")[0]
    assert drawn_at(podium, "发言席")[0] < drawn_at(podium, "王建国")[0]
    assert "发言席" not in seating_svg(make_plan(LecternPosition.none), ChartView.audience)


def large_plan(rows: int, width: int) -> SeatingPlanPublic:
    seats = [
        SeatPublic(
            area=SeatArea.hall,
            row=row,
            column=column,
            podium_view_column=width + 1 - column,
            label=f"{row}排{column}座",
            attendee_id=f"{row}-{column}",
            name=f"代表{row}排{column}",
        )
        for row in range(1, rows + 1)
        for column in range(1, width + 1)
    ]
    hall = HallShape(rows=rows, seats_per_row=width, aisles_after=[width // 3, 2 * width // 3], unusable=[])
    return make_plan().model_copy(update={"hall": hall, "seats": seats, "podium_rows": []})


def test_a_3000_seat_hall_is_drawn_with_every_name() -> None:
    svg = seating_svg(large_plan(50, 60), ChartView.podium)

    drawn = {element.text for element in texts(ElementTree.fromstring(svg))}
    assert {"代表1排1", "代表50排60", "代表25排31"} <= drawn


# --- seating PDF ----------------------------------------------------------------------------


def page_texts(data: bytes) -> list[str]:
    """Each page's text without whitespace: where a reader breaks lines is its own choice."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def chart_pdf() -> bytes:
    return seating_pdf(make_plan(), MEETING)  # made once: embedding the fonts takes about a second


def test_the_pdf_chart_is_a3_landscape_with_title_and_every_name(chart_pdf: bytes) -> None:
    data = chart_pdf
    reader = PdfReader(io.BytesIO(data))
    assert [round(float(side)) for side in reader.pages[0].mediabox[2:]] == [1191, 842]
    assert reader.metadata is not None and MEETING in (reader.metadata.title or "")
    chart = page_texts(data)[0]
    assert f"{MEETING}第一次全体会议" in chart and "一号楼三层第一会议室" in chart
    for name in EVERYONE:
        assert name in chart, name
    for caption in ("已排座位", "空座", "不可用", "发言席"):
        assert caption in chart


def test_the_seat_list_has_the_podium_by_precedence_then_the_hall_row_by_row(chart_pdf: bytes) -> None:
    listing = "".join(page_texts(chart_pdf)[1:])
    assert_in_order(
        listing,
        [
            "座位姓名单位/代表团",
            "主席台第一排2号王建国",
            "主席台第一排3号李明",
            "主席台第一排1号欧阳春华",
            "1排1座阿依古丽·买买提伊犁州代表团",
            "1排2座张伟",
            "1排4座刘芳",
            "2排1座陈红",
            "3排5座周强临海市代表团",
        ],
    )


def test_a_hall_too_large_for_legible_names_still_prints_every_name() -> None:
    data = seating_pdf(large_plan(30, 40), MEETING)
    chart = page_texts(data)[0]
    missing = [f"代表{row}排{column}" for row in range(1, 31) for column in range(1, 41)]
    assert [name for name in missing if name not in chart] == []


# --- name cards -----------------------------------------------------------------------------

CARDS = [
    NameCard("王建国", "主席台第一排2号", "p1"),
    NameCard("李明", "主席台第一排3号", "p2"),
    NameCard("阿依古丽·买买提", "1排1座", "h1"),
]


def test_one_landscape_a4_card_per_page_with_the_name_on_both_faces() -> None:
    data = namecards_pdf(CARDS, "第一次全体会议 席位卡")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == "第一次全体会议 席位卡"
    assert len(reader.pages) == len(CARDS)
    for page, text, card in zip(reader.pages, page_texts(data), CARDS, strict=True):
        assert [round(float(side)) for side in page.mediabox[2:]] == [842, 595]
        assert text.count(card.name) == 2
        assert text.count(card.seat_label) == 1


def rendered(data: bytes, page: int) -> Image.Image:
    image: Image.Image = pdfium.PdfDocument(data)[page].render(scale=0.5).to_pil()
    return image.convert("L")


def test_the_folded_card_reads_upright_from_both_sides() -> None:
    """The upper half, turned half a circle, is the lower half: both faces read the same."""
    image = rendered(namecards_pdf(CARDS[:1], "席位卡"), 0).point(lambda value: 255 if value > 100 else 0)
    width, height = image.size
    lower = image.crop((0, height // 2, width, height))
    upper_turned = image.crop((0, 0, width, height - height // 2)).rotate(180)
    assert lower.getbbox() is not None
    ink = ImageChops.invert(lower).getbbox()
    assert ink is not None and ink[2] - ink[0] > width / 2  # three characters fill most of the width
    difference = ImageChops.difference(lower, upper_turned)
    differing = difference.width * difference.height - difference.histogram()[0]
    assert differing < 0.01 * width * height / 2


def test_two_character_names_are_spaced_out() -> None:
    def ink_width(name: str) -> int:
        image = rendered(namecards_pdf([NameCard(name, "", "x")], "席位卡"), 0).point(
            lambda value: 255 if value > 100 else 0
        )
        width, height = image.size
        ink = ImageChops.invert(image.crop((0, height // 2, width, height))).getbbox()
        assert ink is not None
        return ink[2] - ink[0]

    # 王　勇 style: a gap of a character between the two, so as wide as a three-character name.
    assert ink_width("李明") > 0.9 * ink_width("王建国")


def test_no_cards_still_makes_a_pdf_that_says_so() -> None:
    data = namecards_pdf([], "席位卡")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert page_texts(data) == ["无席位卡"]
