"""Badges (证件) to print on A4 sheets, eight to a page (two across, four down), cut along the grey
frame. Each card: the pass name on its category's colour band, the meeting, the person's name
large, the organization, and the badge's QR code drawn as vector squares (sharp at any printer
resolution, and no image to scale)."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import set_up_document
from services.registration.checkin.badges import qr_code
from services.registration.exports.models import BadgeCard

# The band's colour says the category at a glance from across a doorway: change it here only.
PASS_COLOURS: dict[str, tuple[int, int, int]] = {
    "member": (200, 16, 46),  # 出席证: red
    "observer": (0, 82, 165),  # 列席证: blue
    "guest": (0, 128, 64),  # 来宾证: green
    "staff": (110, 110, 110),  # 工作证: grey
}
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0  # A4, mm
CARD_WIDTH, CARD_HEIGHT = 90.0, 64.0
ACROSS, DOWN = 2, 4
GAP_X, GAP_Y = 10.0, 6.0
BAND_HEIGHT = 15.0
QR_SIZE = 30.0  # the symbol itself; the card's white margin around it is the quiet zone
INSET = 3.5  # text and QR code keep this far from the card's edge
BAND_SPACING = 4.0  # pt between the characters of the pass name (fpdf2 takes points here)
PT = 25.4 / 72  # mm
CARDS_PER_PAGE = ACROSS * DOWN


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def badge_sheet_pdf(meeting_name: str, badges: list[BadgeCard]) -> bytes:
    """Every badge in the given order, ``CARDS_PER_PAGE`` to an A4 page."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    printed = meeting_name + "".join(badge.pass_name + badge.name + badge.organization for badge in badges)
    with embedded_fonts(pdf, printed):
        # Every position is computed; nothing flows.
        set_up_document(pdf, f"{meeting_name} 证件", left=0, top=0, right=0, bottom=None)
        for index, badge in enumerate(badges):
            if index % CARDS_PER_PAGE == 0:
                pdf.add_page()
            _card(pdf, card_origin(index % CARDS_PER_PAGE), meeting_name, badge)
        return bytes(pdf.output())


def pass_colour(category: str) -> tuple[int, int, int]:
    try:
        return PASS_COLOURS[category]
    except KeyError:
        raise ValueError(f"unknown category {category!r}; expected one of {sorted(PASS_COLOURS)}") from None


def card_origin(position: int) -> Point:
    """The top-left corner of a card's place on the page, filled row by row."""
    left = (PAGE_WIDTH - ACROSS * CARD_WIDTH - (ACROSS - 1) * GAP_X) / 2
    top = (PAGE_HEIGHT - DOWN * CARD_HEIGHT - (DOWN - 1) * GAP_Y) / 2
    row, column = divmod(position, ACROSS)
    return Point(left + column * (CARD_WIDTH + GAP_X), top + row * (CARD_HEIGHT + GAP_Y))


def _card(pdf: FPDF, box: Point, meeting_name: str, badge: BadgeCard) -> None:
    pdf.set_draw_color(160, 160, 160)  # the cutting frame
    pdf.set_line_width(0.2)
    pdf.rect(box.x, box.y, CARD_WIDTH, CARD_HEIGHT, style="D")
    _band(pdf, box, badge)
    _meeting(pdf, box, meeting_name)
    _person(pdf, box, badge)
    _qr(pdf, box.x + CARD_WIDTH - INSET - QR_SIZE, box.y + CARD_HEIGHT - INSET - QR_SIZE, badge.token)


def _band(pdf: FPDF, box: Point, badge: BadgeCard) -> None:
    pdf.set_fill_color(*pass_colour(badge.category))
    pdf.rect(box.x, box.y, CARD_WIDTH, BAND_HEIGHT, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(SANS, size=20)
    pdf.set_char_spacing(BAND_SPACING)  # 出 席 证: spaced out, as printed passes are
    # The spacing also follows the last character: shift by half of it so the word sits centred.
    pdf.set_xy(box.x + BAND_SPACING * PT / 2, box.y)
    pdf.cell(w=CARD_WIDTH, h=BAND_HEIGHT, text=badge.pass_name, align="C")
    pdf.set_char_spacing(0)
    pdf.set_text_color(0, 0, 0)


def _meeting(pdf: FPDF, box: Point, meeting_name: str) -> None:
    pdf.set_font(SANS, size=8.5)
    _lines(pdf, box.x + INSET, box.y + BAND_HEIGHT + 1.5, CARD_WIDTH - 2 * INSET, meeting_name, 4.0, 2, "C")


def _person(pdf: FPDF, box: Point, badge: BadgeCard) -> None:
    width = CARD_WIDTH - 3 * INSET - QR_SIZE  # left of the QR code
    top = box.y + CARD_HEIGHT - INSET - QR_SIZE
    size = _fitting_size(pdf, badge.name, width, largest=26, smallest=12)
    pdf.set_font(SANS, size=size)
    pdf.set_xy(box.x + INSET, top + 2)
    pdf.cell(w=width, h=12, text=badge.name, align="L")
    pdf.set_font(SERIF, size=9)
    _lines(pdf, box.x + INSET, top + 16, width, badge.organization, 4.2, 3, "L")


def _fitting_size(pdf: FPDF, text: str, width: float, largest: float, smallest: float) -> float:
    """The largest font size (pt) at which ``text`` fits on one line: a long name is not cut."""
    pdf.set_font(SANS, size=largest)
    natural = pdf.get_string_width(text)
    return largest if natural <= width else max(smallest, largest * width / natural)


def _lines(
    pdf: FPDF, x: float, y: float, width: float, text: str, height: float, most: int, align: str
) -> None:
    """``text`` wrapped to ``width``, at most ``most`` lines, the last ending in … when cut."""
    lines = pdf.multi_cell(
        w=width, h=height, text=text, wrapmode=WrapMode.CHAR, dry_run=True, output=MethodReturnValue.LINES
    )
    assert isinstance(lines, list)  # what output=LINES returns
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1][:-1] + "…"]
    for offset, line in enumerate(lines):
        pdf.set_xy(x, y + offset * height)
        pdf.cell(w=width, h=height, text=line, align=align)


def _qr(pdf: FPDF, x: float, y: float, token: str) -> None:
    """The QR code as black squares, one rectangle per run of dark modules in a row."""
    code = qr_code(token)
    module = QR_SIZE / len(code.matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, modules in enumerate(code.matrix):
        for start, length in _dark_runs(modules):
            pdf.rect(x + start * module, y + row * module, length * module, module, style="F")


def _dark_runs(modules: bytearray) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules."""
    runs: list[tuple[int, int]] = []
    start = None
    for column, dark in enumerate([*modules, 0]):  # the 0 closes a run reaching the edge
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs
