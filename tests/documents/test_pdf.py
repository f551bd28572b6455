"""The PDF writer (chalicelib/documents/pdf.py): a valid file, French text as it was written,
lines wrapped within the width, pages written as they come."""

from __future__ import annotations

import io
import shutil
import subprocess
import tracemalloc

import pytest

from chalicelib.documents import pdf
from chalicelib.documents.pdf import PdfWriter, Row, Rule, Text
from tests.pdf_check import read_pdf

FRENCH = "Élodie, Noël et Gaël ont voté à l’école : « ça marche » – œuvre, 10 € … (vraiment) \\ fin"


def written(pages, **options) -> bytes:
    out = io.BytesIO()
    with PdfWriter(out, **options) as writer:
        for items in pages:
            writer.page(items)
    return out.getvalue()


def test_the_file_has_its_header_cross_references_and_trailer_and_french_round_trips():
    data = written([[Text(FRENCH, size=10, bold=True), Text("ABCD-EFGH-JKMN", mono=True, size=24)]], title="Notice é")
    document = read_pdf(data)  # every offset, length and reference checked
    assert document.title == "Notice é"
    assert len(document.pages) == 1
    assert document.page_text(0) == FRENCH + "\nABCD-EFGH-JKMN"
    assert [(r.font, r.size) for r in document.pages[0]] == [("Helvetica-Bold", 10), ("Courier", 24)]
    assert b"\\(vraiment\\) \\\\ fin" in document.content[0]  # escaped in the literal string


def test_characters_outside_windows_1252_become_a_question_mark_and_spaces_stay_unbreakable():
    document = read_pdf(written([[Text("e\u0301t\u00e9 10\u202fh \u2011 \u4e2d\U0001f600 a\x07b\tc")]]))
    assert document.page_text(0) == "été 10\u00a0h - ?? ab c"
    assert pdf.winansi("œ€’") == b"\x9c\x80\x92"


def test_the_widths_are_adobes():
    assert pdf.width("Hé", size=10) == pytest.approx((722 + 556) / 100)
    assert pdf.width("Hé", size=10, bold=True) == pytest.approx((722 + 556) / 100)
    assert pdf.width("il", size=10, bold=True) == pytest.approx((278 + 278) / 100)
    assert pdf.width("ABCD", size=10, mono=True) == pytest.approx(24)
    assert len(pdf.HELVETICA) == len(pdf.HELVETICA_BOLD) == 256


@pytest.mark.parametrize("size", [8, 11, 14.5])
@pytest.mark.parametrize("bold", [False, True])
def test_wrapping_keeps_every_line_within_the_width_and_fills_it(size, bold):
    text = " ".join(FRENCH.split() * 12)
    lines = pdf.wrap(text, size=size, bold=bold)
    assert len(lines) > 3 and " ".join(lines) == text
    for line, following in zip(lines, lines[1:], strict=False):
        assert pdf.width(line, size=size, bold=bold) <= pdf.TEXT_WIDTH
        # greedy: the next word would not have fitted
        assert pdf.width(f"{line} {following.split()[0]}", size=size, bold=bold) > pdf.TEXT_WIDTH
    document = read_pdf(written([[Text(text, size=size, bold=bold)]]))
    assert [r.text for r in document.pages[0]] == lines
    assert all(r.x == pytest.approx(pdf.MARGIN) for r in document.pages[0])


def test_a_word_wider_than_the_line_is_cut_and_no_break_spaces_hold():
    lines = pdf.wrap("W" * 80, size=12)
    assert len(lines) == 2 and "".join(lines) == "W" * 80
    assert all(pdf.width(line, size=12) <= pdf.TEXT_WIDTH for line in lines)
    kept = "du jeudi 29\u00a0novembre à 10\u00a0h"
    assert all("29\u00a0novembre" in line or "29" not in line for line in pdf.wrap(f"{'mot ' * 17}{kept}", size=11))


def test_a_page_too_long_continues_on_the_next_and_centered_text_is_centered():
    out = io.BytesIO()
    with PdfWriter(out) as writer:
        assert writer.page([Text(f"ligne {i}") for i in range(100)]) == 2
        assert writer.page([Text("ABCD-EFGH-JKMN", size=30, mono=True, bold=True, center=True)]) == 1
    document = read_pdf(out.getvalue())
    assert len(document.pages) == 3
    assert [r.text for r in document.pages[0] + document.pages[1]] == [f"ligne {i}" for i in range(100)]
    assert all(r.y >= pdf.MARGIN for page in document.pages for r in page)
    (code,) = document.pages[2]
    assert code.font == "Courier-Bold"
    assert code.x == pytest.approx(pdf.MARGIN + (pdf.TEXT_WIDTH - 14 * 18) / 2, abs=0.01)


def test_rules_and_table_rows_with_a_text_too_wide_for_its_cell():
    long_name = "Maximilienne-Anne-Charlotte de La Tour d’Auvergne-Lauraguais"
    document = read_pdf(
        written([[Rule(), Row(("Nom", "Prénom"), (100, 200), bold=True), Row((long_name, "Élise"), (100, 200))]])
    )
    content = document.content[0]
    assert content.count(b" re S\n") == 4 and content.count(b" l S\n") == 1
    cell = document.pages[0][2]
    assert cell.text.endswith("…") and long_name.startswith(cell.text[:-1])
    assert cell.size == 6 and pdf.width(cell.text, size=6) <= 100 - 8
    assert document.pages[0][3].text == "Élise" and document.pages[0][3].size == 9


def test_compressed_streams_read_back_the_same_and_the_output_is_deterministic():
    pages = [[Text(FRENCH)], [Text("deux")]]
    assert read_pdf(written(pages, compress=True)).text() == read_pdf(written(pages)).text()
    assert written(pages, compress=True) == written(pages, compress=True)
    assert b"/FlateDecode" in written(pages, compress=True)


class Sink:
    def __init__(self):
        self.size = 0

    def write(self, data):
        self.size += len(data)


def peak_while_writing(pages: int) -> tuple[int, int]:
    """The peak of memory allocated while writing this many pages (one page of three
    paragraphs, again and again) to a sink that keeps nothing, and the bytes written."""
    sink = Sink()
    page = [Text(FRENCH, size=11) for _ in range(3)]
    tracemalloc.start()
    try:
        with PdfWriter(sink, compress=True) as writer:
            for _ in range(pages):
                writer.page(page)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert writer.pages == pages
    return peak, sink.size


def test_pages_are_written_as_they_come_in_bounded_memory():
    out = io.BytesIO()
    writer = PdfWriter(out, compress=True)
    writer.page([Text("première page")])
    assert b"premi\xe8re page" not in out.getvalue()  # compressed, but already out:
    assert out.getvalue().count(b"endstream") == 1
    peak_while_writing(50)  # once, for what is allocated only the first time
    small, small_size = peak_while_writing(500)
    large, large_size = peak_while_writing(4500)
    page_bytes = (large_size - small_size) / 4000
    growth = (large - small) / 4000
    # What grows with the pages is two offsets each (8 bytes apiece, in an array): a writer
    # that kept the pages' streams, their objects or a list of Python ints would grow by
    # a page's bytes (about 400) or by 40 bytes or more per page.
    assert page_bytes > 300
    assert growth < 24, f"{growth:.0f} bytes of memory per page written"
    assert small < 512 * 1024  # zlib's own state is 256 KiB of it


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_poppler_reads_the_text_back(tmp_path):
    path = tmp_path / "notice.pdf"
    path.write_bytes(written([[Text(FRENCH, bold=True), Row(("Nom", "Émargement"), (150, 150))]], compress=True))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "« ça marche » – œuvre" in text and "Émargement" in text


@pytest.mark.parametrize("rows", [0, 5])
def test_height_says_exactly_when_a_page_is_full(rows):
    """`height` follows the layout: items up to PAGE_ROOM tall are one page, a line more is two."""
    items = [Text("Titre", size=16, bold=True), Rule(), *[Row(("a", "b"), (200, 200)) for _ in range(rows)]]
    line = Text("ligne", size=10)
    while pdf.height([*items, line]) <= pdf.PAGE_ROOM:
        items.append(line)
    out = io.BytesIO()
    with PdfWriter(out) as writer:
        assert writer.page(items) == 1
        assert writer.page([*items, line]) == 2


def test_one_line_cuts_a_long_text_with_an_ellipsis_and_leaves_a_short_one():
    assert pdf.one_line("Lycée Jean Macé", size=10) == "Lycée Jean Macé"
    cut = pdf.one_line("Lycée polyvalent " * 20, size=10)
    assert cut.endswith(" …") and len(pdf.wrap(cut, size=10)) == 1 and len(cut) < 200
