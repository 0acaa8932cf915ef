"""A session's seating plan, printed: an SVG chart for screens and a PDF (chart + seat list) for paper.

Both draw the same layout (``chart_layout``). The two viewpoints of RULES.md §1.2:

- the audience view (A-view) is how printed charts are usually drawn: the podium (主席台) at the
  top, the hall below it, columns left to right as the hall sees them (``column``);
- the podium view (P-view) is what a leader sees sitting on the podium: the podium at the bottom,
  the hall's rows counted upwards from it, left and right mirrored (``podium_view_column``).

The P-view is the A-view turned half a circle with the writing kept upright, which is why only
the x of every seat and the y of every row change between the two.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from fpdf import FPDF

from huiwu.chinese import CHINA_TIME
from huiwu.events.catalog import SeatArea
from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import NumberedPages, TitleStyle, add_title, set_up_document
from services.venue.seating.labels import seat_label
from services.venue.seating.models import HallShape, SeatingPlanPublic, SeatPublic
from services.venue.venues.models import LecternPosition


class ChartView(StrEnum):
    audience = "audience"  # A-view: from the hall, podium at the top
    podium = "podium"  # P-view: from the podium, podium at the bottom, mirrored


VIEW_CAPTIONS = {
    ChartView.audience: "观众视角（从会场看主席台）",
    ChartView.podium: "台上视角（从主席台看会场）",
}
PODIUM, LECTERN = "主席台", "发言席"
LEGEND = (("podium", "主席台座位"), ("occupied", "已排座位"), ("empty", "空座"), ("unusable", "不可用"))

# The layout's units: SVG user units (px at 100 %); the PDF scales them to fit its page.
SEAT_WIDTH, SEAT_HEIGHT, SEAT_GAP = 56.0, 26.0, 4.0
AISLE = 26.0  # the extra gap an aisle (过道) leaves between two columns
ROW_LABEL = 44.0  # room for "12排" at each end of a hall row
PODIUM_SEAT_WIDTH, PODIUM_SEAT_HEIGHT, PODIUM_GAP, PODIUM_ROW_GAP = 84.0, 40.0, 8.0, 10.0
PODIUM_PADDING = 12.0  # the podium's table reaches this far beyond its outer seats
PODIUM_LABEL = 64.0  # room for "主席台" beside the podium
LECTERN_WIDTH, LECTERN_HEIGHT = 76.0, 30.0
WALKWAY = 64.0  # between the podium and the front row: the lectern stands here
COLUMN_NUMBERS = 18.0  # the strip with the seat numbers, at the hall's far end
MARGIN = 20.0
NAME_SIZE, PODIUM_NAME_SIZE, SMALL_SIZE = 11.0, 16.0, 9.0
CHART_FONTS = "'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', SimHei, sans-serif"


class MarkKind(StrEnum):
    podium = "podium"  # a podium seat
    occupied = "occupied"  # a hall seat with someone in it
    empty = "empty"  # a usable hall seat nobody was given
    unusable = "unusable"  # a pillar, a camera stand… (RULES: the seat map's ``unusable``)


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def centre_x(self) -> float:
        return self.x + self.width / 2

    @property
    def centre_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class SeatMark:
    kind: MarkKind
    box: Box
    label: str  # as printed on tickets: 主席台第一排3号, 5排12座
    name: str | None = None
    precedence: int | None = None  # podium only: 1 = 1号
    delegation: str | None = None


@dataclass(frozen=True)
class Label:
    x: float
    centre_y: float
    text: str
    anchor: str  # SVG's text-anchor: start, middle or end


@dataclass(frozen=True)
class ChartLayout:
    """Everything the chart draws, in layout units, (0, 0) at its top-left corner."""

    width: float
    height: float
    podium: Box  # the podium's table, with the seats on it
    podium_label: Label
    lectern: Box | None
    seats: list[SeatMark]
    labels: list[Label]  # row and seat numbers


# --- layout ---------------------------------------------------------------------------------


def chart_layout(plan: SeatingPlanPublic, view: ChartView) -> ChartLayout:
    """Where every part of the chart goes in ``view``. Built in A-view depth order (podium, walkway,
    hall), then turned upside down for the P-view."""
    podium_seats = [seat for seat in plan.seats if seat.area is SeatArea.podium]
    hall = _hall_shape(plan)
    podium_rows = max([len(plan.podium_rows), 1, *(seat.row for seat in podium_seats)])
    row_lengths = Counter(seat.row for seat in podium_seats)
    across = [_podium_across(seat, row_lengths[seat.row], view) for seat in podium_seats]
    podium_half = max([PODIUM_SEAT_WIDTH * 1.5, *map(abs, across)]) + PODIUM_SEAT_WIDTH / 2 + PODIUM_PADDING
    podium_height = podium_rows * (PODIUM_SEAT_HEIGHT + PODIUM_ROW_GAP) - PODIUM_ROW_GAP + 2 * PODIUM_PADDING
    grid_width = _grid_width(hall) if hall else 0.0
    width = 2 * MARGIN + max(grid_width + 2 * ROW_LABEL, 2 * (podium_half + PODIUM_LABEL))
    hall_top = MARGIN + podium_height + WALKWAY
    frame = _Frame(view, height=hall_top + _hall_height(hall) + MARGIN)
    axis, grid_left = width / 2, (width - grid_width) / 2
    podium = frame.box(axis - podium_half, MARGIN, 2 * podium_half, podium_height)
    marks = [
        _podium_mark(seat, frame, axis + offset, podium_rows)
        for seat, offset in zip(podium_seats, across, strict=True)
    ]
    if hall:
        marks.extend(_hall_marks(plan, hall, frame, grid_left, hall_top))
    return ChartLayout(
        width=width,
        height=frame.height,
        podium=podium,
        podium_label=Label(podium.x - 10, podium.centre_y, PODIUM, "end"),
        lectern=_lectern(plan.lectern, frame, axis, podium_half, MARGIN + podium_height),
        seats=marks,
        labels=list(_hall_labels(hall, frame, grid_left, hall_top)) if hall else [],
    )


@dataclass(frozen=True)
class _Frame:
    """Turns A-view depths (0 = the top of an A-view chart) into the view's y."""

    view: ChartView
    height: float  # the whole chart's

    def y(self, depth: float, height: float) -> float:
        return depth if self.view is ChartView.audience else self.height - depth - height

    def box(self, x: float, depth: float, width: float, height: float) -> Box:
        return Box(x, self.y(depth, height), width, height)

    @property
    def mirrored(self) -> bool:
        return self.view is ChartView.podium


def _hall_shape(plan: SeatingPlanPublic) -> HallShape | None:
    """The plan's hall grid; for a plan that lacks it, the smallest grid holding its hall seats."""
    if plan.hall is not None:
        return plan.hall
    hall_seats = [seat for seat in plan.seats if seat.area is SeatArea.hall]
    if not hall_seats:
        return None
    rows = max(seat.row for seat in hall_seats)
    width = max(seat.column for seat in hall_seats)
    return HallShape(rows=rows, seats_per_row=width, aisles_after=[], unusable=[])


def _podium_across(seat: SeatPublic, row_length: int, view: ChartView) -> float:
    """A podium seat's centre, from the podium's axis towards the chart's right. ``offset`` places
    it exactly (a row seated 双数单摆 is not symmetric, R1.7); without one, the row is centred."""
    if seat.offset is not None:  # + = the leaders' left = the audience's right
        across = seat.offset if view is ChartView.audience else -seat.offset
    else:
        shown = seat.column if view is ChartView.audience else seat.podium_view_column
        across = shown - (row_length + 1) / 2
    return across * (PODIUM_SEAT_WIDTH + PODIUM_GAP)


def _podium_mark(seat: SeatPublic, frame: _Frame, centre_x: float, podium_rows: int) -> SeatMark:
    depth = MARGIN + PODIUM_PADDING + (podium_rows - seat.row) * (PODIUM_SEAT_HEIGHT + PODIUM_ROW_GAP)
    box = frame.box(centre_x - PODIUM_SEAT_WIDTH / 2, depth, PODIUM_SEAT_WIDTH, PODIUM_SEAT_HEIGHT)
    return SeatMark(MarkKind.podium, box, seat.label, seat.name, seat.precedence, seat.delegation)


def _lectern(
    position: LecternPosition, frame: _Frame, axis: float, podium_half: float, podium_front: float
) -> Box | None:
    """发言席 in front of the podium (R1.11): at its centre or its front-right, whose right the
    room says; the audience's right is drawn on the left in the mirrored P-view."""
    if position is LecternPosition.none:
        return None
    side = {LecternPosition.centre: 0, LecternPosition.audience_right: 1, LecternPosition.podium_right: -1}
    shown_side = side[position] * (-1 if frame.mirrored else 1)
    centre_x = axis + shown_side * (podium_half - LECTERN_WIDTH / 2)
    depth = podium_front + (WALKWAY - LECTERN_HEIGHT) / 2
    return frame.box(centre_x - LECTERN_WIDTH / 2, depth, LECTERN_WIDTH, LECTERN_HEIGHT)


def _hall_height(hall: HallShape | None) -> float:
    return hall.rows * (SEAT_HEIGHT + SEAT_GAP) - SEAT_GAP + COLUMN_NUMBERS if hall else 0.0


def _grid_width(hall: HallShape) -> float:
    width = hall.seats_per_row
    return width * SEAT_WIDTH + (width - 1) * SEAT_GAP + len(set(hall.aisles_after)) * AISLE


def _column_x(shown_column: int, shown_aisles: Sequence[int], left: float) -> float:
    aisles_before = sum(1 for aisle in shown_aisles if aisle < shown_column)
    return left + (shown_column - 1) * (SEAT_WIDTH + SEAT_GAP) + aisles_before * AISLE


def _shown_aisles(hall: HallShape, frame: _Frame) -> list[int]:
    """Aisles as columns in the view: after A-column a is after P-column (width - a)."""
    aisles = set(hall.aisles_after)
    return sorted(hall.seats_per_row - aisle for aisle in aisles) if frame.mirrored else sorted(aisles)


def _row_depth(row: int, hall_top: float) -> float:
    return hall_top + (row - 1) * (SEAT_HEIGHT + SEAT_GAP)


def _hall_marks(
    plan: SeatingPlanPublic, hall: HallShape, frame: _Frame, left: float, hall_top: float
) -> Iterator[SeatMark]:
    """Every position of the hall grid: taken, empty or unusable."""
    aisles = _shown_aisles(hall, frame)
    seats = {(seat.row, seat.column): seat for seat in plan.seats if seat.area is SeatArea.hall}
    unusable = {(row, column) for row, column in hall.unusable}
    for row in range(1, hall.rows + 1):
        for column in range(1, hall.seats_per_row + 1):
            seat = seats.get((row, column))
            mirrored_column = seat.podium_view_column if seat else hall.seats_per_row + 1 - column
            shown = mirrored_column if frame.mirrored else column
            box = frame.box(
                _column_x(shown, aisles, left), _row_depth(row, hall_top), SEAT_WIDTH, SEAT_HEIGHT
            )
            yield _hall_mark(seat, (row, column) in unusable, box, seat_label(SeatArea.hall, row, column))


def _hall_mark(seat: SeatPublic | None, unusable: bool, box: Box, grid_label: str) -> SeatMark:
    if unusable:  # whatever the plan says, nobody can sit there
        return SeatMark(MarkKind.unusable, box, grid_label)
    if seat is None or seat.name is None:
        return SeatMark(MarkKind.empty, box, seat.label if seat else grid_label)
    return SeatMark(MarkKind.occupied, box, seat.label, seat.name, None, seat.delegation)


def _hall_labels(hall: HallShape, frame: _Frame, left: float, hall_top: float) -> Iterator[Label]:
    """Row numbers at both ends of every row; seat numbers along the hall's far end."""
    right = left + _grid_width(hall)
    for row in range(1, hall.rows + 1):
        centre_y = frame.y(_row_depth(row, hall_top), SEAT_HEIGHT) + SEAT_HEIGHT / 2
        yield Label(left - 8, centre_y, f"{row}排", "end")
        yield Label(right + 8, centre_y, f"{row}排", "start")
    aisles = _shown_aisles(hall, frame)
    numbers_depth = _row_depth(hall.rows + 1, hall_top)
    centre_y = frame.y(numbers_depth, COLUMN_NUMBERS) + COLUMN_NUMBERS / 2
    for column in range(1, hall.seats_per_row + 1):
        shown = hall.seats_per_row + 1 - column if frame.mirrored else column
        yield Label(_column_x(shown, aisles, left) + SEAT_WIDTH / 2, centre_y, str(column), "middle")


# --- text -----------------------------------------------------------------------------------


def session_time(starts_at: datetime, ends_at: datetime) -> str:
    """When the session runs, in Beijing time: 2025年3月1日 09:00–11:30."""
    start, end = _beijing(starts_at), _beijing(ends_at)
    if start.date() == end.date():
        return f"{_day(start)} {start:%H:%M}–{end:%H:%M}"
    return f"{_day(start)} {start:%H:%M} – {_day(end)} {end:%H:%M}"


def _beijing(moment: datetime) -> datetime:
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # stored as UTC
    return aware.astimezone(CHINA_TIME)


def _day(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def estimated_width(text: str, size: float) -> float:
    """About how wide ``text`` sets at ``size``: CJK characters take an em, the rest about half."""
    return size * sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55 for char in text)


def baseline(centre_y: float, size: float) -> float:
    """The baseline that centres a line of CJK text on ``centre_y``: an ideograph's body sits
    from about 0.12 em below the baseline to 0.88 em above it."""
    return centre_y + 0.38 * size


# --- SVG ------------------------------------------------------------------------------------

HEADER = 104.0  # title, time and room, viewpoint and legend above the chart
TITLE_SIZE = 22.0
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 forbids


def seating_svg(plan: SeatingPlanPublic, view: ChartView) -> str:
    """The seating chart as a standalone SVG document, seen from ``view``."""
    layout = chart_layout(plan, view)
    subtitle = f"{plan.room_name}　{session_time(plan.starts_at, plan.ends_at)}"
    width = max(layout.width, estimated_width(plan.session_title, TITLE_SIZE) + 2 * MARGIN, 560.0)
    shift = (width - layout.width) / 2  # a chart narrower than its title is centred under it
    height = HEADER + layout.height
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" font-family="{_escape(CHART_FONTS)}">',
        f"<title>{_escape(f'{plan.session_title} 座次图')}</title>",
        f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        *_svg_header(plan.session_title, subtitle, view, width),
        f'<g transform="translate({_n(shift)} {_n(HEADER)})">',
        *_svg_chart(layout),
        "</g>",
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _svg_header(title: str, subtitle: str, view: ChartView, width: float) -> Iterator[str]:
    yield '<g text-anchor="middle" fill="#000000">'
    yield _svg_text(width / 2, 34, title, TITLE_SIZE, 'font-weight="bold"')
    yield _svg_text(width / 2, 58, subtitle, 13)
    yield _svg_text(width / 2, 80, VIEW_CAPTIONS[view], 13, 'fill="#b22222"')
    yield "</g>"
    yield f'<g font-size="{_n(SMALL_SIZE)}" fill="#333333">'
    x = MARGIN
    for kind, caption in LEGEND:
        yield _svg_rect(Box(x, 88, 18, 10), kind, role="legend")
        yield _svg_text(x + 22, baseline(93, SMALL_SIZE), caption, SMALL_SIZE)
        x += 30 + estimated_width(caption, SMALL_SIZE)
    yield "</g>"


def _svg_chart(layout: ChartLayout) -> Iterator[str]:
    podium = layout.podium
    yield (
        f'<rect class="podium-table" x="{_n(podium.x)}" y="{_n(podium.y)}" width="{_n(podium.width)}" '
        f'height="{_n(podium.height)}" rx="6" fill="#f3e6cc" stroke="#a07a3c" stroke-width="1.5"/>'
    )
    yield _svg_label(layout.podium_label, 16, 'font-weight="bold" fill="#7a5516"')
    if layout.lectern is not None:
        yield _svg_rect(layout.lectern, "lectern", role="lectern")
        lectern = layout.lectern
        yield _svg_text(lectern.centre_x, baseline(lectern.centre_y, 12), LECTERN, 12, 'text-anchor="middle"')
    yield '<g stroke-width="1">'
    yield from (_svg_rect(mark.box, mark.kind.value, _seat_tip(mark)) for mark in layout.seats)
    yield from (_svg_cross(mark.box) for mark in layout.seats if mark.kind is MarkKind.unusable)
    yield "</g>"
    yield '<g text-anchor="middle" fill="#000000">'
    for mark in layout.seats:
        yield from _svg_seat_text(mark)
    yield "</g>"
    yield f'<g font-size="{_n(SMALL_SIZE)}" fill="#666666">'
    yield from (_svg_label(label, SMALL_SIZE) for label in layout.labels)
    yield "</g>"


SEAT_STYLES = {
    "podium": 'fill="#fffaf0" stroke="#7a5516"',
    "occupied": 'fill="#ffffff" stroke="#555555"',
    "empty": 'fill="none" stroke="#aaaaaa" stroke-dasharray="3 2"',
    "unusable": 'fill="#d0d0d0" stroke="#999999"',
    "lectern": 'fill="#e8eef7" stroke="#3a5a8c" stroke-width="1.5"',
}


def _svg_rect(box: Box, kind: str, tip: str | None = None, role: str = "seat") -> str:
    shape = (
        f'<rect class="{role} {kind}" x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="2" {SEAT_STYLES[kind]}'
    )
    return f"{shape}><title>{_escape(tip)}</title></rect>" if tip else f"{shape}/>"


def _seat_tip(mark: SeatMark) -> str:
    """The hover text: the seat and the person's delegation (their name is on the seat already)."""
    state = {MarkKind.empty: "空座", MarkKind.unusable: "不可用"}.get(mark.kind)
    return " ".join(part for part in (mark.label, state, mark.delegation) if part)


def _svg_cross(box: Box) -> str:
    right, bottom = box.x + box.width, box.y + box.height
    return (
        f'<path class="cross" d="M{_n(box.x)} {_n(box.y)}L{_n(right)} {_n(bottom)}'
        f'M{_n(right)} {_n(box.y)}L{_n(box.x)} {_n(bottom)}" stroke="#888888" fill="none"/>'
    )


def _svg_seat_text(mark: SeatMark) -> Iterator[str]:
    if mark.name is None:
        return
    box = mark.box
    if mark.kind is not MarkKind.podium:
        yield _svg_fitted(box.centre_x, box.centre_y, mark.name, NAME_SIZE, box.width - 4)
        return
    name_centre = box.y + box.height * 0.42  # above the precedence
    yield _svg_fitted(box.centre_x, name_centre, mark.name, PODIUM_NAME_SIZE, box.width - 6)
    if mark.precedence is not None:
        precedence_y = box.y + box.height - 3
        yield _svg_text(box.centre_x, precedence_y, f"{mark.precedence}号", SMALL_SIZE, 'fill="#7a5516"')


def _svg_fitted(x: float, centre_y: float, text: str, size: float, room: float) -> str:
    """A name set smaller when it would overflow its seat (a long minority name). A smaller font
    size, not textLength: every SVG viewer honours the one, not all the other."""
    natural = estimated_width(text, size)
    if natural > room:
        size *= room / natural
    return _svg_text(x, baseline(centre_y, size), text, size)


def _svg_label(label: Label, size: float, extra: str = "") -> str:
    anchor = f'text-anchor="{label.anchor}"'
    return _svg_text(label.x, baseline(label.centre_y, size), label.text, size, f"{anchor} {extra}".strip())


def _svg_text(x: float, y: float, text: str, size: float, extra: str = "") -> str:
    attributes = f" {extra}" if extra else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{attributes}>{_escape(text)}</text>'


def _escape(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text), quote=True)


def _n(value: float) -> str:
    """A coordinate, short: two decimals at most, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


# --- PDF ------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = 420.0, 297.0  # A3 landscape, mm
PAGE_MARGIN = 12.0
CHART_TOP = 34.0  # below the title and subtitle
LEGEND_HEIGHT = 10.0
FOOTER = 12.0
MOST_MM_PER_UNIT = 0.45  # a small hall is drawn no larger than this: 25 mm seats, 14 pt names
PT = 25.4 / 72  # mm
TITLE = TitleStyle(size=20, line_height=10, note_size=12, note_line_height=7, space_after=0)
# The seat list: two bands side by side on each page, read down the left band, then the right.
LIST_TITLE, LIST_CONTINUED, LIST_EMPTY = "座位表", "座位表（续）", "（尚无人入座）"
LIST_HEADINGS = ("座位", "姓名", "单位/代表团")
LIST_WIDTHS = (50.0, 48.0, 92.0)  # mm
LIST_BANDS, LIST_GAP = 2, 16.0  # two bands of 190 mm and the gap fill the 396 mm between the margins
LIST_TOP, LIST_ROW, LIST_SIZE = 26.0, 7.0, 11.0  # mm, mm, pt
PDF_COLOURS = {
    "podium": ((255, 250, 240), (122, 85, 22)),  # (fill, line)
    "occupied": ((255, 255, 255), (85, 85, 85)),
    "empty": (None, (170, 170, 170)),
    "unusable": ((208, 208, 208), (153, 153, 153)),
    "lectern": ((232, 238, 247), (58, 90, 140)),
}


class _SeatingDocument(NumberedPages):
    footer_from_bottom = FOOTER - 2


@dataclass(frozen=True)
class _Placement:
    """Layout units → page millimetres."""

    left: float
    top: float
    scale: float

    def box(self, box: Box) -> Box:
        return Box(self.left + box.x * self.scale, self.top + box.y * self.scale, *self.size(box))

    def size(self, box: Box) -> tuple[float, float]:
        return box.width * self.scale, box.height * self.scale

    def point(self, x: float, y: float) -> tuple[float, float]:
        return self.left + x * self.scale, self.top + y * self.scale

    def points(self, size: float) -> float:
        """A font size in layout units, in points on the page."""
        return size * self.scale / PT


def seating_pdf(plan: SeatingPlanPublic, meeting_name: str) -> bytes:
    """An A3 landscape PDF: the audience-view chart scaled to the page, then every seated person
    in a table (podium in precedence order, then the hall row by row), so the list can be
    searched and read aloud where the chart's names are small."""
    layout = chart_layout(plan, ChartView.audience)
    title = f"{meeting_name} {plan.session_title}"
    when = session_time(plan.starts_at, plan.ends_at)
    subtitle = f"{plan.room_name}　{when}　座次图（{VIEW_CAPTIONS[ChartView.audience]}）"
    rows = seat_list(plan)
    pdf = _SeatingDocument(orientation="landscape", unit="mm", format="A3")
    printed = [
        title,
        subtitle,
        PODIUM,
        LECTERN,
        "号排座",
        *(caption for _, caption in LEGEND),
        *LIST_HEADINGS,
        LIST_CONTINUED,
        LIST_EMPTY,
    ]
    printed.extend(cell for row in rows for cell in row)
    with embedded_fonts(pdf, "".join(printed)):
        # Every position is computed; nothing flows.
        set_up_document(
            pdf, f"{title} 座次图", left=PAGE_MARGIN, top=PAGE_MARGIN, right=PAGE_MARGIN, bottom=None
        )
        pdf.add_page()
        add_title(pdf, title, subtitle, TITLE)
        _pdf_chart(pdf, layout)
        _pdf_legend(pdf)
        _pdf_seat_list(pdf, rows)
        return bytes(pdf.output())


def seat_list(plan: SeatingPlanPublic) -> list[tuple[str, str, str]]:
    """(seat, name, delegation) for every seated person: the podium by precedence, then the hall
    front row first, each row left to right as the hall sees it."""
    seated = [seat for seat in plan.seats if seat.name is not None]
    podium = sorted(
        (seat for seat in seated if seat.area is SeatArea.podium),
        key=lambda seat: (seat.precedence is None, seat.precedence or 0, seat.row, seat.column),
    )
    hall = sorted(
        (seat for seat in seated if seat.area is SeatArea.hall), key=lambda seat: (seat.row, seat.column)
    )
    return [(seat.label, seat.name or "", seat.delegation or "") for seat in [*podium, *hall]]


def _pdf_chart(pdf: FPDF, layout: ChartLayout) -> None:
    room_width = PAGE_WIDTH - 2 * PAGE_MARGIN
    top = max(CHART_TOP, pdf.get_y() + 2)
    room_height = PAGE_HEIGHT - top - LEGEND_HEIGHT - FOOTER
    scale = min(room_width / layout.width, room_height / layout.height, MOST_MM_PER_UNIT)
    place = _Placement(PAGE_MARGIN + (room_width - layout.width * scale) / 2, top, scale)
    podium = place.box(layout.podium)
    pdf.set_line_width(0.3)
    pdf.set_fill_color(243, 230, 204)
    pdf.set_draw_color(160, 122, 60)
    pdf.rect(
        podium.x, podium.y, podium.width, podium.height, style="DF", round_corners=True, corner_radius=1.5
    )
    _pdf_label(pdf, place, layout.podium_label, 16)
    if layout.lectern is not None:
        lectern = place.box(layout.lectern)
        _pdf_box(pdf, lectern, "lectern")
        _pdf_centred(pdf, LECTERN, lectern.centre_x, lectern.centre_y, place.points(12), lectern.width)
    pdf.set_line_width(0.2)
    for mark in layout.seats:
        _pdf_seat(pdf, place, mark)
    pdf.set_text_color(102, 102, 102)
    for label in layout.labels:
        _pdf_label(pdf, place, label, SMALL_SIZE)
    pdf.set_text_color(0, 0, 0)


def _pdf_seat(pdf: FPDF, place: _Placement, mark: SeatMark) -> None:
    box = place.box(mark.box)
    _pdf_box(pdf, box, mark.kind.value)
    if mark.kind is MarkKind.unusable:
        pdf.line(box.x, box.y, box.x + box.width, box.y + box.height)
        pdf.line(box.x + box.width, box.y, box.x, box.y + box.height)
    if mark.name is None:
        return
    if mark.kind is not MarkKind.podium:
        _pdf_centred(pdf, mark.name, box.centre_x, box.centre_y, place.points(NAME_SIZE), box.width * 0.92)
        return
    _pdf_centred(
        pdf,
        mark.name,
        box.centre_x,
        box.y + box.height * 0.42,
        place.points(PODIUM_NAME_SIZE),
        box.width * 0.92,
    )
    if mark.precedence is not None:
        pdf.set_text_color(122, 85, 22)
        small = place.points(SMALL_SIZE)
        _pdf_centred(
            pdf, f"{mark.precedence}号", box.centre_x, box.y + box.height - small * PT * 0.7, small, box.width
        )
        pdf.set_text_color(0, 0, 0)


def _pdf_box(pdf: FPDF, box: Box, kind: str) -> None:
    fill, line = PDF_COLOURS[kind]
    pdf.set_draw_color(*line)
    if fill is None:
        pdf.set_dash_pattern(dash=0.8, gap=0.5)
        pdf.rect(box.x, box.y, box.width, box.height, style="D")
        pdf.set_dash_pattern()
        return
    pdf.set_fill_color(*fill)
    pdf.rect(box.x, box.y, box.width, box.height, style="DF")


def _pdf_centred(pdf: FPDF, text: str, centre_x: float, centre_y: float, size: float, room: float) -> None:
    """``text`` centred on a point, made smaller when it would not fit in ``room`` mm."""
    pdf.set_font(SANS, size=size)
    natural = pdf.get_string_width(text)
    if natural > room > 0:
        size *= room / natural
        pdf.set_font(SANS, size=size)
        natural = pdf.get_string_width(text)
    pdf.text(centre_x - natural / 2, baseline(centre_y, size * PT), text)


def _pdf_label(pdf: FPDF, place: _Placement, label: Label, size: float) -> None:
    size_pt = place.points(size)
    pdf.set_font(SANS, size=size_pt)
    width = pdf.get_string_width(label.text)
    x, centre_y = place.point(label.x, label.centre_y)
    start = {"start": x, "middle": x - width / 2, "end": x - width}[label.anchor]
    pdf.text(start, baseline(centre_y, size_pt * PT), label.text)


def _pdf_legend(pdf: FPDF) -> None:
    y = PAGE_HEIGHT - FOOTER - LEGEND_HEIGHT + 2
    x = PAGE_MARGIN
    pdf.set_line_width(0.2)
    for kind, caption in LEGEND:
        swatch = Box(x, y, 8, 4.5)
        _pdf_box(pdf, swatch, kind)
        if kind == "unusable":
            pdf.line(swatch.x, swatch.y, swatch.x + swatch.width, swatch.y + swatch.height)
            pdf.line(swatch.x + swatch.width, swatch.y, swatch.x, swatch.y + swatch.height)
        pdf.set_font(SERIF, size=10)
        pdf.text(x + 10, baseline(swatch.centre_y, 10 * PT), caption)
        x += 16 + pdf.get_string_width(caption)


def _pdf_seat_list(pdf: FPDF, rows: Sequence[tuple[str, str, str]]) -> None:
    """The seat list on as many pages as it takes, its headings repeated on each. Drawn cell by
    cell rather than as an fpdf2 table: a 3,000-seat hall would take seconds that way."""
    per_band = int((PAGE_HEIGHT - LIST_TOP - FOOTER) // LIST_ROW) - 1  # less the headings' row
    per_page = per_band * LIST_BANDS
    for start in range(0, max(len(rows), 1), per_page):
        pdf.add_page()
        pdf.set_font(SANS, size=16)
        pdf.set_xy(PAGE_MARGIN, PAGE_MARGIN)
        pdf.cell(w=0, h=10, text=LIST_CONTINUED if start else LIST_TITLE, align="C")
        for band in range(LIST_BANDS):
            first = start + band * per_band
            chunk = rows[first : first + per_band]
            if chunk or (not rows and band == 0):
                left = PAGE_MARGIN + band * (sum(LIST_WIDTHS) + LIST_GAP)
                _pdf_list_band(pdf, left, chunk or [(LIST_EMPTY, "", "")])


def _pdf_list_band(pdf: FPDF, left: float, rows: Sequence[tuple[str, ...]]) -> None:
    pdf.set_fill_color(217, 217, 217)
    pdf.rect(left, LIST_TOP, sum(LIST_WIDTHS), LIST_ROW, style="F")
    _pdf_list_row(pdf, left, LIST_TOP, LIST_HEADINGS, SANS)
    pdf.set_draw_color(200, 200, 200)
    pdf.set_line_width(0.2)
    for number, row in enumerate(rows, start=1):
        top = LIST_TOP + number * LIST_ROW
        _pdf_list_row(pdf, left, top, row, SERIF)
        pdf.line(left, top + LIST_ROW, left + sum(LIST_WIDTHS), top + LIST_ROW)


def _pdf_list_row(pdf: FPDF, left: float, top: float, cells: Sequence[str], family: str) -> None:
    """One line of the list; a cell too long for its column is set smaller, never cut."""
    x = left
    for text, width in zip(cells, LIST_WIDTHS, strict=True):
        pdf.set_font(family, size=LIST_SIZE)
        room = width - 3
        natural = pdf.get_string_width(text)
        if natural > room:
            pdf.set_font(family, size=LIST_SIZE * room / natural)
        pdf.text(x + 1.5, baseline(top + LIST_ROW / 2, pdf.font_size), text)
        x += width
