"""Reading back the PDFs our writers make (chalicelib/documents/pdf.py, static/js/pdf.js).

`read_pdf` checks the structure a reader relies on, and fails the test if any part is wrong:
the header; `startxref` pointing at the cross-reference table; each of its entries pointing at
`N 0 obj`; the trailer's /Size, /Root and /Info; the catalog's page tree, its /Count and /Kids;
each page's parent, A4 media box, resources and content stream, whose /Length is exact; the
fonts (standard, WinAnsiEncoding). Then it decodes the content streams (Flate or not) and
returns each page's text runs: font, size, position and the text, decoded from Windows-1252.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

OBJECT = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj\n", re.S)
REFERENCE = rb"(\d+) 0 R"
SHOW = re.compile(rb"BT /F(\d) ([\d.]+) Tf ([\d.-]+) ([\d.-]+) Td \(((?:\\.|[^\\()])*)\) Tj ET\n", re.S)
FONTS = {1: "Helvetica", 2: "Helvetica-Bold", 3: "Courier", 4: "Courier-Bold"}


@dataclass(frozen=True)
class Run:
    font: str
    size: float
    x: float
    y: float
    text: str


@dataclass
class Pdf:
    pages: list[list[Run]]
    title: str
    content: list[bytes]  # each page's decoded content stream

    def page_text(self, index: int) -> str:
        return "\n".join(run.text for run in self.pages[index])

    def text(self) -> str:
        return "\n".join(self.page_text(i) for i in range(len(self.pages)))


def _unescape(raw: bytes) -> bytes:
    return re.sub(rb"\\(.)", rb"\1", raw, flags=re.S)


def read_pdf(data: bytes) -> Pdf:
    assert data.startswith(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), data[:20]
    assert data.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    header = re.match(rb"xref\n0 (\d+)\n0000000000 65535 f \n", data[start:])
    assert header, "startxref does not point at the cross-reference table"
    size = int(header.group(1))
    entries_at = start + header.end()
    objects: dict[int, bytes] = {}
    for number in range(1, size):
        entry = data[entries_at + 20 * (number - 1) : entries_at + 20 * number]
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        found = OBJECT.match(data, offset)
        assert found and int(found.group(1)) == number, f"xref entry {number} points at {data[offset : offset + 20]!r}"
        objects[number] = found.group(2)
    trailer = data[entries_at + 20 * (size - 1) : data.rindex(b"startxref")]
    assert trailer == b"trailer\n<< /Size %d /Root 1 0 R /Info 8 0 R >>\n" % size, trailer
    assert objects[1] == b"<< /Type /Catalog /Pages 2 0 R >>"
    for number, name in FONTS.items():
        assert objects[2 + number] == (
            b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>" % name.encode()
        )
    tree = re.fullmatch(rb"<< /Type /Pages /Count (\d+) /Kids \[(.*)\] >>", objects[2], re.S)
    assert tree, objects[2]
    kids = [int(k) for k in re.findall(REFERENCE, tree.group(2))]
    assert len(kids) == int(tree.group(1))
    title = re.match(rb"<< /Title <FEFF([0-9A-F]*)> /Producer <FEFF[0-9A-F]*> >>", objects[8])
    assert title, objects[8]
    pages, contents = [], []
    for kid in kids:
        page = re.fullmatch(
            rb"<< /Type /Page /Parent 2 0 R /MediaBox \[0 0 595\.28 841\.89\] /Contents (\d+) 0 R /Resources 7 0 R >>",
            objects[kid],
        )
        assert page, objects[kid]
        stream = re.fullmatch(
            rb"<< /Length (\d+)( /Filter /FlateDecode)? >>\nstream\n(.*)\nendstream", objects[int(page.group(1))], re.S
        )
        assert stream and len(stream.group(3)) == int(stream.group(1)), "a stream's /Length is wrong"
        content = zlib.decompress(stream.group(3)) if stream.group(2) else stream.group(3)
        contents.append(content)
        pages.append(
            [
                Run(
                    FONTS[int(m.group(1))],
                    float(m.group(2)),
                    float(m.group(3)),
                    float(m.group(4)),
                    _unescape(m.group(5)).decode("cp1252"),
                )
                for m in SHOW.finditer(content)
            ]
        )
    return Pdf(pages=pages, title=bytes.fromhex(title.group(1).decode()).decode("utf-16-be"), content=contents)
