"""The CJK fonts PDFs embed, taken from an installed PyPI package, never from the system.

``pylopdf-fonts-zh-cn`` ships Noto Sans SC and Noto Serif SC (Regular, SIL OFL 1.1), mainland
glyph forms, as OpenType files with CFF outlines. Sans stands in for 黑体 (titles, headings),
Serif for 宋体 (body text), as in official documents.

Each PDF gets a TrueType copy of just the characters it prints: fpdf2 embeds a CFF font with an
embedded code→CID CMap as its /Encoding, which common readers (pypdf, so many archiving and
search tools) decode one byte at a time, garbling every character past the 255th; a TrueType
font is embedded with Identity-H and a ToUnicode map, which every reader understands. Converting
a few hundred glyphs takes well under a second; converting the whole font (31,000 glyphs) would
take far longer, hence the subset first. Reading the source font is most of that time, so each
subset is kept in memory: the same characters (a watermark for the same person) cost nothing the
second time.
"""

from __future__ import annotations

import io
import string
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

# fontTools ships no type information (hence the ignores); fpdf2 depends on it anyway.
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF

FONT_PACKAGE = "pylopdf-fonts-zh-cn"
SANS = "hw-sans"  # family names inside our PDFs
SERIF = "hw-serif"
# Always in the subset, whatever the text: the page numbers (huiwu/pdf.py), Latin, common punctuation.
ALWAYS = string.printable.strip() + " 第页共…·（）、，。：；“”《》—"
CURVE_ERROR = 1.0  # font units (1000 to the em) the quadratic outlines may stray: invisible
# fpdf2 does no shaping, so these only take space; dropped before subsetting, because the subsetter
# reads them whole first (a third of its time on Noto Sans SC).
LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "BASE")
SUBSETS_KEPT = 32  # a subset is tens of KB (a few hundred for a long roster): a few MB in all


class FontPackageMissing(RuntimeError):
    """The font package is not installed (or is damaged): PDFs cannot be made without it."""


@contextmanager
def embedded_fonts(pdf: FPDF, text: str, families: Collection[str] = (SANS, SERIF)) -> Iterator[None]:
    """Adds ``families`` (SANS and SERIF unless told) to ``pdf``, covering ``text``. fpdf2 reads
    the font files until the PDF is output, so output it inside this block; the files go when it
    ends."""
    sources = font_files()
    characters = frozenset(text) | frozenset(ALWAYS)
    with tempfile.TemporaryDirectory(prefix="huiwu-fonts-") as folder:
        for family in families:
            target = Path(folder) / f"{family}.ttf"
            target.write_bytes(_truetype_subset(sources[family], characters))
            pdf.add_font(family, fname=target)
        yield


def font_files() -> dict[str, Path]:
    """Family name → OpenType file, from the installed font package."""
    try:
        import pylopdf_fonts_zh_cn as package  # imported here so the service starts without it
    except ImportError as error:
        raise FontPackageMissing(_advice(f"the Python package {FONT_PACKAGE!r} is not installed")) from error
    files = {SANS: package.sans_path(), SERIF: package.serif_path()}
    for path in files.values():
        if not path.is_file():
            raise FontPackageMissing(_advice(f"{path} is missing from {FONT_PACKAGE!r}"))
    return files


def _advice(problem: str) -> str:
    return f"PDF exports need a CJK font: {problem}; install it with `pip install {FONT_PACKAGE}`"


@lru_cache(maxsize=SUBSETS_KEPT)
def _truetype_subset(source: Path, characters: frozenset[str]) -> bytes:
    font = TTFont(source)
    for tag in LAYOUT_TABLES:
        if tag in font:
            del font[tag]
    options = Options()
    options.layout_features = []  # fpdf2 does no shaping: GSUB/GPOS would only take space
    options.notdef_outline = True  # a character the font lacks shows as a box, not as nothing
    subsetter = Subsetter(options)
    subsetter.populate(text="".join(sorted(characters)))
    subsetter.subset(font)
    _cff_to_truetype(font)
    saved = io.BytesIO()
    font.save(saved)
    return saved.getvalue()


def _cff_to_truetype(font: Any) -> None:
    """Replaces the cubic CFF outlines by quadratic TrueType ones (as fontTools' otf2ttf does)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {name: _quadratic(glyph_set, name) for name in order}
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:  # vertical origins belong to CFF fonts
        del font["VORG"]
    glyf.compile(font)  # computes each glyph's bounds, which hmtx must agree with
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    font["maxp"] = _truetype_maxp()
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"


def _quadratic(glyph_set: Any, name: str) -> Any:
    pen = TTGlyphPen(None)
    glyph_set[name].draw(Cu2QuPen(pen, CURVE_ERROR, reverse_direction=True))  # TrueType turns clockwise
    return pen.glyph()


def _truetype_maxp() -> Any:
    """A version 1.0 maxp (TrueType's); the counts are recomputed when the font is saved."""
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs"):
        setattr(maxp, field, 0)
    for field in ("maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    return maxp
