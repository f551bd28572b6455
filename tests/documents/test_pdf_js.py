"""The booth's PDF writer (chalicelib/static/js/pdf.js, the voter's receipt) and the Python one
(chalicelib/documents/pdf.py, the notices) are one writer in two languages: the same width
tables, the same bytes for every character, and the same file for the same lines. pdf.js is
run in Node; without Node those tests are skipped (the tables are compared anyway)."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess

import pytest

from chalicelib.documents import pdf
from chalicelib.documents.pdf import PdfWriter, Text
from tests.pdf_check import read_pdf
from tests.support import ROOT

PDF_JS = ROOT / "chalicelib" / "static" / "js" / "pdf.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: pdf.js cannot be run")

# Reads a JSON request on stdin: {"pages": [...], "title": "..."} gives the PDF, {"winansi":
# "..."} the bytes of a text; answers in base64 on stdout.
RUNNER = """
import { simplePdf, winansi } from %s;
let input = "";
for await (const chunk of process.stdin) input += chunk;
const request = JSON.parse(input);
const bytes = "winansi" in request
  ? Uint8Array.from(winansi(request.winansi))
  : simplePdf(request.pages, { title: request.title });
process.stdout.write(Buffer.from(bytes).toString("base64"));
"""

LONG = (
    "Les opérations électorales se déroulent du 1er décembre à 10\u00a0h au 8 décembre à 17\u00a0h : "
    "« votez tôt », l’œuvre de Noël coûte 10 € – c’est dit… (vraiment) \\ fin. "
) * 6
RECEIPT_LIKE = [
    [
        {"text": "Accusé de réception de votre vote", "size": 16, "bold": True},
        {"text": "Scrutin : Comité social d’administration ministériel (CSA MEN)", "gapBefore": 12},
        {"text": "Voté le 1er décembre 2026 à 10\u202fh\u202f04 (heure de Paris)"},
        {"text": "Code court : 7KQ2-M9XD", "size": 14, "bold": True, "gapBefore": 12},
        {"text": "3f" * 64, "mono": True, "size": 9},
        {"text": "ABCD-EFGH-JKMN " * 12, "mono": True, "bold": True, "size": 13},
        {"text": LONG, "gapBefore": 8},
        {"text": LONG, "bold": True, "size": 9.5},
        {"text": "W" * 90, "size": 12},
        {"text": "", "gapBefore": 3},
        {"text": "Œdipe, Ægir, Ÿvonne, naïve, façade, «\u00a0guillemets\u00a0», ‰ † • ™ š ž"},
        {"text": "hors Windows-1252 : \u4e2d \U0001f600, contrôles : a\x07b\tc", "mono": True},
    ],
    [{"text": f"ligne {i} — suite ; la page continue sur la suivante", "size": 13} for i in range(60)],
]


def run_js(request: dict) -> bytes:
    runner = RUNNER % json.dumps(PDF_JS.as_uri())
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", runner],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return base64.b64decode(done.stdout)


def python_pdf(pages: list[list[dict]], title: str) -> bytes:
    out = io.BytesIO()
    with PdfWriter(out, title=title) as writer:
        for lines in pages:
            writer.page(
                [
                    Text(
                        line.get("text", ""),
                        size=line.get("size", 11),
                        bold=line.get("bold", False),
                        mono=line.get("mono", False),
                        gap_before=line.get("gapBefore", 0),
                    )
                    for line in lines
                ]
            )
    return out.getvalue()


def js_table(name: str) -> tuple[int, ...]:
    source = PDF_JS.read_text(encoding="utf-8")
    found = re.search(rf"const {name} = \[(.*?)\];", source, re.S)
    assert found, f"no table {name} in pdf.js"
    return tuple(int(value) for value in re.findall(r"\d+", found.group(1)))


def test_the_width_tables_are_the_same():
    assert js_table("HELVETICA") == pdf.HELVETICA
    assert js_table("HELVETICA_BOLD") == pdf.HELVETICA_BOLD
    source = PDF_JS.read_text(encoding="utf-8")
    for constant in ("PAGE_WIDTH", "PAGE_HEIGHT", "MARGIN", "LEADING", "COURIER_WIDTH"):
        value = re.search(rf"const {constant} = ([\d.]+);", source).group(1)
        assert float(value) == getattr(pdf, constant), constant
    assert re.search(r"const FIRST_PAGE_OBJECT = (\d+);", source).group(1) == str(PdfWriter.FIRST_PAGE_OBJECT)


@needs_node
def test_every_character_has_the_same_bytes():
    text = "".join(chr(point) for point in range(0x3000) if not 0xD800 <= point < 0xE000)
    text += "\u202f\u2009\u2007\u2011\u2010\U0001f600\U00010000e\u0301"
    assert run_js({"winansi": text}) == pdf.winansi(text)


@needs_node
def test_the_same_lines_give_the_same_file_byte_for_byte():
    title = "Accusé de réception — vote n° 1 \U0001f600"
    from_js = run_js({"pages": RECEIPT_LIKE, "title": title})
    from_python = python_pdf(RECEIPT_LIKE, title)
    document = read_pdf(from_js)  # a valid file, as pdf_check reads it
    assert len(document.pages) == 3 and document.title == title
    assert "œuvre de Noël coûte 10 €" in document.text()
    assert from_js == from_python
