"""The notices of one delivery place, as one PDF: a page per voter, then the hand-over sheet.

The file is created readable by its owner only (it holds codes in clear) and written as it goes:
`documents.pdf` keeps one page in memory and 8 bytes of offsets per object, so a place with
100,000 voters costs the memory of a few pages (docs/capacity.md gives the measured figures).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from chalicelib.documents.pdf import PdfWriter
from chalicelib.domain.voter_code_notices import Recipient, Scrutin, notice_page, sheet_pages


def write_place(
    path: Path,
    notices: Iterable[tuple[Recipient, str, list[Scrutin]]],
    sheet: Iterable[Recipient],
    *,
    count: int,
    academy: str,
    code_delivery: str,
    portal_url: str,
) -> int:
    """Write the notices (recipient, plain code, their scrutins) then the sheet of the same
    recipients; returns the number of pages."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_TRUNC
    with os.fdopen(descriptor, "wb", buffering=1 << 20) as out:
        with PdfWriter(out, title=f"Notices de vote — {academy} — {code_delivery}", compress=True) as pdf:
            for recipient, code, scrutins in notices:
                pdf.page(
                    notice_page(
                        recipient, code=code, code_delivery=code_delivery, scrutins=scrutins, portal_url=portal_url
                    )
                )
            for items in sheet_pages(sheet, count=count, academy=academy, code_delivery=code_delivery):
                pdf.page(items)
            return pdf.pages
