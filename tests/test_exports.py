"""Printable exports (roster XLSX and PDF, badge sheets): each is rendered, then read back.

pypdf reads the PDFs' text layer and font dictionaries; PDFium (pypdfium2) renders the pages, as
a printer would, so the QR codes can be decoded (zxing-cpp) and the band colours sampled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium  # ships no type information
import pytest
import zxingcpp
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, PdfObject, StreamObject

from services.registration.exports import (
    BadgeCard,
    FontPackageMissing,
    RosterRow,
    badge_sheet_pdf,
    roster_pdf,
    roster_xlsx,
)
from services.registration.exports.badge_sheet import CARD_HEIGHT, CARDS_PER_PAGE, card_origin

MEETING = "中共江南省纪律检查委员会第三次全体会议"
NOTE = "（按姓氏笔画为序）"
HEADER = ("序号", "姓名", "性别", "单位", "职务", "类别", "代表团")
ROWS = [
    RosterRow("丁小宁", "male", "江州市纪委监委", "书记", "member", "江州市"),
    RosterRow("王芳", "female", "省纪委监委第三监督检查室", "主任", "member", "省直机关"),
    RosterRow("叶建华", "male", "临海市纪委监委", "副书记", "observer", "临海市"),
    RosterRow("阿依古丽·买买提", "female", "新疆维吾尔自治区纪委监委", "处长", "guest", None),
    RosterRow("欧阳少东", None, "大会秘书处", "工作人员", "staff", None),
]
PASS_NAMES = {"member": "出席证", "observer": "列席证", "guest": "来宾证", "staff": "工作证"}
A4_POINTS = [595, 842]
QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


# --- XLSX ------------------------------------------------------------------------------------


def read_sheet(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data))["名单"]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_xlsx_roster_has_title_note_header_and_everyone_in_order() -> None:
    sheet = read_sheet(roster_xlsx(MEETING, NOTE, ROWS))
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == f"{MEETING} 名单"
    assert values[1][0] == NOTE
    assert tuple(values[2]) == HEADER
    assert [row[:3] for row in values[3:]] == [
        [1, "丁小宁", "男"],
        [2, "王芳", "女"],
        [3, "叶建华", "男"],
        [4, "阿依古丽·买买提", "女"],
        [5, "欧阳少东", None],
    ]
    assert [row[5] for row in values[3:]] == ["出席", "出席", "列席", "来宾", "工作人员"]
    assert values[3][3:5] == ["江州市纪委监委", "书记"] and values[3][6] == "江州市"
    assert len(values) == 3 + len(ROWS)


def test_xlsx_roster_is_laid_out_for_printing() -> None:
    sheet = read_sheet(roster_xlsx(MEETING, NOTE, ROWS))
    assert "A1:G1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert all(cell.font.bold for cell in sheet[3])
    assert sheet.print_title_rows == "$3:$3"  # the header repeats on every printed page
    assert str(sheet.page_setup.paperSize) == "9"  # A4 (openpyxl reads it back as text)
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.oddFooter is not None and sheet.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert sheet.freeze_panes == "A4"
    # Wide enough for the longest name (two columns per Chinese character), not absurdly wide.
    name_width = sheet.column_dimensions["B"].width
    assert name_width is not None and 15 <= name_width <= 20
    assert sheet.column_dimensions["C"].width == 6


def test_xlsx_roster_without_a_note_starts_the_header_on_row_two() -> None:
    sheet = read_sheet(roster_xlsx(MEETING, None, ROWS[:1]))
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1] == HEADER
    assert values[2][:2] == (1, "丁小宁")
    assert sheet.print_title_rows == "$2:$2"


def test_xlsx_roster_keeps_formula_like_text_as_text() -> None:
    crafted = RosterRow('=HYPERLINK("http://x.invalid","点我")', "male", "=1+1", "处长", "member", None)
    sheet = read_sheet(roster_xlsx(MEETING, None, [crafted]))
    name, organization = sheet["B3"], sheet["D3"]
    assert (name.data_type, organization.data_type) == ("s", "s")
    assert organization.value == "=1+1"


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown category 'delegate'"):
        roster_xlsx(MEETING, None, [RosterRow("王芳", "female", "单位", "职务", "delegate", None)])


# --- roster PDF -------------------------------------------------------------------------------


def page_texts(data: bytes) -> list[str]:
    """Each page's text, as pypdf extracts it, without whitespace: how a reader breaks lines
    between table cells, or inside a cell that wraps, is its own choice (PDFium's exact lines
    are checked in test_roster_pdf_text_reads_the_same_in_pdfium)."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def dictionary(value: object) -> DictionaryObject:
    """``value`` (an indirect reference or not) as a PDF dictionary, or a failed test."""
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(resolved, DictionaryObject), f"expected a dictionary, found {resolved!r}"
    return resolved


def fonts_of(data: bytes) -> list[DictionaryObject]:
    """The font dictionaries the pages use, each once (by name)."""
    fonts: dict[str, DictionaryObject] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in dictionary(dictionary(page["/Resources"])["/Font"]).values():
            fonts[str(dictionary(font)["/BaseFont"])] = dictionary(font)
    return list(fonts.values())


def descriptor(font: DictionaryObject) -> DictionaryObject:
    descendants = font["/DescendantFonts"].get_object()
    assert isinstance(descendants, ArrayObject)
    return dictionary(dictionary(descendants[0])["/FontDescriptor"])


def font_file(font: DictionaryObject) -> bytes:
    """The embedded font program, whichever of the three ways it is embedded; b"" if it is not."""
    for key in ("/FontFile", "/FontFile2", "/FontFile3"):
        if key in descriptor(font):
            stream = descriptor(font)[key].get_object()
            assert isinstance(stream, StreamObject)
            return stream.get_data()
    return b""


def assert_in_order(text: str, parts: list[str]) -> None:
    position = 0
    for part in parts:
        found = text.find(part, position)
        assert found >= 0, f"{part!r} missing after position {position}"
        position = found + len(part)


def test_roster_pdf_has_title_note_header_and_everyone_in_order() -> None:
    data = roster_pdf(MEETING, NOTE, ROWS)
    assert data.startswith(b"%PDF-")
    [text] = page_texts(data)
    assert_in_order(text, [f"{MEETING}名单", NOTE, "".join(HEADER)])
    assert_in_order(text, [f"{number}{row.name}" for number, row in enumerate(ROWS, start=1)])
    assert_in_order(text, ["出席", "出席", "列席", "来宾", "工作人员"])
    assert "第1页/共1页" in text
    assert [round(float(side)) for side in PdfReader(io.BytesIO(data)).pages[0].mediabox[2:]] == A4_POINTS


def test_roster_pdf_text_reads_the_same_in_pdfium() -> None:
    document = pdfium.PdfDocument(roster_pdf(MEETING, NOTE, ROWS))
    text: str = document[0].get_textpage().get_text_range()
    lines = [line.strip() for line in text.splitlines()]
    assert f"{MEETING} 名单" in lines  # exactly one space, where the title has it
    assert NOTE in lines
    assert " ".join(HEADER) in lines
    for row in ROWS:
        assert row.name in text


def test_roster_pdf_embeds_a_subset_cjk_font_with_a_unicode_map() -> None:
    fonts = fonts_of(roster_pdf(MEETING, NOTE, ROWS))
    names = {str(font["/BaseFont"]) for font in fonts}
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in names} == {"NotoSansSC", "NotoSerifSC"}
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in names)  # the tag a subset carries
    for font in fonts:
        assert str(font["/Subtype"]) == "/Type0" and "/ToUnicode" in font  # text copies, searches
        assert str(font["/Encoding"]) == "/Identity-H"  # what every reader decodes
        assert "/FontFile2" in descriptor(font)  # TrueType outlines
        assert 0 < len(font_file(font)) < 200_000, font["/BaseFont"]  # a subset: the font is 8 MB


def test_a_300_person_roster_repeats_its_header_and_numbers_its_pages() -> None:
    surnames, given = "王李张刘陈杨赵黄周吴徐孙胡朱高", "伟芳敏静强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    people = [
        RosterRow(
            f"{surname}{a}{b}", "male", "江南省某某市纪委监委第一监督检查室", "副主任", "observer", "某市"
        )
        for surname in surnames
        for a, b in zip(given, given[1:] + given[0], strict=True)
    ]
    assert len(people) == 300
    data = roster_pdf(MEETING, NOTE, people)
    texts = page_texts(data)
    assert len(texts) >= 5
    for number, text in enumerate(texts, start=1):
        assert "".join(HEADER) in text, f"no header on page {number}"
        assert f"第{number}页/共{len(texts)}页" in text
    assert_in_order("".join(texts), [f"{number}{row.name}" for number, row in enumerate(people, start=1)])
    assert f"{MEETING}名单" in texts[0] and f"{MEETING}名单" not in texts[1]
    assert len(data) < 1_000_000


def test_pdf_exports_name_the_font_package_when_it_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)  # makes the import fail
    with pytest.raises(FontPackageMissing, match="pip install pylopdf-fonts-zh-cn"):
        roster_pdf(MEETING, NOTE, ROWS)
    with pytest.raises(FontPackageMissing, match="pylopdf-fonts-zh-cn"):
        badge_sheet_pdf(MEETING, cards(1))


def test_pdf_exports_name_the_font_package_when_its_files_are_gone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pylopdf_fonts_zh_cn

    monkeypatch.setattr(pylopdf_fonts_zh_cn, "serif_path", lambda: tmp_path / "NotoSerifSC-Regular.otf")
    with pytest.raises(
        FontPackageMissing, match=r"NotoSerifSC-Regular\.otf is missing from 'pylopdf-fonts-zh-cn'"
    ):
        roster_pdf(MEETING, NOTE, ROWS)


# --- badge sheets -----------------------------------------------------------------------------


def token(number: int) -> str:
    """A token shaped like checkin.badges issues (HW1.<payload>.<mac>), so the QR has its size."""
    claims = {"m": str(uuid.UUID(int=1)), "a": str(uuid.UUID(int=number)), "v": 1}
    payload = b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"HW1.{payload}.{b64(hmac.new(b'test', payload.encode(), hashlib.sha256).digest())}"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cards(count: int) -> list[BadgeCard]:
    names = [
        "丁小宁",
        "欧阳少东",
        "王芳",
        "叶建华",
        "阿依古丽·买买提",
        "努尔兰·阿不都热合曼",
        "刘䶮",
        "周强",
        "李红",
    ]
    categories = ["member", "observer", "guest", "staff"]
    return [
        BadgeCard(
            name=names[number % len(names)],
            organization="中共江南省纪律检查委员会派驻省人民政府办公厅纪检监察组",
            category=categories[number % 4],
            pass_name=PASS_NAMES[categories[number % 4]],
            token=token(number),
        )
        for number in range(count)
    ]


def render(data: bytes, page: int, scale: float) -> Image.Image:
    image: Image.Image = pdfium.PdfDocument(data)[page].render(scale=scale).to_pil()
    return image.convert("RGB")


def test_nine_badges_fill_two_pages_with_every_name() -> None:
    badges = cards(9)
    data = badge_sheet_pdf(MEETING, badges)
    texts = page_texts(data)
    assert len(texts) == 2
    assert_in_order(texts[0], [badge.name for badge in badges[:CARDS_PER_PAGE]])
    assert badges[8].name in texts[1] and badges[0].name not in texts[1]
    assert texts[0].count(MEETING) == CARDS_PER_PAGE and texts[1].count(MEETING) == 1
    assert_in_order(texts[0], ["出席证", "列席证", "来宾证", "工作证", "出席证"])
    assert len(fonts_of(data)) == 2 and all(font_file(font) for font in fonts_of(data))


def test_badge_qr_codes_decode_to_their_tokens() -> None:
    badges = cards(9)
    data = badge_sheet_pdf(MEETING, badges)
    for page, expected in enumerate([badges[:CARDS_PER_PAGE], badges[CARDS_PER_PAGE:]]):
        image = render(data, page, scale=300 / 72)  # 300 dpi, as printed
        decoded = zxingcpp.read_barcodes(image, formats=QR_ONLY)
        assert sorted(code.text for code in decoded) == sorted(badge.token for badge in expected)


def test_badge_bands_are_coloured_by_category() -> None:
    data = badge_sheet_pdf(MEETING, cards(4))
    scale = 2.0
    image = render(data, 0, scale)
    pixel_per_mm = scale * 72 / 25.4

    def band_colour(position: int) -> Any:
        box = card_origin(position)  # sample the band's corner, away from its white lettering
        return image.getpixel((round((box.x + 2) * pixel_per_mm), round((box.y + 2) * pixel_per_mm)))

    red, blue, green, grey = (band_colour(position) for position in range(4))
    assert red[0] > 150 and red[1] < 60 and red[2] < 80
    assert blue[2] > 130 and blue[0] < 60
    assert green[1] > 100 and green[0] < 60 and green[2] < 100
    assert max(grey) - min(grey) < 10 and 80 < grey[0] < 160
    below_card = image.getpixel(
        (round(10 * pixel_per_mm), round((card_origin(0).y + CARD_HEIGHT + 3) * pixel_per_mm))
    )
    assert below_card == (255, 255, 255)  # the bands stay on their cards


def test_unknown_badge_category_is_refused() -> None:
    badge = BadgeCard("王芳", "单位", "delegate", "代表证", token(1))
    with pytest.raises(ValueError, match="unknown category 'delegate'"):
        badge_sheet_pdf(MEETING, [badge])
