"""A lost voter code re-issued in the browser, on the stack of `make run`: the voter, signed in,
types their birth date (a wrong one first), sees the new code once, copies it or votes with it at
once; the old code no longer works. A voter whose roll gives no birth date is told whom to
contact."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chalicelib.admin.demo import demo_birth_date
from tests.e2e.conftest import screenshot
from tests.e2e.test_browser_journeys import PASSWORD, sign_in
from tests.e2e.test_voting_booth import codes  # noqa: F401

pytestmark = pytest.mark.slow


def _demo_voter(codes, wanted):  # noqa: F811
    """A demo voter no other journey uses (they take the first ones, the personas, and the last
    few), whose number suits: from the middle of the roll."""
    voters = sorted(codes, key=lambda r: r["voter_id"])
    return next(r for r in voters[len(voters) // 2 :] if wanted(int(r["voter_id"][1:])))


def test_a_voter_who_lost_their_code_gets_a_new_one_on_screen_and_votes_with_it(page, stack, codes):  # noqa: F811
    voter = _demo_voter(codes, lambda n: n % 10 != 0)
    born = demo_birth_date(int(voter["voter_id"][1:]))
    stack.activate(voter["email"], PASSWORD)
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()
    expect(page.get_by_role("heading", name="Vous avez perdu votre code, ou vous ne l'avez pas reçu ?")).to_be_visible()
    expect(page.get_by_text("Contactez l'assistance ou le service des élections")).to_be_hidden()

    page.get_by_label("Date de naissance").fill("01/01/1901")
    page.get_by_role("button", name="Obtenir un nouveau code").click()
    expect(page.locator("#birth_date-error")).to_contain_text("n'est pas celle qu'indique la liste électorale")
    screenshot(page, "30-code-perdu")
    page.get_by_label("Date de naissance").fill(born)
    page.get_by_role("button", name="Obtenir un nouveau code").click()
    expect(page.get_by_role("heading", name="Votre nouveau code électeur")).to_be_visible()
    shown = page.locator("[data-new-code]").inner_text()
    assert len(shown) == 14 and shown != voter["code"]
    screenshot(page, "31-nouveau-code")

    page.get_by_role("button", name="Voter avec ce code").click()
    expect(page.locator("[data-list] section").first).to_be_visible()
    # The old code is dead: a new session that types it is refused.
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()
    page.get_by_label("Code électeur").fill(voter["code"])
    page.get_by_role("button", name="Valider mon code").click()
    expect(page.locator("#code-error")).to_contain_text("notice de vote")
    page.get_by_label("Code électeur").fill(shown)
    page.get_by_role("button", name="Valider mon code").click()
    expect(page.locator("[data-list] section").first).to_be_visible()
    mail = stack.wait_for_mail(voter["email"], "un nouveau code électeur")
    assert shown not in str(mail) and shown.replace("-", "") not in str(mail)


def test_without_a_birth_date_on_the_roll_the_voter_is_told_whom_to_contact(page, stack, codes):  # noqa: F811
    voter = _demo_voter(codes, lambda n: n % 10 == 0)
    stack.activate(voter["email"], PASSWORD)
    sign_in(page, stack, voter["email"])
    page.get_by_role("link", name="Je vote").click()
    expect(page.get_by_text("Contactez l'assistance ou le service des élections de votre académie")).to_be_visible()
    expect(page.get_by_label("Date de naissance")).to_be_hidden()
