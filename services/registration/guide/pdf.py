"""The guide as an A5 booklet to print: a cover, then one section a page onwards, headings in
黑体 (SANS), text in 宋体 (SERIF), "第 n 页 / 共 N 页" at the foot of every page but the cover,
and a bookmark per section. The CJK fonts are embedded (see huiwu/fonts.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import astuple

from fpdf import FPDF

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import NumberedPages, TableStyle, add_paragraph, add_table, set_up_document
from services.registration.guide import labels
from services.registration.guide.models import AgendaDay, GroupEntry, Guide, LodgingEntry, RosterPart

MARGIN = 12.0  # mm
BOTTOM = 15.0  # mm: room for the page number
A5 = (148.0, 210.0)  # mm; given as a size, as fpdf2 warns that its "A5" changed in 2.8.5
WIDTH = 124.0  # mm: A5's 148 less the margins
TABLE = TableStyle(width=WIDTH, text_size=9, heading_size=9, line_height=5, padding=(1, 1))
AGENDA_WIDTHS = (22, 36, 28, 16, 22)  # mm, in the order of labels.AGENDA_COLUMNS; they add up to WIDTH
ROSTER_WIDTHS = (10, 22, 56, 36)
ROSTER_ALIGN = ("CENTER", "LEFT", "LEFT", "LEFT")
LODGING_WIDTHS = (36, 18, 24, 46)


class _Booklet(NumberedPages):
    footer_from_bottom, footer_size, first_numbered_page = 10.0, 8.0, 2  # the cover is page 1


def guide_pdf(guide: Guide) -> bytes:
    pdf = _Booklet(orientation="portrait", unit="mm", format=A5)
    with embedded_fonts(pdf, _printed_text(guide)):
        set_up_document(pdf, guide.title, left=MARGIN, top=MARGIN, right=MARGIN, bottom=BOTTOM)
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
    add_paragraph(pdf, guide.meeting_name, line_height=10, align="C")
    pdf.ln(14)
    pdf.set_font(SANS, size=28)
    add_paragraph(pdf, labels.BOOKLET, line_height=14, align="C")
    pdf.set_y(-55)
    pdf.set_font(SERIF, size=12)
    add_paragraph(pdf, guide.dates, line_height=7, align="C")


def _section(pdf: FPDF, heading: str) -> None:
    pdf.add_page()
    pdf.start_section(heading)  # a bookmark, for readers on screen
    pdf.set_font(SANS, size=14)
    add_paragraph(pdf, heading, line_height=9, align="C")
    pdf.ln(2)


def _subheading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(SANS, size=11)
    add_paragraph(pdf, text, line_height=7)


def _to_follow(pdf: FPDF, text: str) -> None:
    pdf.set_font(SERIF, size=11)
    add_paragraph(pdf, text, line_height=7, align="C")


def _agenda(pdf: FPDF, days: Sequence[AgendaDay]) -> None:
    _section(pdf, labels.AGENDA)
    if not days:
        _to_follow(pdf, labels.AGENDA_TO_FOLLOW)
    for day in days:
        _subheading(pdf, day.day)
        rows = [(item.time, item.title, item.room, item.presiding, item.attending) for item in day.items]
        add_table(pdf, labels.AGENDA_COLUMNS, rows, TABLE, column_widths=AGENDA_WIDTHS)


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
            add_paragraph(pdf, labels.FIELD.format(label=label, value=value), line_height=6)


def _roster(pdf: FPDF, note: str, parts: Sequence[RosterPart]) -> None:
    _section(pdf, labels.ROSTER)
    if not parts:
        _to_follow(pdf, labels.ROSTER_TO_FOLLOW)
        return
    pdf.set_font(SERIF, size=10)
    add_paragraph(pdf, note, line_height=6, align="C")
    for part in parts:
        _subheading(pdf, labels.HEADCOUNT.format(category=part.category, count=len(part.people)))
        rows = [
            (str(number), person.name, person.organization, person.title)
            for number, person in enumerate(part.people, start=1)
        ]
        add_table(pdf, labels.ROSTER_COLUMNS, rows, TABLE, column_widths=ROSTER_WIDTHS, align=ROSTER_ALIGN)


def _lodging(pdf: FPDF, stays: Sequence[LodgingEntry]) -> None:
    _section(pdf, labels.LODGING)
    if not stays:
        _to_follow(pdf, labels.LODGING_TO_FOLLOW)
        return
    rows = [(stay.hotel, stay.room, stay.name, stay.nights) for stay in stays]
    add_table(pdf, labels.LODGING_COLUMNS, rows, TABLE, column_widths=LODGING_WIDTHS)


def _notes(pdf: FPDF, notes: Sequence[str]) -> None:
    _section(pdf, labels.NOTES)
    pdf.set_font(SERIF, size=10.5)
    for number, note in enumerate(notes, start=1):
        add_paragraph(pdf, f"{number}. {note}", line_height=7)
