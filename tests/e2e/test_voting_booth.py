"""Voting in headless Chromium on the demo bureau of `make run`: the code, the list, a choice
by keyboard, the review, the ballot encrypted by the page's bundle, accepted by the server,
checked again here in Python, and the receipt the page shows equal to the ballot's."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.request

import pytest
from playwright.sync_api import expect

from chalicelib.crypto import ballots as ev1
from chalicelib.crypto.record import read_election
from tests.e2e.conftest import screenshot
from tests.e2e.test_browser_journeys import PASSWORD, sign_in
from tests.pdf_check import read_pdf
from tests.support import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def codes(stack):
    """Every demo voter's code, as the printing house receives them: the CSV the stack wrote
    at its start, as `make run` writes it to .local/notices/."""
    files = sorted(stack.notices.glob("imprimerie-*.csv"))
    rows = [row for path in files for row in csv.DictReader(path.open(encoding="utf-8"), delimiter=";")]
    assert rows, f"no voter code for the demo voters in {stack.notices}"
    return rows


def test_the_stack_wrote_the_demo_notices_and_the_cli_finds_every_voter_has_a_code(stack, codes):
    notices = sorted(stack.notices.glob("notices-*.pdf"))
    assert notices and all(p.stat().st_mode & 0o777 == 0o600 for p in notices)
    pdf = read_pdf(notices[0].read_bytes())
    first = pdf.page_text(0)
    assert "Notice de vote" in first and stack.base.removeprefix("http://") in first
    assert any(row["code"] in first for row in codes)
    environment = dict(os.environ)
    for service in ("", "_DYNAMODB", "_SQS", "_SES", "_SECRETS_MANAGER"):
        environment[f"AWS_ENDPOINT_URL{service}"] = f"http://127.0.0.1:{stack.aws_port}"
    again = stack.notices.with_name("again")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "chalicelib.admin",
            "--stage",
            "local",
            "voter-codes",
            "generate",
            "--output",
            str(again),
        ],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    assert f"0 codes générés ({len(codes)} électeurs en avaient déjà un" in result.stdout
    assert not list(again.glob("*.csv"))


def voter_on_the_open_scrutins(codes, index):
    """A demo voter far down the list (the other journeys use the first ones)."""
    return sorted(codes, key=lambda r: r["voter_id"])[-1 - index]


def test_a_vote_in_the_browser_is_accepted_and_its_receipt_is_the_ballots(page, stack, codes):
    voter = voter_on_the_open_scrutins(codes, 0)
    stack.activate(voter["email"], PASSWORD)
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()

    expect(page.get_by_role("heading", name="Je vote")).to_be_visible()
    page.get_by_label("Code électeur").fill("0000-0000-0000")
    page.get_by_role("button", name="Valider mon code").click()
    expect(page.locator("#code-error")).to_contain_text("notice de vote")
    screenshot(page, "19-code-electeur")
    page.get_by_label("Code électeur").fill(voter["code"].lower().replace("-", " "))
    page.get_by_role("button", name="Valider mon code").click()

    first = page.locator("[data-list] section").filter(has_text="À voter").first
    expect(first).to_be_visible()
    screenshot(page, "20-mes-scrutins")
    label = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name="Voter à ce scrutin").click()

    expect(page.get_by_role("heading", name=label)).to_be_visible()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert").filter(has_text="Choisissez une liste")).to_be_visible()
    # The keyboard alone: into the radio group, down to the second list.
    page.get_by_role("radio", name="Vote blanc").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = page.get_by_role("radio", checked=True)
    expect(chosen).to_have_count(1)
    chosen_name = chosen.evaluate("r => r.labels[0].textContent")
    screenshot(page, "21-mon-choix")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", name="Je vérifie mon vote")).to_be_visible()
    expect(page.get_by_text("Ce vote sera définitif")).to_be_visible()
    expect(page.locator("[data-review-choice]")).to_have_text(chosen_name)
    screenshot(page, "22-je-verifie")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/votes")) as sent:
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/votes")) as answered:
            page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.get_by_role("heading", name="Votre vote est enregistré")).to_be_visible()
    screenshot(page, "23-accuse-de-reception")

    assert answered.value.status == 201
    answer = answered.value.json()
    ballot = json.loads(sent.value.post_data)["ballot"]
    scrutin = ballot["scrutin"]
    listing = next(s for s in _votes(page, stack) if s["id"] == scrutin)
    with urllib.request.urlopen(stack.url(f"api/elections/{listing['election']['id']}/election.json")) as response:
        election = read_election(response.read())
    checked = ev1.verify(
        ballot, public_key=election.public_key, phi=election.phi, scrutin=scrutin, options=election.options[scrutin]
    )  # Python accepts what the browser made
    rho = ev1.receipt(checked, election.phi).hex()
    assert answer["receipt"] == rho
    assert page.locator("[data-receipt=full]").inner_text() == rho
    assert page.locator("[data-receipt=short]").inner_text() == ev1.short_receipt(bytes.fromhex(rho))
    assert page.locator("[data-receipt=election]").inner_text() == election.phi.hex()
    expect(page.locator("[data-receipt-mismatch]")).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'accusé (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF-1.4")
    assert listing["state"] == "voted"

    page.get_by_role("button", name="Mes autres scrutins").click()
    expect(page.locator("[data-list] section").filter(has_text=label).get_by_text("Voté", exact=True)).to_be_visible()
    stack.wait_for_mail(voter["email"], "vous avez voté")


def _votes(page, stack):
    return page.evaluate("fetch('api/me/votes').then(r => r.json())")["scrutins"]


@pytest.mark.parametrize("case", ["c0 + 1", "two ciphertexts swapped"])
def test_a_ballot_tampered_on_its_way_is_refused_and_the_voter_may_vote(page, stack, codes, case):
    from tests.crypto.test_ev1 import NEGATIVE

    voter = voter_on_the_open_scrutins(codes, 1 + ["c0 + 1", "two ciphertexts swapped"].index(case))
    stack.activate(voter["email"], PASSWORD)
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()
    page.get_by_label("Code électeur").fill(voter["code"])
    page.get_by_role("button", name="Valider mon code").click()

    def tamper(route):
        if route.request.method != "POST":
            route.continue_()
            return
        body = json.loads(route.request.post_data)
        NEGATIVE[case](body["ballot"])
        route.continue_(post_data=json.dumps(body))

    page.route("**/votes", tamper)
    first = page.locator("[data-list] section").filter(has_text="À voter").first
    label = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name="Voter à ce scrutin").click()
    page.get_by_role("radio", name="Vote blanc").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.locator("[data-cast-error]")).to_contain_text("vous n'avez pas encore voté")
    scrutin = next(s for s in _votes(page, stack) if s["label"] == label)
    assert scrutin["state"] == "to_vote"  # nothing was written

    page.unroute("**/votes")
    page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.get_by_role("heading", name="Votre vote est enregistré")).to_be_visible()


@pytest.mark.parametrize("change_of_mind", [False, True], ids=["same choice", "another choice"])
def test_a_vote_whose_answer_is_lost_shows_its_receipt_when_sent_again(page, stack, codes, change_of_mind):
    """The server records the vote but the answer never reaches the page (a dropped
    connection): the page says so, and « Je valide mon vote » again sends the very same
    ballot, whose receipt the page then shows. Changing one's mind in between changes nothing:
    the vote recorded first stands, and the page says for which choice."""
    voter = voter_on_the_open_scrutins(codes, 3 + int(change_of_mind))
    stack.activate(voter["email"], PASSWORD)
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()
    page.get_by_label("Code électeur").fill(voter["code"])
    page.get_by_role("button", name="Valider mon code").click()
    answers = []

    def lose_the_answer(route):
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch()  # the server records the vote…
        answers.append((response.status, response.json()))
        route.abort("connectionreset")  # …and the page never hears of it

    page.route("**/votes", lose_the_answer)
    page.expected_console_errors.append("net::ERR_CONNECTION_RESET")
    first = page.locator("[data-list] section").filter(has_text="À voter").first
    label = first.get_by_role("heading").inner_text()
    first.get_by_role("button", name="Voter à ce scrutin").click()
    page.get_by_role("radio", name="Vote blanc").check(force=True)
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.locator("[data-cast-error]")).to_contain_text("ne nous est pas parvenue")
    screenshot(page, "24-confirmation-perdue")
    [(status, recorded)] = answers
    assert status == 201
    page.unroute("**/votes")

    if change_of_mind:
        page.get_by_role("button", name="Modifier mon choix").click()
        page.locator("label[for=option-1]").click()
        page.get_by_role("button", name="Continuer").click()
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/votes")) as answered:
        page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.get_by_role("heading", name="Votre vote est enregistré")).to_be_visible()
    assert answered.value.status == 409  # the last answer: this ballot is the one in the box
    assert page.locator("[data-receipt=full]").inner_text() == recorded["receipt"]
    expect(page.locator("[data-receipt-mismatch]")).to_be_hidden()
    earlier = page.locator("[data-receipt-earlier]")
    if change_of_mind:
        expect(earlier).to_contain_text("« Vote blanc »")
        screenshot(page, "25-vote-deja-enregistre")
    else:
        expect(earlier).to_be_hidden()
    scrutin = next(s for s in _votes(page, stack) if s["label"] == label)
    assert scrutin["state"] == "voted"
