"""The guide as an A5 booklet to print: a cover, then one section a page onwards, headings in
黑体 (SANS), text in 宋体 (SERIF), "第 n 页 / 共 N 页" at the foot of every page but the cover,
and a bookmark per section. The CJK fonts are embedded (see huiwu/fonts.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import astuple

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, WrapMode

from huiwu.fonts import SANS, SERIF, NumberedPages, embedded_fonts
from services.registration.guide import labels
from services.registration.guide.models import AgendaDay, GroupEntry, Guide, LodgingEntry, RosterPart

MARGIN = 12.0  # mm
A5 = (148.0, 210.0)  # mm; given as a size, as fpdf2 warns that its "A5" changed in 2.8.5
WIDTH = 124.0  # mm: A5's 148 less the margins
AGENDA_WIDTHS = (22, 36, 28, 16, 22)  # mm, in the order of labels.AGENDA_COLUMNS; they add up to WIDTH
ROSTER_WIDTHS = (10, 22, 56, 36)
ROSTER_ALIGN = ("CENTER", "LEFT", "LEFT", "LEFT")
LODGING_WIDTHS = (36, 18, 24, 46)
HEADINGS = FontFace(family=SANS, emphasis="", size_pt=9, fill_color=(217, 217, 217))


class _Booklet(NumberedPages):
    footer_from_bottom, footer_size, first_numbered_page = 10.0, 8.0, 2  # the cover is page 1


def guide_pdf(guide: Guide) -> bytes:
    pdf = _Booklet(orientation="portrait", unit="mm", format=A5)
    with embedded_fonts(pdf, _printed_text(guide)):
        pdf.set_title(guide.title)
        pdf.set_lang("zh-CN")
        pdf.set_creator("Huiwu")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=15)  # room for the page number
        _cover(pdf, guide)
        _agenda(pdf, guide.agenda)
        _groups(pdf, guide.groups)
        _roster(pdf, guide.roster_note, guide.roster)
        _lodging(pdf, guide.lodging)
        _notes(pdf, guide.notes)
        return bytes(pdf.output())


def _printed_text(guide: Guide) -> str:
    """Every character the booklet may print: the guide's texts and the fixed words."""
    fixed = [value for name, value in vars(labels).items() if name.isupper()]
    return "".join(_strings(astuple(guide))) + "".join(_strings(fixed))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        yield from _strings(list(value.values()))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _cover(pdf: FPDF, guide: Guide) -> None:
    pdf.add_page()
    pdf.set_y(55)
    pdf.set_font(SANS, size=18)
    _paragraph(pdf, guide.meeting_name, height=10, align="C")
    pdf.ln(14)
    pdf.set_font(SANS, size=28)
    _paragraph(pdf, labels.BOOKLET, height=14, align="C")
    pdf.set_y(-55)
    pdf.set_font(SERIF, size=12)
    _paragraph(pdf, guide.dates, height=7, align="C")


def _section(pdf: FPDF, heading: str) -> None:
    pdf.add_page()
    pdf.start_section(heading)  # a bookmark, for readers on screen
    pdf.set_font(SANS, size=14)
    _paragraph(pdf, heading, height=9, align="C")
    pdf.ln(2)


def _subheading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(SANS, size=11)
    _paragraph(pdf, text, height=7)


def _paragraph(pdf: FPDF, text: str, *, height: float = 6, align: str = "L") -> None:
    pdf.multi_cell(
        w=0, h=height, text=text, align=align, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
    )


def _to_follow(pdf: FPDF, text: str) -> None:
    pdf.set_font(SERIF, size=11)
    _paragraph(pdf, text, height=7, align="C")


def _table(
    pdf: FPDF,
    widths: Sequence[int],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str | Sequence[str] = "LEFT",
) -> None:
    pdf.set_font(SERIF, size=9)
    with pdf.table(
        width=WIDTH,
        col_widths=tuple(widths),
        text_align=align if isinstance(align, str) else tuple(align),
        headings_style=HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        wrapmode=WrapMode.CHAR,  # Chinese has no spaces: a long name breaks between characters
        line_height=5,
        padding=(1, 1),
    ) as table:
        table.row(tuple(header))
        for cells in rows:
            table.row(tuple(cells))


def _agenda(pdf: FPDF, days: Sequence[AgendaDay]) -> None:
    _section(pdf, labels.AGENDA)
    if not days:
        _to_follow(pdf, labels.AGENDA_TO_FOLLOW)
    for day in days:
        _subheading(pdf, day.day)
        rows = [(item.time, item.title, item.room, item.presiding, item.attending) for item in day.items]
        _table(pdf, AGENDA_WIDTHS, labels.AGENDA_COLUMNS, rows)


def _groups(pdf: FPDF, groups: Sequence[GroupEntry]) -> None:
    _section(pdf, labels.GROUPS)
    if not groups:
        _to_follow(pdf, labels.GROUPS_TO_FOLLOW)
    for group in groups:
        _subheading(pdf, group.name)
        pdf.set_font(SERIF, size=10)
        for label, value in (
            (labels.CONVENOR, group.convenor),
            (labels.ROOM, group.room),
            (labels.MEMBERS, "、".join(group.members)),
        ):
            _paragraph(pdf, labels.FIELD.format(label=label, value=value))


def _roster(pdf: FPDF, note: str, parts: Sequence[RosterPart]) -> None:
    _section(pdf, labels.ROSTER)
    if not parts:
        _to_follow(pdf, labels.ROSTER_TO_FOLLOW)
        return
    pdf.set_font(SERIF, size=10)
    _paragraph(pdf, note, align="C")
    for part in parts:
        _subheading(pdf, labels.HEADCOUNT.format(category=part.category, count=len(part.people)))
        rows = [
            (str(number), person.name, person.organization, person.title)
            for number, person in enumerate(part.people, start=1)
        ]
        _table(pdf, ROSTER_WIDTHS, labels.ROSTER_COLUMNS, rows, ROSTER_ALIGN)


def _lodging(pdf: FPDF, stays: Sequence[LodgingEntry]) -> None:
    _section(pdf, labels.LODGING)
    if not stays:
        _to_follow(pdf, labels.LODGING_TO_FOLLOW)
        return
    rows = [(stay.hotel, stay.room, stay.name, stay.nights) for stay in stays]
    _table(pdf, LODGING_WIDTHS, labels.LODGING_COLUMNS, rows)


def _notes(pdf: FPDF, notes: Sequence[str]) -> None:
    _section(pdf, labels.NOTES)
    pdf.set_font(SERIF, size=10.5)
    for number, note in enumerate(notes, start=1):
        _paragraph(pdf, f"{number}. {note}", height=7)
