"""The guide as one standalone HTML page, to read on a phone or print: semantic headings, tables
whose header cells say what they head, no script, font or style sheet fetched from anywhere, and
every text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from services.registration.guide import labels
from services.registration.guide.models import AgendaDay, GroupEntry, Guide, LodgingEntry, RosterPart

# Inline and minimal: the page must print as well as it reads, and fetch nothing (no CDN on a
# government network). The font lists name the 黑体/宋体 faces common systems have.
STYLE = """
@page { size: A5; margin: 12mm; }
body { font-family: "Noto Serif SC", "Source Han Serif SC", "Songti SC", SimSun, serif;
  line-height: 1.6; max-width: 48rem; margin: 0 auto; padding: 1rem; color: #000; background: #fff; }
h1, h2, h3, th { font-family: "Noto Sans SC", "Source Han Sans SC", "PingFang SC", SimHei, sans-serif; }
.cover { text-align: center; padding: 4rem 0; }
.cover .booklet { display: block; font-size: 1.6em; margin-top: 1.5rem; }
h2, .note, .to-follow { text-align: center; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #000; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top;
  word-break: break-all; }
thead th { background: #d9d9d9; }
tbody th { font-weight: normal; }
dt { float: left; clear: left; }
dd { margin-left: 4em; }
@media print {
  body { max-width: none; padding: 0; }
  .cover, section { break-after: page; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
""".strip()


def guide_html(guide: Guide) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(guide.title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        _cover(guide),
        "<main>",
        _agenda(guide.agenda),
        _groups(guide.groups),
        _roster(guide.roster_note, guide.roster),
        _lodging(guide.lodging),
        _notes(guide.notes),
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _cover(guide: Guide) -> str:
    return (
        '<header class="cover">\n'
        f'<h1>{escape(guide.meeting_name)}<span class="booklet">{escape(labels.BOOKLET)}</span></h1>\n'
        f'<p class="dates">{escape(guide.dates)}</p>\n'
        "</header>"
    )


def _section(anchor: str, heading: str, content: Sequence[str]) -> str:
    return "\n".join(
        [
            f'<section aria-labelledby="{anchor}">',
            f'<h2 id="{anchor}">{escape(heading)}</h2>',
            *content,
            "</section>",
        ]
    )


def _to_follow(text: str) -> list[str]:
    return [f'<p class="to-follow">{escape(text)}</p>']


def _table(anchor: str, header: Sequence[str], rows: Sequence[Sequence[str]], row_header: int = 0) -> str:
    """A table labelled by the heading ``anchor`` names; column ``row_header`` heads each row."""
    head = "".join(f'<th scope="col">{escape(text)}</th>' for text in header)
    body = [
        "<tr>"
        + "".join(
            f'<th scope="row">{escape(text)}</th>' if index == row_header else f"<td>{escape(text)}</td>"
            for index, text in enumerate(cells)
        )
        + "</tr>"
        for cells in rows
    ]
    opening = [f'<table aria-labelledby="{anchor}">', f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    return "\n".join([*opening, *body, "</tbody>", "</table>"])


def _agenda(days: Sequence[AgendaDay]) -> str:
    content = _to_follow(labels.AGENDA_TO_FOLLOW) if not days else []
    for number, day in enumerate(days, start=1):
        anchor = f"day-{number}"
        rows = [(item.time, item.title, item.room, item.presiding, item.attending) for item in day.items]
        content += [f'<h3 id="{anchor}">{escape(day.day)}</h3>', _table(anchor, labels.AGENDA_COLUMNS, rows)]
    return _section("agenda", labels.AGENDA, content)


def _groups(groups: Sequence[GroupEntry]) -> str:
    content = _to_follow(labels.GROUPS_TO_FOLLOW) if not groups else []
    for number, group in enumerate(groups, start=1):
        fields = (
            (labels.CONVENOR, group.convenor),
            (labels.ROOM, group.room),
            (labels.MEMBERS, "、".join(group.members)),
        )
        content += [
            f'<h3 id="group-{number}">{escape(group.name)}</h3>',
            "<dl>"
            + "".join(f"<dt>{escape(label)}：</dt><dd>{escape(value)}</dd>" for label, value in fields),
            "</dl>",
        ]
    return _section("groups", labels.GROUPS, content)


def _roster(note: str, parts: Sequence[RosterPart]) -> str:
    if not parts:
        return _section("roster", labels.ROSTER, _to_follow(labels.ROSTER_TO_FOLLOW))
    content = [f'<p class="note">{escape(note)}</p>']
    for number, part in enumerate(parts, start=1):
        anchor = f"category-{number}"
        heading = labels.HEADCOUNT.format(category=part.category, count=len(part.people))
        rows = [
            (str(index), person.name, person.organization, person.title)
            for index, person in enumerate(part.people, start=1)
        ]
        content += [
            f'<h3 id="{anchor}">{escape(heading)}</h3>',
            _table(anchor, labels.ROSTER_COLUMNS, rows, row_header=1),
        ]
    return _section("roster", labels.ROSTER, content)


def _lodging(stays: Sequence[LodgingEntry]) -> str:
    if not stays:
        return _section("lodging", labels.LODGING, _to_follow(labels.LODGING_TO_FOLLOW))
    rows = [(stay.hotel, stay.room, stay.name, stay.nights) for stay in stays]
    return _section(
        "lodging", labels.LODGING, [_table("lodging", labels.LODGING_COLUMNS, rows, row_header=2)]
    )


def _notes(notes: Sequence[str]) -> str:
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return _section("notes", labels.NOTES, [f"<ol>{items}</ol>"])
