"""A numbered copy's PDF (RULES R3.1, R3.2): the document's file with, on every page, a light grey
diagonal watermark naming the holder, the copy number and the marking, repeated across the page,
and a line at the foot saying the same; the first page carries the 份号 where GB/T 9704-2012
§7.2.1 puts it. A page photographed or leaked alone still says whose copy it was.

The marks are real text, searched and extracted like any other: an fpdf2 overlay with the CJK
fonts embedded (see huiwu/fonts.py), added with pypdf as a form XObject drawn after each page's
own content, which stays byte for byte as it was.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from fpdf import FPDF
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    RectangleObject,
    StreamObject,
)

from huiwu.fonts import SANS, embedded_fonts

MM = 72 / 25.4  # points per millimetre
# GB/T 9704-2012: the type area starts 37 mm from the top and 28 mm from the left; the 份号 goes
# flush left on its first line, in size-3 type (16 pt).
TYPE_AREA_TOP = 37 * MM
TYPE_AREA_LEFT = 28 * MM
SIZE_3 = 16.0
TILE_SIZE = 20.0  # pt
TILE_ANGLE = 35.0  # degrees, counter-clockwise: across the lines of text, not along them
TILE_GAP = 60.0  # pt between two marks on one diagonal line
TILE_LINE_SPACING = 110.0  # pt between the diagonal lines
TILE_GREY = (150, 150, 150)
TILE_OPACITY = 0.3  # the text underneath stays readable
FOOT_SIZE = 8.0
FOOT_FROM_BOTTOM = 6 * MM  # below GB/T 9704's page numbers (7 mm under the type area)


class UnreadablePdf(ValueError):
    """The document's PDF cannot be read (damaged, or encrypted with a password)."""


@dataclass(frozen=True)
class CopyMark:
    """What is printed on a copy: whose it is and which."""

    holder: str
    copy_no: str  # 份号, six digits
    marking: str  # 机密★20年; empty for an unclassified document

    @property
    def tile(self) -> str:
        return " ".join(part for part in (self.holder, self.copy_no, self.marking) if part)

    @property
    def foot(self) -> str:
        parts = [f"份号 {self.copy_no}", f"发给 {self.holder}", self.marking, "不得复制、外传"]
        return "　".join(part for part in parts if part)


def watermarked(content: bytes, mark: CopyMark) -> bytes:
    """``content`` (a PDF) with ``mark`` on every page."""
    writer = _writer(content)
    for page in writer.pages:
        if page.rotation % 360:
            page.transfer_rotation_to_content()  # so the marks read upright, as the page is shown
    sizes = [_size(page) for page in writer.pages]
    stamps = {key: _form(writer, overlay) for key, overlay in _overlays(sizes, mark).items()}
    save_state = writer._add_object(_stream(b"q\n"))
    for number, (page, size) in enumerate(zip(writer.pages, sizes, strict=True)):
        _stamp(writer, page, stamps[(size, number == 0)], save_state)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _writer(content: bytes) -> PdfWriter:
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("the PDF is encrypted with a password")
        return PdfWriter(clone_from=reader)
    except PdfReadError as error:
        raise UnreadablePdf(f"the PDF cannot be read: {error}") from error


def _form(writer: PdfWriter, overlay: PageObject) -> IndirectObject:
    """The overlay page as a form XObject, written once and drawn on every page of its size.
    (pypdf's ``merge_page`` would copy it into each page and rewrite each page's content
    uncompressed: ten times the time and the file size.)"""
    drawn = overlay.get_contents()
    form = _stream(drawn.get_data() if drawn is not None else b"")  # a stream is a dict: never test it bare
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): RectangleObject(overlay.mediabox),
        NameObject("/Resources"): overlay[NameObject("/Resources")].clone(writer),
    })  # fmt: skip
    return writer._add_object(form.flate_encode())  # pypdf has no public way to add an object


def _stamp(writer: PdfWriter, page: PageObject, form: IndirectObject, save_state: IndirectObject) -> None:
    """Draws ``form`` over the page, moved to its visible box, after the page's own content,
    which is wrapped in q … Q so whatever state it leaves cannot move or hide the marks."""
    name = _xobject_name(page, form)
    box = page.cropbox  # the part a reader shows; it need not start at (0, 0)
    draw = f"Q\nq 1 0 0 1 {float(box.left):.2f} {float(box.bottom):.2f} cm {name} Do Q\n".encode()
    contents = page.get(NameObject("/Contents"))
    resolved = contents.get_object() if contents is not None else None
    own = list(resolved) if isinstance(resolved, ArrayObject) else [contents] if contents is not None else []
    page[NameObject("/Contents")] = ArrayObject([save_state, *own, writer._add_object(_stream(draw))])


def _xobject_name(page: PageObject, form: IndirectObject) -> str:
    """The form's name in the page's resources: ours, never one the page already uses."""
    resources = _dictionary(page, "/Resources")
    xobjects = _dictionary(resources, "/XObject")
    name, suffix = "/HuiwuCopyMark", 0
    while xobjects.get(name) not in (None, form):
        suffix += 1
        name = f"/HuiwuCopyMark{suffix}"
    xobjects[NameObject(name)] = form
    return name


def _dictionary(parent: DictionaryObject, key: str) -> DictionaryObject:
    """``parent[key]``, resolved, created empty when missing (pages may share it: fine, the
    names we add are the same for every page that uses them)."""
    if key not in parent:
        parent[NameObject(key)] = DictionaryObject()
    child = parent[key].get_object()
    assert isinstance(child, DictionaryObject)
    return child


def _stream(data: bytes) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _size(page: PageObject) -> tuple[float, float]:
    box = page.cropbox
    return round(float(box.width), 2), round(float(box.height), 2)


def _overlays(
    sizes: list[tuple[float, float]], mark: CopyMark
) -> dict[tuple[tuple[float, float], bool], PageObject]:
    """One overlay page per page size, and one for the first page (with the 份号); a document's
    pages are usually all one size, so two overlays serve all its pages."""
    keys = list(dict.fromkeys((size, number == 0) for number, size in enumerate(sizes)))
    pdf = FPDF(unit="pt")
    pdf.set_creator("Huiwu")
    with embedded_fonts(pdf, mark.tile + mark.foot, families=(SANS,)):
        for (width, height), first in keys:
            pdf.add_page(format=(width, height))
            _tiles(pdf, mark.tile)
            _foot(pdf, mark.foot)
            if first:
                _copy_number(pdf, mark.copy_no)
        reader = PdfReader(io.BytesIO(bytes(pdf.output())))
    return dict(zip(keys, reader.pages, strict=True))


def _tiles(pdf: FPDF, text: str) -> None:
    """The mark repeated along parallel diagonal lines covering the whole page."""
    pdf.set_font(SANS, size=TILE_SIZE)
    pdf.set_text_color(*TILE_GREY)
    centre_x, centre_y = pdf.w / 2, pdf.h / 2
    reach = math.hypot(pdf.w, pdf.h) / 2  # any rotation of the page stays within this radius
    step = pdf.get_string_width(text) + TILE_GAP
    with pdf.local_context(fill_opacity=TILE_OPACITY), pdf.rotation(TILE_ANGLE, x=centre_x, y=centre_y):
        for line, y in enumerate(_steps(centre_y - reach, centre_y + reach, TILE_LINE_SPACING)):
            shift = step / 2 if line % 2 else 0.0  # staggered, like bricks
            for x in _steps(centre_x - reach - shift, centre_x + reach, step):
                pdf.text(x, y, text)


def _steps(start: float, stop: float, step: float) -> list[float]:
    return [start + index * step for index in range(math.ceil((stop - start) / step) + 1)]


def _foot(pdf: FPDF, text: str) -> None:
    pdf.set_font(SANS, size=FOOT_SIZE)
    pdf.set_text_color(*TILE_GREY)
    pdf.text((pdf.w - pdf.get_string_width(text)) / 2, pdf.h - FOOT_FROM_BOTTOM, text)


def _copy_number(pdf: FPDF, copy_no: str) -> None:
    """份号 flush left on the type area's first line, in black (GB/T 9704-2012 §7.2.1)."""
    pdf.set_font(SANS, size=SIZE_3)
    pdf.set_text_color(0, 0, 0)
    pdf.text(TYPE_AREA_LEFT, TYPE_AREA_TOP + SIZE_3 * 0.88, copy_no)  # text() takes the baseline
