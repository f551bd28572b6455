"""The booth as a keyboard and screen-reader user meets it: axe-core's rules on every step (the
code with its error, the list, the choice with its error, the review, the receipt) at phone
and desktop widths, no text under 14 px, and a whole vote with the keyboard alone, the focus
going where a screen reader expects it at each step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import SMALL_TEXT, audit, axe_page, signed_in  # noqa: F401
from tests.e2e.test_voting_booth import codes, voter_on_the_open_scrutins  # noqa: F401

pytestmark = pytest.mark.slow

PASSWORD = "Bonjour2026"


def _focused(page) -> str:
    """What the keyboard is on: its role or tag, and its accessible text."""
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          const name = (e.innerText || e.labels?.[0]?.innerText || "").trim();
          return `${e.getAttribute("role") || e.tagName.toLowerCase()}:${name}`;
        }"""
    )


def _tab_to(page, wanted: str, limit: int = 40) -> None:
    """Press Tab until the focus is on an element whose text starts with `wanted`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page).split(":", 1)[1].startswith(wanted):
            return
    raise AssertionError(f"« {wanted} » cannot be reached with Tab (last: {_focused(page)})")


def test_axe_finds_no_violation_on_any_step_of_the_booth(axe_page, stack, codes):  # noqa: F811
    page, found = axe_page, {}
    voter = voter_on_the_open_scrutins(codes, 5)
    signed_in(page, stack, voter["email"])
    page.goto(stack.url("vote"))
    page.get_by_label("Code électeur").fill("0000-0000-0000")
    page.get_by_role("button", name="Valider mon code").click()
    expect(page.locator("#code-error")).to_be_visible()
    audit(page, "vote-code-erreur", found)
    assert page.evaluate(SMALL_TEXT) == []
    page.get_by_label("Code électeur").fill(voter["code"])
    page.get_by_role("button", name="Valider mon code").click()
    expect(page.locator("[data-list] section").first).to_be_visible()
    audit(page, "vote-scrutins", found)
    assert page.evaluate(SMALL_TEXT) == []
    page.locator("[data-list] section").filter(has_text="À voter").first.get_by_role(
        "button", name="Voter à ce scrutin"
    ).click()
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#choice-form [data-form-error]")).to_be_visible()
    audit(page, "vote-choix-erreur", found)
    assert page.evaluate(SMALL_TEXT) == []
    # The DSFR label lies over its radio, as a pointer user meets it: click the label.
    page.locator("[data-options] label").filter(has_text="Vote blanc").click()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Je vérifie mon vote")).to_be_visible()
    audit(page, "vote-verification", found)
    page.get_by_role("button", name="Je valide mon vote").click()
    expect(page.get_by_role("heading", name="Votre vote est enregistré")).to_be_visible()
    audit(page, "vote-accuse", found)
    assert page.evaluate(SMALL_TEXT) == []
    assert found == {}, found


def test_a_whole_vote_with_the_keyboard_alone(page, stack, codes):  # noqa: F811
    voter = voter_on_the_open_scrutins(codes, 6)
    signed_in(page, stack, voter["email"])
    _tab_to(page, "Je vote")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Code électeur")).to_be_visible()
    _tab_to(page, "")  # the first focusable thing after the page loads
    page.get_by_label("Code électeur").focus()
    page.keyboard.type(voter["code"].lower())
    page.keyboard.press("Enter")  # the form is sent from its field

    expect(page.locator("[data-list] section").first).to_be_visible()
    _tab_to(page, "Voter à ce scrutin")
    page.keyboard.press("Enter")
    expect(page.locator("[data-step=choice]")).to_be_visible()
    # The radio group is one Tab stop; the arrows move within it and choose.
    _tab_to(page, "Vote blanc")
    assert _focused(page).startswith("input:") or _focused(page).startswith("radio:")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    chosen = page.get_by_role("radio", checked=True)
    expect(chosen).to_have_count(1)
    name = chosen.evaluate("r => r.labels[0].innerText.split('\\n')[0].trim()")
    assert name != "Vote blanc"
    _tab_to(page, "Continuer")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Je vérifie mon vote")).to_be_visible()
    expect(page.locator("[data-review-choice]")).to_contain_text(name)
    _tab_to(page, "Je valide mon vote")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Votre vote est enregistré")).to_be_visible()
    # A screen reader lands on the receipt, not somewhere above it.
    assert page.evaluate("document.activeElement.closest('[data-step=receipt]') !== null"), _focused(page)
    _tab_to(page, "Télécharger l'accusé (PDF)")
    _tab_to(page, "Mes autres scrutins")
    page.keyboard.press("Enter")
    expect(page.locator("[data-list] section").first).to_be_visible()
