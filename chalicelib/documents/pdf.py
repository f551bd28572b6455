"""A small PDF 1.4 writer: A4 pages of text, horizontal rules and table rows, written as they come.

The standard fonts every PDF reader has, so nothing is embedded: Helvetica, Helvetica-Bold,
Courier and Courier-Bold, in WinAnsiEncoding (Windows-1252), so that French prints as it is
(é è à ç ô œ « » ’ – …). Text is NFC-normalised; a narrow or thin space becomes a no-break
space, a non-breaking hyphen a hyphen; control characters are dropped and any other character
outside Windows-1252 prints as "?". Lines are wrapped at spaces (never at a no-break space) with
Adobe's metrics for the standard fonts (`HELVETICA`, `HELVETICA_BOLD`; Courier is 600 wide):
`chalicelib/static/js/pdf.js` has the same tables and the same layout, and the tests check that
both write the same bytes for the same lines.

Each page is written to the output as soon as it is laid out; only the objects' offsets are kept
(for the cross-reference table: 8 bytes per object, two objects per page; the pages' object
numbers follow from their count), so a 100,000-page file costs the memory of one page and 1.6 MB
of offsets. Pure: no clock, no I/O but the stream it is given; the same pages give the
same bytes. Content streams are Flate-compressed when asked (`compress=True`).
"""

from __future__ import annotations

import math
import unicodedata
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

PAGE_WIDTH = 595.28  # A4, in points (1/72 inch)
PAGE_HEIGHT = 841.89
MARGIN = 56.69  # 2 cm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
LEADING = 1.25  # a line's height, in font sizes
COURIER_WIDTH = 600
FONT_NAMES = ("Helvetica", "Helvetica-Bold", "Courier", "Courier-Bold")  # /F1 … /F4

# Advance widths (1/1000 of the font size) of Helvetica and Helvetica-Bold for each byte of
# WinAnsiEncoding, from Adobe's Core14 AFM files (1997); 0 where the encoding has no character.
# fmt: off
HELVETICA = (
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
)
HELVETICA_BOLD = (
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
)
# fmt: on

_SUBSTITUTES = str.maketrans(
    {"\u202f": "\u00a0", "\u2009": "\u00a0", "\u2007": "\u00a0", "\u2011": "-", "\u2010": "-", "\t": " "}
)
_CONTROLS = bytes([*range(32), 127])


def winansi(text: str) -> bytes:
    """The text as WinAnsiEncoding bytes (see the module's docstring)."""
    normalised = unicodedata.normalize("NFC", text).translate(_SUBSTITUTES)
    return normalised.encode("cp1252", "replace").translate(None, _CONTROLS)


def _font(bold: bool, mono: bool) -> int:
    """The font's index in FONT_NAMES."""
    return (2 if mono else 0) + (1 if bold else 0)


def units(data: bytes, font: int) -> int:
    """The width of WinAnsi bytes in the font, in 1/1000 of its size."""
    if font >= 2:
        return COURIER_WIDTH * len(data)
    return sum(map((HELVETICA_BOLD if font == 1 else HELVETICA).__getitem__, data))


def width(text: str, *, size: float = 11, bold: bool = False, mono: bool = False) -> float:
    """The printed width of a text, in points."""
    return units(winansi(text), _font(bold, mono)) * size / 1000


def _fits(data: bytes, font: int, size: float, available: float) -> bool:
    return units(data, font) * size / 1000 <= available


def wrap_bytes(data: bytes, font: int, size: float, available: float) -> list[bytes]:
    """Greedy wrapping at spaces; a word wider than the line is cut where it must be. Widths
    are summed in integer units, so the decisions are exact (and the same as pdf.js's)."""
    space = units(b" ", font)
    lines: list[bytes] = []
    current, current_units = b"", 0
    for word in data.split(b" "):
        if not word:
            continue
        word_units = units(word, font)
        candidate = current_units + space + word_units if current else word_units
        if candidate * size / 1000 <= available:
            current, current_units = (current + b" " + word if current else word), candidate
            continue
        if current:
            lines.append(current)
        while word_units * size / 1000 > available:
            cut = 1
            while cut < len(word) and _fits(word[: cut + 1], font, size, available):
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
            word_units = units(word, font)
        current, current_units = word, word_units
    if current or not lines:
        lines.append(current)
    return lines


def wrap(text: str, *, size: float = 11, bold: bool = False, mono: bool = False, available: float = TEXT_WIDTH):
    """The lines a text is printed on (as text again, for callers and tests)."""
    lines = wrap_bytes(winansi(text), _font(bold, mono), size, available)
    return [line.decode("cp1252") for line in lines]


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph: wrapped to the text width, on as many lines as it needs."""

    text: str
    size: float = 11
    bold: bool = False
    mono: bool = False
    gap_before: float = 0
    center: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal line across the text width."""

    gap_before: float = 6
    gap_after: float = 6
    thickness: float = 0.5


@dataclass(frozen=True, slots=True)
class Row:
    """A table row: one bordered cell per column (widths in points), each on one line (a text
    too wide is set smaller, down to 6 pt, then cut with "…")."""

    cells: tuple[str, ...]
    widths: tuple[float, ...]
    height: float = 24
    size: float = 9
    bold: bool = False
    gap_before: float = 0


Item = Text | Rule | Row


PAGE_ROOM = PAGE_HEIGHT - 2 * MARGIN  # the height a page has for items


def height(items: Iterable[Item]) -> float:
    """How far down a page these items go, as `PdfWriter.page` lays them out: a list whose
    height is at most `PAGE_ROOM` is printed on one page."""
    total = 0.0
    for item in items:
        if isinstance(item, Text):
            lines = len(wrap_bytes(winansi(item.text), _font(item.bold, item.mono), item.size, TEXT_WIDTH))
            total += item.gap_before + lines * item.size * LEADING
        elif isinstance(item, Rule):
            total += item.gap_before + item.gap_after
        else:
            total += item.gap_before + item.height
    return total


def one_line(text: str, *, size: float = 11, bold: bool = False, mono: bool = False) -> str:
    """The text if it fits on one line of the text width, else its start and " …"."""
    font = _font(bold, mono)
    data = winansi(text)
    if _fits(data, font, size, TEXT_WIDTH):
        return text
    while data and not _fits(data.rstrip() + b" \x85", font, size, TEXT_WIDTH):
        data = data[:-1]
    return data.rstrip().decode("cp1252") + " …"


def number(value: float) -> bytes:
    """Two decimals, rounded half up on the hundredths (as pdf.js does, byte for byte)."""
    hundredths = math.floor(value * 100 + 0.5)
    sign = b"-" if hundredths < 0 else b""
    hundredths = abs(hundredths)
    return sign + b"%d.%02d" % (hundredths // 100, hundredths % 100)


def literal(data: bytes) -> bytes:
    """A PDF literal string."""
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_string(text: str) -> bytes:
    """A text string of the document's information (any Unicode): UTF-16BE, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _show(data: bytes, font: int, size: float, x: float, y: float) -> bytes:
    return b"BT /F%d %s Tf %s %s Td %s Tj ET\n" % (font + 1, number(size), number(x), number(y), literal(data))


class PdfWriter:
    """Writes a PDF to a binary stream, page by page; `close()` (or the `with` block's end)
    writes the page tree, the cross-reference table and the trailer."""

    # Objects written first: 1 catalog, 2 page tree (written last), 3-6 fonts, 7 resources, 8 info.
    FIRST_PAGE_OBJECT = 9

    def __init__(self, out: BinaryIO, *, title: str = "", compress: bool = False):
        self._out = out
        self._compress = compress
        self._position = 0
        self._offsets = array("Q", bytes(8 * (self.FIRST_PAGE_OBJECT - 1)))
        self._pages = 0
        self._content: list[bytes] = []
        self._cursor = 0.0
        self._closed = False
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        for index, name in enumerate(FONT_NAMES):
            self._object(
                3 + index, b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
            )
        self._object(7, b"<< /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R /F4 6 0 R >> >>")
        self._object(8, b"<< /Title %s /Producer %s >>" % (_text_string(title), _text_string("Espace électeur")))

    @property
    def pages(self) -> int:
        return self._pages

    def __enter__(self) -> PdfWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()

    def page(self, items: Iterable[Item]) -> int:
        """Lay these items out from the top of a new page, continuing on further pages if they
        do not fit; returns how many pages were written."""
        before = self._pages
        self._start_page()
        for item in items:
            if isinstance(item, Text):
                self._text(item)
            elif isinstance(item, Rule):
                self._rule(item)
            else:
                self._row(item)
        self._end_page()
        return self._pages - before

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Page n (from 0) is object FIRST_PAGE_OBJECT + 2n + 1, after its content stream.
        kids = range(self.FIRST_PAGE_OBJECT + 1, self.FIRST_PAGE_OBJECT + 2 * self._pages, 2)
        self._begin(2)
        self._write(b"<< /Type /Pages /Count %d /Kids [" % self._pages)
        for at in range(0, len(kids), 1000):
            self._write((b" " if at else b"") + b" ".join(b"%d 0 R" % kid for kid in kids[at : at + 1000]))
        self._write(b"] >>\nendobj\n")
        start = self._position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self._offsets) + 1))
        for at in range(0, len(self._offsets), 1000):
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in self._offsets[at : at + 1000]))
        self._write(
            b"trailer\n<< /Size %d /Root 1 0 R /Info 8 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self._offsets) + 1, start)
        )

    # Layout: a cursor goes down the page; a line that would cross the bottom margin starts a page.

    def _start_page(self) -> None:
        self._content = []
        self._cursor = PAGE_HEIGHT - MARGIN

    def _room_for(self, height: float) -> None:
        if self._cursor - height < MARGIN and self._cursor < PAGE_HEIGHT - MARGIN:
            self._end_page()
            self._start_page()

    def _text(self, item: Text) -> None:
        font = _font(item.bold, item.mono)
        self._cursor -= item.gap_before
        height = item.size * LEADING
        for line in wrap_bytes(winansi(item.text), font, item.size, TEXT_WIDTH):
            self._room_for(height)
            x = MARGIN
            if item.center:
                x += (TEXT_WIDTH - units(line, font) * item.size / 1000) / 2
            self._content.append(_show(line, font, item.size, x, self._cursor - item.size))
            self._cursor -= height

    def _rule(self, item: Rule) -> None:
        self._cursor -= item.gap_before
        self._room_for(item.thickness)
        y = number(self._cursor)
        self._content.append(
            b"%s w %s %s m %s %s l S\n" % (number(item.thickness), number(MARGIN), y, number(PAGE_WIDTH - MARGIN), y)
        )
        self._cursor -= item.gap_after

    def _row(self, item: Row) -> None:
        self._cursor -= item.gap_before
        self._room_for(item.height)
        bottom = self._cursor - item.height
        x = MARGIN
        font = _font(item.bold, False)
        for cell, cell_width in zip(item.cells, item.widths, strict=True):
            self._content.append(
                b"0.50 w %s %s %s %s re S\n" % (number(x), number(bottom), number(cell_width), number(item.height))
            )
            data, size = _fitted(winansi(cell), font, item.size, cell_width - 8)
            if data:
                self._content.append(_show(data, font, size, x + 4, bottom + item.height / 2 - size * 0.35))
            x += cell_width
        self._cursor = bottom

    def _end_page(self) -> None:
        content = b"".join(self._content)
        self._content = []
        stream_id = len(self._offsets) + 1
        if self._compress:
            content = zlib.compress(content, 6)
            header = b"<< /Length %d /Filter /FlateDecode >>" % len(content)
        else:
            header = b"<< /Length %d >>" % len(content)
        self._object(stream_id, header + b"\nstream\n" + content + b"\nendstream")
        self._object(
            stream_id + 1,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R /Resources 7 0 R >>"
            % (number(PAGE_WIDTH), number(PAGE_HEIGHT), stream_id),
        )
        self._pages += 1

    # Output.

    def _begin(self, object_id: int) -> None:
        if object_id > len(self._offsets):
            self._offsets.append(0)
        self._offsets[object_id - 1] = self._position
        self._write(b"%d 0 obj\n" % object_id)

    def _object(self, object_id: int, body: bytes) -> None:
        self._begin(object_id)
        self._write(body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._position += len(data)


def _fitted(data: bytes, font: int, size: float, available: float) -> tuple[bytes, float]:
    """A cell's text and size: smaller until it fits (6 pt at least), then cut with "…"."""
    while size > 6 and not _fits(data, font, size, available):
        size = max(6, size - 0.5)
    if _fits(data, font, size, available):
        return data, size
    while data and not _fits(data + b"\x85", font, size, available):
        data = data[:-1]
    return data + b"\x85", size
