"""The paper notice and its hand-over sheet: what they say, and that a notice always fits on
its one page, whatever the roll holds."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from chalicelib.documents.pdf import PdfWriter
from chalicelib.domain.voter_code_notices import SHEET_ROWS, Recipient, Scrutin, by_hand, notice_page, sheet_pages
from tests.pdf_check import read_pdf

OPENS = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10h00 in Paris
CLOSES = datetime(2026, 12, 8, 16, 0, tzinfo=UTC)
PORTAL = "https://elections-pro.example.gouv.fr"


def rendered(*pages) -> object:
    out = io.BytesIO()
    with PdfWriter(out) as pdf:
        written = [pdf.page(items) for items in pages]
    return written, read_pdf(out.getvalue())


def test_the_notice_says_whose_it_is_the_code_the_scrutins_and_how_to_vote():
    recipient = Recipient("Le Gall", "Anne-Sophie", "P00000042", "Collège Jean Moulin, Brest")
    items = notice_page(
        recipient,
        code="7K3M9Q2XWB4T",
        code_delivery="Remise en main propre contre signature — Collège Jean Moulin, Brest",
        scrutins=[Scrutin("CSA ministériel de l'éducation nationale", OPENS, CLOSES)],
        portal_url=PORTAL,
    )
    written, pdf = rendered(items)
    assert written == [1]
    text = pdf.page_text(0)
    assert "Anne-Sophie Le Gall" in text and "Collège Jean Moulin, Brest" in text
    assert "Identifiant électeur : P00000042" in text
    assert "7K3M-9Q2X-WB4T" in [run.text for run in pdf.pages[0] if run.font == "Courier-Bold"]
    assert "– CSA ministériel de l'éducation nationale : du 01/12/2026 à 10h00 au 08/12/2026 à 17h00" in text
    assert "Rendez-vous sur elections-pro.example.gouv.fr" in text
    assert "ne le" in text and "définitif" in text and "accusé de réception" in text


def test_a_notice_fits_on_one_page_with_seven_long_scrutins_and_long_names():
    scrutins = [
        Scrutin(
            f"Commission administrative paritaire académique des professeurs certifiés et adjoints {n}", OPENS, CLOSES
        )
        for n in range(7)
    ]
    recipient = Recipient(
        "De La Tour d'Auvergne-Lauraguais " * 3, "Marie-Bernadette " * 3, "P" + "9" * 30, "Lycée " * 40
    )
    items = notice_page(recipient, code="0" * 12, code_delivery="Envoi postal au domicile " * 8, scrutins=scrutins,
                        portal_url=PORTAL)  # fmt: skip
    written, pdf = rendered(items)
    assert written == [1], "a notice that runs onto a second page would be put in the wrong envelope"
    assert pdf.page_text(0).count(" : du ") == 7


def test_the_sheet_lists_everyone_page_by_page_and_never_a_code():
    people = [
        Recipient(f"Nom{n:03d}", "Camille", f"P{n:08d}", "Lycée Jean Macé, Niort") for n in range(SHEET_ROWS * 2 + 1)
    ]
    pages = list(sheet_pages(people, count=len(people), academy="Académie de Poitiers",
                             code_delivery="Remise en main propre contre signature — Lycée Jean Macé"))  # fmt: skip
    written, pdf = rendered(*pages)
    assert written == [1, 1, 1], "each sheet page is one printed page"
    for number in range(3):
        assert f"Page {number + 1} sur 3 — {len(people)} notices en tout" in pdf.page_text(number)
        assert "Émargement de remise des notices de vote" in pdf.page_text(number)
    listed = [run.text for page in pdf.pages for run in page if run.text.startswith("P0")]
    assert listed == [p.voter_id for p in people]


def test_an_empty_place_still_has_its_sheet_and_a_posted_place_its_slip():
    [page] = list(sheet_pages([], count=0, academy="A", code_delivery="Envoi postal au domicile"))
    _, pdf = rendered(page)
    assert "Bordereau d'envoi des notices de vote" in pdf.page_text(0) and "Page 1 sur 1" in pdf.page_text(0)


def test_only_a_mode_that_speaks_of_post_is_not_a_hand_over():
    assert not by_hand("Envoi postal au domicile") and not by_hand("Par courrier")
    assert by_hand("Remise en main propre contre signature — Lycée Jean Macé") and by_hand("Secrétariat du collège")


def test_a_notice_with_more_scrutins_than_a_page_holds_names_the_first_and_points_to_the_espace():
    scrutins = [Scrutin(f"Scrutin {n} " + "long " * 30, OPENS, CLOSES) for n in range(20)]
    recipient = Recipient("Nom", "Prénom", "P1", "Lycée")
    written, pdf = rendered(notice_page(recipient, code="0" * 12, code_delivery="Poste", scrutins=scrutins,
                                        portal_url=PORTAL))  # fmt: skip
    assert written == [1]
    assert "… et 13 autres scrutins : voyez-les dans votre espace électeur." in pdf.page_text(0)
    assert "Scrutin 6 long" in pdf.page_text(0) and "Scrutin 7 long" not in pdf.page_text(0)


def test_an_ordinary_notice_keeps_the_regular_layout():
    recipient = Recipient("Martin", "Léa", "P00000001", "École Jules Ferry, Niort")
    scrutins = [Scrutin(f"CAPD des professeurs des écoles {n}", OPENS, CLOSES) for n in range(3)]
    items = notice_page(recipient, code="0" * 12, code_delivery="Poste", scrutins=scrutins, portal_url=PORTAL)
    assert {item.size for item in items if getattr(item, "text", "").startswith("1. Rendez-vous")} == {10}
