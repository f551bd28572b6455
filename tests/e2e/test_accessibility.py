"""Accessibility and safety in the browser: no secret in an address without JavaScript, the
forms' errors and rules as a screen reader meets them, honest pages, and axe-core's rules on
every page at phone and desktop widths."""

import json
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.conftest import JETON, screenshot
from tests.support import ROOT

pytestmark = pytest.mark.slow

PASSWORD = "Bonjour2026"
# Only in tests: injected into the page, never served by the portal.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1280)


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def axe_page(browser):
    """A page where axe-core can be injected: the portal's CSP rightly refuses inline scripts."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make static` (npm ci installs the devDependencies)")
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_default_timeout(15_000)
    yield page
    context.close()
    assert problems == [], problems


# Demo voters no other browser test uses, so that the order of the tests does not matter.
CLAIMS_OPEN_VOTER = "eric.francois@ac-poitiers.fr"  # on the academy's CCP, whose claims are open
PASSWORD_CHANGER = "joel.francois@ac-poitiers.fr"


def link_token(stack, email: str) -> str:
    """A registration link for a voter who has no espace yet (the account stays pending)."""
    seen = len([m for m in stack.mails() if m["to"] == email])
    assert stack.call("POST", "api/registrations", {"email": email}) == 202
    return JETON.search(stack.wait_for_mail(email, "confirmez", seen)["links"][0]).group(1)


def signed_in(page, stack, email, password=PASSWORD):
    if stack.call("POST", "api/sessions", {"email": email, "password": password}) != 200:
        stack.activate(email, password)
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe électeur").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mon espace électeur", exact=True)).to_be_visible()


def log_text(stack, expected: str, timeout: float = 10) -> str:
    """The stack's output once it holds `expected` (its log lines are written as they come)."""
    deadline = time.monotonic() + timeout
    while True:
        text = stack.log.read_text()
        if expected in text or time.monotonic() > deadline:
            return text
        time.sleep(0.2)


FORM_PAGES = ["connexion", "inscription", "mot-de-passe-oublie", "signaler", "mot-de-passe"]


def test_without_javascript_the_forms_are_inert_and_a_password_never_reaches_an_address_or_a_log(no_js_page, stack):
    page = no_js_page
    secret = "Secret2026NoJs"
    requested = []
    page.on("request", lambda request: requested.append((request.method, request.url, request.post_data or "")))
    for slug in FORM_PAGES:
        page.goto(stack.url(slug))
        # (Playwright's text locators skip <noscript>: found by its markup.)
        expect(page.locator("noscript .fr-alert")).to_contain_text("JavaScript est désactivé dans votre navigateur")
        for form in page.locator("form").all():
            assert form.get_attribute("method") == "post" and form.get_attribute("inert") is not None
            assert float(form.evaluate("(form) => getComputedStyle(form).opacity")) < 1  # seen as unusable

    page.goto(stack.url("connexion"))
    screenshot(page, "20-connexion-sans-javascript")
    with pytest.raises(PlaywrightError):  # inert: nothing can be typed
        page.get_by_label("Mot de passe électeur").fill(secret, timeout=1500)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('form')") is None

    # A browser that ignores `inert` still posts to the page: the answer is a French 405.
    page.evaluate("document.getElementById('sign-in-form').removeAttribute('inert')")
    page.get_by_label("Adresse électronique professionnelle").fill("camille.martin@ac-poitiers.fr")
    page.get_by_label("Mot de passe électeur").fill(secret)
    with page.expect_navigation():
        page.get_by_label("Mot de passe électeur").press("Enter")
    expect(page.get_by_role("heading", name="Formulaire non envoyé")).to_be_visible()
    expect(page.get_by_role("link", name="Revenir à la page")).to_have_attribute("href", "connexion")
    screenshot(page, "21-formulaire-non-envoye")

    posts = [(method, url) for method, url, data in requested if secret in data]
    assert posts == [("POST", stack.url("connexion"))]  # the one place it went: a POST body
    assert all(secret not in url and "password" not in url for _, url, _ in requested)
    assert secret not in page.url and "password" not in page.url
    logged = log_text(stack, '"status": 405')
    assert '"route": "/{slug}"' in logged and '"status": 405' in logged
    assert secret not in logged and "camille.martin%40" not in logged


def test_the_password_rules_stay_neutral_until_met_or_submitted_and_errors_take_the_focus(page, stack):
    page.goto(stack.url(f"mot-de-passe#jeton={link_token(stack, 'damien.perrin@ac-poitiers.fr')}"))
    expect(page.locator('[data-step="form"]')).to_be_visible()
    title = page.locator('[data-step="form"]').get_attribute("data-title")
    assert page.title().startswith(title + " — ")

    password = page.get_by_label(re.compile("^Mot de passe électeur"), exact=False).first
    rules = page.locator("[data-rules] li")
    expect(rules.first).to_be_visible()
    for rule in rules.all():  # the DSFR's messages, each with the texts read after it
        assert "fr-message--info" in rule.get_attribute("class")
        assert rule.get_attribute("data-fr-valid") and rule.get_attribute("data-fr-error")
    assert page.locator("#password-rules").get_attribute("aria-live") == "polite"
    assert "password-rules" in password.get_attribute("aria-describedby")
    password.fill("abc")
    length = page.locator("[data-rules] li[data-code=too_short]")
    lower = page.locator("[data-rules] li[data-code=missing_lowercase]")
    expect(length).to_have_class(re.compile("fr-message--info"))  # not met, but not submitted: neutral
    expect(lower).to_have_class(re.compile("fr-message--valid"))
    spoken = page.evaluate(
        "getComputedStyle(document.querySelector('[data-code=missing_lowercase]'), '::after').content"
    )
    assert lower.get_attribute("data-fr-valid") in spoken
    assert password.get_attribute("aria-invalid") is None

    page.get_by_label("Confirmation du mot de passe électeur").fill("abc")
    page.get_by_role("button", name="Valider").click()
    summary = page.locator("form [data-form-error]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert summary.get_attribute("tabindex") == "-1"
    expect(length).to_have_class(re.compile("fr-message--error"))
    expect(password).to_have_attribute("aria-invalid", "true")
    spoken = page.evaluate("getComputedStyle(document.querySelector('[data-code=too_short]'), '::after').content")
    assert length.get_attribute("data-fr-error") in spoken
    password.fill("Abcdefgh1")
    expect(length).to_have_class(re.compile("fr-message--valid"))


def test_a_public_claim_shows_every_error_at_once_with_the_fields_labels(page, stack):
    page.goto(stack.url("signaler"))
    page.get_by_label("Adresse électronique où vous répondre").fill("pas-une-adresse")
    page.get_by_label("Votre situation").fill("court")
    page.get_by_role("button", name="Envoyer mon signalement").click()
    summary = page.locator("[data-form-error]")
    expect(summary).to_be_focused()
    lines = summary.locator("li")
    expect(lines).to_have_count(5)
    texts = lines.all_inner_texts()
    for label in (
        "Nom de famille",
        "Prénom",
        "Adresse électronique où vous répondre",
        "Lieu de travail",
        "Votre situation",
    ):
        assert any(line.startswith(f"{label} : ") for line in texts), (label, texts)
    assert "Nom de famille : Ce champ est obligatoire." in texts
    for name in ("last_name", "first_name", "email", "workplace", "message"):
        field = page.locator(f"#{name}")
        expect(field).to_have_attribute("aria-invalid", "true")
        assert f"{name}-error" in field.get_attribute("aria-describedby")
        expect(page.locator(f"#{name}-error")).to_be_visible()
    expect(page.locator("#email-error")).to_contain_text("n'est pas valide")
    expect(page.locator("#message-error")).to_contain_text("entre 10 et 2000 caractères")
    screenshot(page, "22-signaler-erreurs")
    page.get_by_label("Nom de famille").fill("Sauvaget")
    page.get_by_role("button", name="Envoyer mon signalement").click()
    expect(lines).to_have_count(4)
    expect(page.locator("#last_name")).not_to_have_attribute("aria-invalid", "true")


def test_the_account_page_names_a_wrong_current_password_and_a_change_is_emailed(page, stack):
    email = PASSWORD_CHANGER
    signed_in(page, stack, email)
    page.goto(stack.url("compte"))
    expect(page.get_by_role("heading", name="Changer mon mot de passe électeur")).to_be_visible()
    assert page.title().startswith("Mot de passe et connexions — ")
    page.get_by_label("Mot de passe actuel").fill("Pasleb0n2026")
    page.get_by_label("Nouveau mot de passe électeur").fill("Nouveau2026z")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Nouveau2026z")
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page.locator("#current_password-error")).to_have_text("Le mot de passe actuel est incorrect.")
    current = page.get_by_label("Mot de passe actuel")
    expect(current).to_have_attribute("aria-invalid", "true")
    assert "current_password-error" in current.get_attribute("aria-describedby")
    expect(page.locator("[data-form-error]")).to_be_focused()
    expect(page.get_by_role("heading", name="Changer mon mot de passe électeur")).to_be_visible()  # still signed in

    seen = len([m for m in stack.mails() if m["to"] == email and "a été changé" in m["subject"]])
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe électeur est changé")
    expect(page.locator("[data-rules] li[data-code=too_short]")).to_have_class(re.compile("fr-message--info"))
    notice = stack.wait_for_mail(email, "a été changé", seen)
    body = notice["path"].read_text()
    assert "depuis votre espace" in body and "jeton" not in body


def test_the_espace_says_when_and_how_voting_will_be_and_never_that_it_is_open(page, stack):
    email = CLAIMS_OPEN_VOTER
    with page.expect_response(lambda response: response.url.endswith("api/me/ballots")) as answer:
        signed_in(page, stack, email)
    ballots = answer.value.json()["ballots"]
    assert ballots
    expect(page.locator("main")).not_to_contain_text("Vote ouvert")
    for ballot in ballots:
        section = page.get_by_role("region", name=ballot["label"], exact=True)
        opens, closes = page.evaluate(
            """([a, b]) => {
              const f = new Intl.DateTimeFormat(
                "fr-FR", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Paris" });
              return [f.format(new Date(a)), f.format(new Date(b))];
            }""",
            [ballot["voting_opens_at"], ballot["voting_closes_at"]],
        )
        if ballot["phase"] != "closed":
            expect(section).to_contain_text(
                f"Le vote se fera sur ce portail avec votre mot de passe et votre code électeur, du {opens} au {closes}"
            )


def test_the_electoral_list_without_a_ballot_or_with_an_unknown_one_says_so_in_french(page, stack):
    signed_in(page, stack, CLAIMS_OPEN_VOTER)
    page.goto(stack.url("liste-electorale"))
    expect(page.get_by_text("Aucun scrutin n'est indiqué dans l'adresse de cette page")).to_be_visible()
    expect(page.get_by_role("link", name="Voir mes scrutins")).to_be_visible()
    assert page.title().startswith("Scrutin introuvable — ")
    page.goto(stack.url("espace"))  # (a new hash alone would not load the page again)
    expect(page.get_by_role("heading", name="Mon espace électeur", exact=True)).to_be_visible()
    page.goto(stack.url("liste-electorale#PAS-UN-SCRUTIN"))
    expect(page.get_by_text("Ce scrutin n'existe pas")).to_be_visible()
    expect(page.locator("table")).to_be_hidden()


def test_the_page_title_follows_the_step(page, stack):
    page.goto(stack.url("inscription"))
    assert page.title().startswith("Créer mon espace électeur — ")
    page.get_by_label("Adresse électronique professionnelle").fill("personne@ac-poitiers.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie professionnelle")).to_be_visible()
    expect(page).to_have_title(re.compile("^Consultez votre messagerie professionnelle — Espace électeur"))


SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest("template, noscript, script, style")) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    if (style.clip === "rect(0px, 0px, 0px, 0px)") continue;
    // The State's logo block is drawn to the brand charter's size, like an image.
    if (element.closest(".fr-sr-only, .fr-logo")) continue;
    const size = parseFloat(style.fontSize);
    if (size < 14) small.push(`${size}px: ${node.textContent.trim().slice(0, 60)}`);
  }
  return small;
}"""


def test_the_key_screens_have_no_text_under_14_px(page, stack):
    page.set_viewport_size({"width": 375, "height": 900})
    for slug in ("connexion", "inscription", "signaler", "accessibilite"):
        page.goto(stack.url(slug))
        expect(page.locator("h1").first).to_be_visible()
        if slug == "signaler":  # with every error line shown
            page.get_by_role("button", name="Envoyer mon signalement").click()
            expect(page.locator("[data-form-error]")).to_be_visible()
        assert page.evaluate(SMALL_TEXT) == [], slug
    signed_in(page, stack, CLAIMS_OPEN_VOTER)
    for slug in ("espace", "compte", "reclamations"):
        page.goto(stack.url(slug))
        expect(page.locator("[data-step=ready]")).to_be_visible()
        assert page.evaluate(SMALL_TEXT) == [], slug


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(json.dumps(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def audit(page, name: str, found: dict) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        violations = axe_violations(page)
        if violations:
            found[f"{name}@{width}"] = violations


def test_axe_finds_no_violation_on_any_page_at_375_and_1280_px(axe_page, stack):
    page, found = axe_page, {}
    public = {
        "": "Accueil",
        "connexion": None,
        "inscription": None,
        "mot-de-passe-oublie": None,
        "signaler": None,
        "mentions-legales": None,
        "donnees-personnelles": None,
        "accessibilite": None,
        "nulle-part": None,
        "mot-de-passe": "link-error",
    }
    for slug, _ in public.items():
        page.goto(stack.url(slug))
        expect(page.locator("h1:visible").first).to_be_visible()
        if slug == "mot-de-passe":
            expect(page.locator('[data-step="link-error"]')).to_be_visible()
        audit(page, slug or "accueil", found)
    # The error states, as a voter meets them.
    page.goto(stack.url("signaler"))
    page.get_by_role("button", name="Envoyer mon signalement").click()
    expect(page.locator("[data-form-error]")).to_be_visible()
    audit(page, "signaler-erreurs", found)
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill("pas-une-adresse")
    page.get_by_label("Mot de passe électeur").fill("x")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("[data-form-error]")).to_be_visible()
    audit(page, "connexion-erreur", found)
    # The "form not sent" page, as a browser without JavaScript would reach it.
    page.goto(stack.url("connexion"))
    with page.expect_navigation():
        page.evaluate("document.getElementById('sign-in-form').submit()")
    expect(page.get_by_role("heading", name="Formulaire non envoyé")).to_be_visible()
    audit(page, "formulaire-non-envoye", found)
    # The password page with a live link, rules shown.
    page.goto(stack.url(f"mot-de-passe#jeton={link_token(stack, 'aurelie.martinez@ac-poitiers.fr')}"))
    expect(page.locator("[data-rules] li").first).to_be_visible()
    page.get_by_label("Confirmation du mot de passe électeur").fill("abc")
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("form [data-form-error]")).to_be_visible()
    audit(page, "mot-de-passe-erreurs", found)

    # Signed in, on a ballot whose claims are open.
    signed_in(page, stack, CLAIMS_OPEN_VOTER)
    audit(page, "espace", found)
    section = page.get_by_role("region", name="Comité social d'administration ministériel de l'éducation nationale")
    section.get_by_role("link", name="Consulter la liste électorale").click()
    expect(page.locator("tbody tr").first).to_be_visible()
    audit(page, "liste-electorale", found)
    page.goto(stack.url("liste-electorale"))
    expect(page.locator('[data-step="not-found"]')).to_be_visible()
    audit(page, "liste-electorale-sans-scrutin", found)
    page.goto(stack.url("reclamations"))
    expect(page.locator("[data-step=ready]")).to_be_visible()
    audit(page, "reclamations", found)
    page.goto(stack.url("compte"))
    expect(page.locator("[data-step=ready]")).to_be_visible()
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page.locator("[data-form-error]")).to_be_visible()
    audit(page, "compte-erreurs", found)
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)


def test_every_form_is_usable_once_its_module_has_run(page, stack):
    for slug in ("connexion", "inscription", "mot-de-passe-oublie", "signaler"):
        page.goto(stack.url(slug))
        form = page.locator("form").first
        expect(form).not_to_have_attribute("inert", "")
        assert page.evaluate("[...document.forms].every((form) => !form.inert)"), slug
        expect(page.locator("noscript .fr-alert")).to_be_hidden()
