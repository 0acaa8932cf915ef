"""席位卡 as table tents: one A4 landscape page per card, folded along its horizontal middle.

The name is printed on both halves, the upper one turned half a circle, so that when the folded
card stands on the table each face reads upright, to the leader behind it and to the hall. The
name is as large as the face allows, in the sans font (黑体 in official practice): a two-character
name is spaced out (王　勇), as is customary; three and four characters fill the width; a long
name (阿依古丽·买买提) is made smaller until it fits. The seat goes small in one corner of one
face, for the staff who lay the cards out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import set_up_document

PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, mm
FOLD = PAGE_HEIGHT / 2
NAME_WIDTH = PAGE_WIDTH - 2 * 18.0  # mm the name may take across a face
LARGEST_EM = 64.0  # mm: a character's height on a 105 mm face, leaving room above and below
PT = 25.4 / 72  # mm
LARGEST_SIZE = LARGEST_EM / PT  # pt
TWO_CHARACTER_GAP = 1.0  # em between the characters of a two-character name
CJK_CENTRE = 0.38  # em above the baseline where an ideograph's body is centred
LABEL_SIZE = 10.0  # pt
NO_CARDS = "无席位卡"


@dataclass(frozen=True)
class NameCard:
    name: str
    seat_label: str  # e.g. 主席台第一排3号: for the staff laying the cards out
    attendee_id: str


def namecards_pdf(cards: Sequence[NameCard], title: str) -> bytes:
    """One folded card per page, in the given order; ``title`` goes into the PDF's metadata."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    printed = title + NO_CARDS + "".join(card.name + card.seat_label for card in cards)
    with embedded_fonts(pdf, printed):
        # Every position is computed; nothing flows.
        set_up_document(pdf, title, left=0, top=0, right=0, bottom=None)
        for card in cards:
            pdf.add_page()
            _card(pdf, card)
        if not cards:
            pdf.add_page()
            _centred(pdf, NO_CARDS, PAGE_HEIGHT / 2, size=28, spacing=0)
        return bytes(pdf.output())


def _card(pdf: FPDF, card: NameCard) -> None:
    _fold_line(pdf)
    with pdf.rotation(angle=180, x=PAGE_WIDTH / 2, y=FOLD):  # the upper face, upside down on the sheet
        _face(pdf, card.name)
    _face(pdf, card.name)
    pdf.set_font(SERIF, size=LABEL_SIZE)
    pdf.set_text_color(128, 128, 128)
    pdf.text(10, PAGE_HEIGHT - 8, card.seat_label)  # lower face only: the hall need not read it
    pdf.set_text_color(0, 0, 0)


def _fold_line(pdf: FPDF) -> None:
    """A faint dashed line where the sheet is folded; it disappears into the fold."""
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(0, FOLD, PAGE_WIDTH, FOLD)
    pdf.set_dash_pattern()


def _face(pdf: FPDF, name: str) -> None:
    """The name, centred on the lower half of the sheet."""
    size, spacing = fitting_size(pdf, name)
    _centred(pdf, name, FOLD + (PAGE_HEIGHT - FOLD) / 2, size, spacing)


def fitting_size(pdf: FPDF, name: str) -> tuple[float, float]:
    """(font size, spacing between characters), both in pt: as large as the face allows."""
    gap = TWO_CHARACTER_GAP if len(name) == 2 else 0.0
    width = _width(pdf, name, LARGEST_SIZE, gap * LARGEST_SIZE)
    size = LARGEST_SIZE * min(1.0, NAME_WIDTH / width) if width else LARGEST_SIZE
    return size, gap * size


def _width(pdf: FPDF, text: str, size: float, spacing: float) -> float:
    """mm ``text`` takes at ``size`` pt with ``spacing`` pt between characters (not after the last)."""
    pdf.set_font(SANS, size=size)
    pdf.set_char_spacing(0)
    return pdf.get_string_width(text) + spacing * PT * max(len(text) - 1, 0)


def _centred(pdf: FPDF, text: str, centre_y: float, size: float, spacing: float) -> None:
    width = _width(pdf, text, size, spacing)
    pdf.set_char_spacing(spacing)
    pdf.text(PAGE_WIDTH / 2 - width / 2, centre_y + CJK_CENTRE * size * PT, text)
    pdf.set_char_spacing(0)
