"""The seed tutorial's journey and the espace, in headless Chromium, found by role and label
as a screen-reader user would find them."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import JETON, screenshot

pytestmark = pytest.mark.slow

PASSWORD = "Bonjour2026"


def sign_in(page, stack, email, password=PASSWORD):
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe électeur").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mon espace électeur")).to_be_visible()


class Counted:
    """The taps and typed fields of a journey, counted as the voter makes them."""

    def __init__(self, page):
        self.page, self.taps, self.fields, self.screens = page, 0, 0, []

    def tap(self, locator):
        self.taps += 1
        locator.click()

    def type(self, locator, value):
        self.fields += 1
        locator.fill(value)

    def screen(self, heading):
        expect(self.page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        self.screens.append(heading)


def test_the_seed_journey_from_the_home_page_to_the_profile(page, stack):
    """The tutorial's five steps in four taps and three fields, signed in at the end."""
    email = "camille.martin@ac-poitiers.fr"
    journey = Counted(page)
    page.goto(stack.url())
    expect(page).to_have_title(re.compile("Accueil"))
    assert page.locator("html").get_attribute("lang") == "fr"
    journey.screen("Élections professionnelles de l'éducation nationale")
    screenshot(page, "01-accueil")

    # Step 1: the green button, to the one page: the address first.
    journey.tap(page.get_by_role("link", name="Je me connecte à mon espace électeur"))
    journey.screen("Me connecter à mon espace électeur")
    screenshot(page, "02-connexion")
    send_link = page.get_by_role(
        "button", name="Première visite ou mot de passe oublié : recevoir un lien à cette adresse"
    )
    assert send_link.bounding_box()["y"] + send_link.bounding_box()["height"] <= page.viewport_size["height"]

    # A malformed address is named, next to its field.
    page.get_by_label("Adresse électronique professionnelle").fill("pas-une-adresse")
    send_link.click()
    expect(page.locator("#email-error")).to_contain_text("n'est pas valide")
    assert page.get_by_label("Adresse électronique professionnelle").get_attribute("aria-invalid") == "true"

    # Step 2: the professional address, then « recevoir un lien »; the same answer for everyone.
    journey.type(page.get_by_label("Adresse électronique professionnelle"), email)
    journey.tap(send_link)
    journey.screen("Consultez votre messagerie professionnelle")
    expect(page.locator("[data-sent-to]")).to_have_text(email)
    expect(page.get_by_role("link", name="Ouvrir le webmail de l'académie de Poitiers")).to_have_attribute(
        "href", "https://webmail.ac-poitiers.fr/"
    )
    expect(page.locator("[data-not-professional]")).to_be_hidden()
    expect(page.get_by_text("Au-delà de 3 demandes en une heure")).to_be_visible()
    screenshot(page, "04-consultez-votre-messagerie")

    # Step 3: the link in the professional mailbox (the local outbox).
    mail = stack.wait_for_mail(email, "confirmez")
    token = JETON.search(mail["links"][0]).group(1)
    journey.taps += 1  # the tap on the link in the email
    page.goto(stack.url(f"mot-de-passe#jeton={token}"))

    # Step 4: the password, with its rules ticked as one types.
    journey.screen("Choisir mon mot de passe électeur")
    assert "jeton" not in page.url  # the token left the address bar at once
    page.reload()  # a reload keeps the valid link valid
    expect(page.get_by_role("heading", name="Choisir mon mot de passe électeur")).to_be_visible()
    password = page.get_by_label("Mot de passe électeur", exact=True)
    password.fill("abc")
    rule = page.locator("[data-rules] li", has_text="Au moins 8 caractères")
    expect(rule).to_have_class(re.compile("fr-message--info"))  # neutral until met or submitted
    expect(page.locator("[data-rules] li", has_text="Au moins une lettre minuscule")).to_have_class(
        re.compile("fr-message--valid")
    )
    screenshot(page, "05-mot-de-passe")
    page.get_by_label("Confirmation du mot de passe électeur").fill("abc")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("alert").filter(has_text="ne respecte pas toutes les règles")).to_be_visible()
    expect(page.locator("[data-rules] li", has_text="Au moins un chiffre")).to_have_class(
        re.compile("fr-message--error")
    )
    page.get_by_text("Afficher les mots de passe").click()  # the DSFR draws the box on the label
    assert password.get_attribute("type") == "text"
    journey.type(password, PASSWORD)
    journey.type(page.get_by_label("Confirmation du mot de passe électeur"), PASSWORD)
    expect(rule).to_have_class(re.compile("fr-message--valid"))
    journey.tap(page.get_by_role("button", name="Valider"))

    # Step 5: « Bravo ! » in the espace, signed in, with where the voter code will be handed.
    journey.screen("Bravo !")
    expect(page.get_by_role("heading", name="Mon espace électeur")).to_be_visible()
    assert "bravo" not in page.url
    expect(page.get_by_role("heading", name="Votre code de vote")).to_be_visible()
    expect(page.locator("[data-field=code_delivery]")).to_have_text(
        "Remise en main propre contre signature — École élémentaire Jules Ferry, Poitiers"
    )
    expect(
        page.get_by_role("heading", name="Comité social d'administration ministériel de l'éducation nationale")
    ).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("profession de foi")).first).to_be_visible()
    screenshot(page, "07-espace")
    # The README's count: home, connexion, mailbox, password, espace.
    assert (journey.taps, journey.fields, len(journey.screens)) == (4, 3, 5)

    # The same link cannot serve twice.
    page.goto(stack.url(f"mot-de-passe#jeton={token}"))
    expect(page.get_by_role("heading", name="Ce lien ne peut plus servir")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("déjà servi")
    screenshot(page, "08-lien-utilise")


def test_an_empty_password_says_what_to_do_and_the_link_button_uses_the_typed_address(page, stack):
    email = "chloe.hoarau@ac-poitiers.fr"
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe électeur").press("Enter")
    expect(page.locator("#password-error")).to_contain_text("Saisissez votre mot de passe électeur")
    expect(page.locator("[data-form-error]")).to_be_focused()
    assert "incorrect" not in page.locator("[data-form-error]").inner_text()
    page.get_by_role("button", name=re.compile("recevoir un lien à cette adresse")).click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie professionnelle")).to_be_visible()
    expect(page.locator("[data-sent-to]")).to_have_text(email)
    assert stack.wait_for_mail(email, "confirmez")


def test_a_personal_address_gets_a_warning_but_the_same_answer(page, stack):
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").fill("camille.martin@gmail.com")
    page.get_by_role("button", name=re.compile("recevoir un lien à cette adresse")).click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie professionnelle")).to_be_visible()
    expect(page.locator("[data-not-professional]")).to_contain_text("ne ressemble pas à une adresse professionnelle")
    expect(page.locator("[data-no-academy]")).to_be_visible()
    screenshot(page, "04b-adresse-personnelle")


def test_a_second_link_in_the_same_tab_is_the_one_used(page, stack):
    first, second = "benoit.robert@ac-poitiers.fr", "maelle.moreau@ac-poitiers.fr"
    tokens = []
    for email in (first, second):
        assert stack.call("POST", "api/registrations", {"email": email}) == 202
        tokens.append(JETON.search(stack.wait_for_mail(email, "confirmez")["links"][0]).group(1))
    page.goto(stack.url(f"mot-de-passe#jeton={tokens[0]}"))
    expect(page.locator("[data-masked-email]")).to_have_text(re.compile(r"^b\*+\.r\*+@ac-poitiers\.fr$"))
    page.goto(stack.url(f"mot-de-passe#jeton={tokens[1]}"))  # same page: only the fragment changes
    expect(page.locator("[data-masked-email]")).to_have_text(re.compile(r"^m\*+\.m\*+@ac-poitiers\.fr$"))


def test_an_expired_link_offers_a_new_one_in_one_tap(page, stack):
    email = "emilie.clement@ac-poitiers.fr"
    assert stack.call("POST", "api/registrations", {"email": email}) == 202
    token = JETON.search(stack.wait_for_mail(email, "confirmez")["links"][0]).group(1)
    # The stack's clock is real: the check answers as it would 24 hours later.
    expired = {
        "error": {
            "code": "token_expired",
            "message": "Ce lien a expiré. Recevez-en un nouveau à la même adresse : il arrivera dans quelques minutes.",
            "masked_email": "e*****.c******@ac-poitiers.fr",
        }
    }
    page.route("**/api/token-checks", lambda route: route.fulfill(status=410, json=expired))
    page.goto(stack.url(f"mot-de-passe#jeton={token}"))
    renew = page.get_by_role("button", name="Renvoyer un lien à e*****.c******@ac-poitiers.fr")
    expect(renew).to_be_visible()
    screenshot(page, "08b-lien-expire")
    renew.click()
    expect(page.get_by_role("status")).to_contain_text("Un nouveau lien part vers e*****.c******@ac-poitiers.fr")
    renewed = stack.wait_for_mail(email, "confirmez", 1)
    assert JETON.search(renewed["links"][0]).group(1) != token


def test_signing_in_returns_to_the_page_that_asked(page, stack):
    email = "francois.texier@ac-poitiers.fr"
    stack.activate(email, PASSWORD)
    page.goto(stack.url("reclamations"))
    expect(page.get_by_role("heading", name="Me connecter à mon espace électeur")).to_be_visible()
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_label("Mot de passe électeur").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/reclamations$"))


def test_sign_in_with_the_keyboard_alone_and_sign_out(page, stack):
    email = "hugo.lefevre@ac-poitiers.fr"
    stack.activate(email, PASSWORD)
    page.goto(stack.url("connexion"))
    page.get_by_label("Adresse électronique professionnelle").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("Mauvais2026")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect")
    page.get_by_label("Mot de passe électeur").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Mon espace électeur")).to_be_visible()
    expect(page.locator("[data-field=code_delivery]")).to_have_text("Envoi postal au domicile")
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Me connecter à mon espace électeur")).to_be_visible()
    page.goto(stack.url("espace"))
    expect(page.get_by_role("heading", name="Me connecter à mon espace électeur")).to_be_visible()


def test_electoral_list_search_and_paging(page, stack):
    email = "jerome.riviere@ac-poitiers.fr"
    stack.activate(email, PASSWORD)
    sign_in(page, stack, email)
    section = page.get_by_role("region", name="Comité social d'administration ministériel de l'éducation nationale")
    section.get_by_role("link", name="Consulter la liste électorale").click()
    expect(page.get_by_role("heading", name=re.compile("Liste électorale"))).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(100)
    expect(page.locator("[data-list-status]")).to_contain_text("Page 1 : 100 électeurs")
    screenshot(page, "09-liste-electorale")
    first_name_on_page_one = rows.first.inner_text()
    page.get_by_role("button", name="Page suivante").click()
    expect(page.locator("[data-list-status]")).to_contain_text("Page 2")
    assert rows.first.inner_text() != first_name_on_page_one
    page.get_by_role("button", name="Début de la liste").click()
    expect(page.locator("[data-list-status]")).to_contain_text("Page 1")
    page.get_by_label("Rechercher un nom de famille").fill("ler")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("[data-list-status]")).to_contain_text("commence par « ler »")
    names = page.locator("tbody tr td:first-child").all_inner_texts()
    assert names and all(name.lower().startswith("ler") for name in names)
    headers = page.locator("thead th").all_inner_texts()
    assert headers == ["Nom", "Prénom", "Lieu de travail"]


def test_a_claim_is_filed_and_seen(page, stack):
    email = "lea.nguyen@ac-poitiers.fr"  # on the academy's CCP, whose claims are open
    stack.activate(email, PASSWORD)
    sign_in(page, stack, email)
    page.get_by_role("link", name="Mes réclamations").click()
    expect(page.get_by_role("heading", name="Mes réclamations")).to_be_visible()
    page.get_by_label("Scrutin concerné").select_option(
        label="Commission consultative paritaire académique des enseignants contractuels"
    )
    page.get_by_label("Votre réclamation").fill("court")
    page.get_by_role("button", name="Envoyer ma réclamation").click()
    expect(page.locator("#message-error")).to_contain_text("entre 10 et 2000 caractères")
    page.get_by_label("Votre réclamation").fill(
        "Ma collègue Fatima Benali, lycée Louise Michel, n'apparaît pas sur la liste."
    )
    page.get_by_role("button", name="Envoyer ma réclamation").click()
    expect(page.get_by_role("status")).to_contain_text("Réclamation enregistrée sous la référence REC-")
    expect(page.locator("[data-claims] article")).to_have_count(1)
    expect(page.locator("[data-claims]")).to_contain_text("Fatima Benali")
    expect(page.locator("[data-claims]")).to_contain_text("En cours d'examen")
    screenshot(page, "10-reclamations")


def test_a_public_claim(page, stack):
    page.goto(stack.url())
    page.get_by_role("link", name="Je ne figure pas sur les listes électorales, ou mon adresse est erronée").click()
    expect(page.get_by_role("heading", name=re.compile("Je ne figure pas sur les listes"))).to_be_visible()
    screenshot(page, "11-signaler")
    page.get_by_label("Nom de famille").fill("Sauvaget")
    page.get_by_label("Prénom").fill("Maëlle")
    page.get_by_label("Adresse électronique où vous répondre").fill("maelle.sauvaget@ac-poitiers.fr")
    page.get_by_label("Lieu de travail").fill("Collège George Sand, Châtellerault")
    page.get_by_label("Votre situation").fill(
        "Professeure contractuelle depuis septembre, je ne suis sur aucune liste."
    )
    page.get_by_role("button", name="Envoyer mon signalement").click()
    expect(page.get_by_role("heading", name="Signalement envoyé")).to_be_visible()
    # Her address is on no list: no official email goes there, the page gives the reference.
    expect(page.locator("[data-accepted-message]")).to_contain_text(re.compile(r"référence REC-[0-9A-Z-]+ : notez-la"))


def test_account_page_and_the_static_pages(page, stack):
    email = "nadia.benali@ac-poitiers.fr"
    stack.activate(email, PASSWORD)
    sign_in(page, stack, email)
    page.get_by_role("link", name="Mot de passe et connexions").click()
    expect(page.get_by_role("heading", name="Changer mon mot de passe électeur")).to_be_visible()
    screenshot(page, "12-compte")
    page.get_by_label("Mot de passe actuel").fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe électeur").fill("Nouveau2026x")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("Nouveau2026x")
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe électeur est changé")
    page.get_by_role("button", name="Me déconnecter de tous mes appareils").click()
    expect(page.get_by_role("heading", name="Me connecter à mon espace électeur")).to_be_visible()
    for path, heading, name in [
        ("mot-de-passe-oublie", "J'ai oublié mon mot de passe électeur", "13-mot-de-passe-oublie"),
        ("mentions-legales", "Mentions légales", "14-mentions-legales"),
        ("donnees-personnelles", "Données personnelles", "15-donnees-personnelles"),
        ("accessibilite", "Déclaration d'accessibilité", "16-accessibilite"),
        ("nulle-part", "Page introuvable", "17-introuvable"),
    ]:
        page.goto(stack.url(path))
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        screenshot(page, name)


def test_the_reset_link_takes_its_title_and_message_from_the_page(page, stack):
    """The page module's texts come from the page's <template data-texts>, not from the script."""
    email = "camille.martin@ac-poitiers.fr"  # activated by the seed journey, or now
    if stack.call("POST", "api/sessions", {"email": email, "password": PASSWORD}) != 200:
        stack.activate(email, PASSWORD)
    page.goto(stack.url("mot-de-passe-oublie"))
    page.get_by_label("Adresse électronique professionnelle").fill(email)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", name="Consultez votre messagerie professionnelle")).to_be_visible()
    token = JETON.search(stack.wait_for_mail(email, "nouveau mot de passe")["links"][0]).group(1)
    page.goto(stack.url(f"mot-de-passe#jeton={token}"))
    expect(page.get_by_role("heading", name="Choisir un nouveau mot de passe électeur")).to_be_visible()
    page.get_by_label("Mot de passe électeur", exact=True).fill("Nouveau2026y")
    page.get_by_label("Confirmation du mot de passe électeur").fill("Nouveau2026y")
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Votre nouveau mot de passe électeur est enregistré")).to_be_visible()
    screenshot(page, "18-nouveau-mot-de-passe")


def test_the_ballot_buttons_follow_the_rights_the_server_sends(page, stack):
    email = "lea.nguyen@ac-poitiers.fr"  # activated by test_a_claim_is_filed_and_seen, or now
    if stack.call("POST", "api/sessions", {"email": email, "password": PASSWORD}) != 200:
        stack.activate(email, PASSWORD)
    with page.expect_response(lambda response: response.url.endswith("api/me/ballots")) as answer:
        sign_in(page, stack, email)
    ballots = answer.value.json()["ballots"]
    for ballot in ballots:
        section = page.get_by_role("region", name=ballot["label"], exact=True)
        see = section.get_by_role("link", name="Consulter la liste électorale")
        contest = section.get_by_role("link", name="Contester la liste")
        expect(see).to_have_count(1 if ballot["lists_visible"] else 0)
        expect(contest).to_have_count(1 if ballot["claims_open"] else 0)
    assert any(ballot["claims_open"] for ballot in ballots)
