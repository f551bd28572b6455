"""The pages and assets the app serves: headers, versions, base path, labels."""

import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from chalice.test import Client

from app import app
from chalicelib.web import site


@pytest.fixture
def client(chalice_project):
    with Client(app, **chalice_project) as client:
        yield client


def test_every_page_has_the_security_headers_and_no_unsafe_inline(client):
    for path in ("/", "/connexion", "/espace", "/api/health", "/nulle-part"):
        headers = client.http.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert client.http.get("/api/health").headers["Cache-Control"] == "no-store"


def test_pages_are_french_utf8_and_relative_to_their_base(client):
    response = client.http.get("/connexion")
    body = response.body.decode()
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="fr"' in body and '<meta charset="utf-8">' in body
    assert '<base href="/">' in body
    assert f'href="static/{site.version()}/dsfr/dsfr.min.css"' in body
    links = body.replace('<base href="/">', "")
    assert not re.search(r'(href|src)="/(?!/)', links)  # no absolute path: the base decides
    assert "<script>" not in body and "style=" not in body  # nothing inline


def test_unknown_pages_are_a_404_page(client):
    response = client.http.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.body.decode()


def test_the_base_path_follows_a_stage_prefix(monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_PATH", raising=False)
    request = SimpleNamespace(path="/connexion", context={"path": "/api/connexion"})
    assert site.base_path(request) == "/api"
    assert site.base_path(SimpleNamespace(path="/", context={"path": "/api/"})) == "/api"
    assert site.base_path(SimpleNamespace(path="/connexion", context={"path": "/connexion"})) == ""
    assert '<base href="/api/">' in site.render("connexion", base="/api", election_dates="")
    monkeypatch.setenv("PUBLIC_BASE_PATH", "")  # behind the CDN, which adds the stage itself
    assert site.base_path(request) == ""


def test_versioned_assets_are_cached_for_a_year(client):
    version = site.version()
    current = client.http.get(f"/static/{version}/js/pages/espace.js")
    assert current.status_code == 200 and current.headers["Content-Type"].startswith("text/javascript")
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    old = client.http.get("/static/000000000000/js/api.js")
    assert old.status_code == 200 and old.headers["Cache-Control"] == "no-cache"
    font = client.http.get(f"/static/{version}/dsfr/fonts/Marianne-Regular.woff2", headers={"Accept": "*/*"})
    assert font.status_code == 200 and font.headers["Content-Type"] == "font/woff2" and font.body[:4] == b"wOF2"
    icon = client.http.get(f"/static/{version}/dsfr/icons/system/close-line.svg")
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/svg+xml"


def test_the_booth_bundle_is_served_versioned_as_javascript(client):
    """The booth's EV1 module (built by `make static`), under the same headers as every asset."""
    version = site.version()
    bundle = site.STATIC / site.BOOTH_BUNDLE
    assert bundle.is_file(), "the booth's bundle is missing: run `make static`"
    response = client.http.get(f"/static/{version}/{site.BOOTH_BUNDLE}")
    assert response.status_code == 200 and response.body == bundle.read_bytes()
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    policy = response.headers["Content-Security-Policy"]
    assert policy == client.http.get("/connexion").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    for other in ("booth/build.mjs", "booth/group.js", "booth/..%2Fapp.css", "booth/ev1.js.map"):
        assert client.http.get(f"/static/{version}/{other}").status_code == 404, other


@pytest.mark.parametrize(
    "path",
    ["/static/v/settings.py", "/static/v/dsfr/..%2F..%2Fsettings.py", "/static/v/dsfr/icons/..%2F..%2F..%2Fapp.py/x"],
)
def test_nothing_outside_the_static_folder_is_served(client, path):
    assert client.http.get(path).status_code == 404


class FormAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.labels, self.fields, self.h1 = set(), [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and "for" in attrs:
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append(attrs.get("id"))
        if tag == "h1":
            self.h1 += 1


@pytest.mark.parametrize("slug", sorted(site.page_slugs()))
def test_every_field_has_a_label_and_every_page_a_title(slug):
    audit = FormAudit()
    audit.feed(site.render(slug, base="", election_dates="x"))
    assert all(field and field in audit.labels for field in audit.fields), audit.fields
    assert audit.h1 >= 1
    assert "<title>" in site.render(slug, base="", election_dates="x")


def test_every_module_is_served_versioned_and_counted_in_the_version(client):
    version = site.version()
    modules = [name for name in site.OWN_ASSETS if name.endswith(".js")]
    assert "js/api.js" in modules and "js/forms.js" in modules and "js/pages/espace.js" in modules
    for name in modules:
        response = client.http.get(f"/static/{version}/{name}")
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Type"].startswith("text/javascript")
        # Modules import each other by relative URLs only, so an import keeps the version.
        for target in re.findall(r'from "([^"]+)"', response.body.decode()):
            assert target.startswith("./") or target.startswith("../"), (name, target)
    assert client.http.get(f"/static/{version}/js/nulle-part.js").status_code == 404
    assert client.http.get(f"/static/{version}/app.js").status_code == 404  # the old single script is gone


def test_a_page_loads_its_own_module_and_only_pages_with_behaviour_have_one(client):
    version = site.version()
    body = client.http.get("/espace").body.decode()
    assert f'<script type="module" src="static/{version}/js/pages/espace.js"></script>' in body
    accueil = client.http.get("/").body.decode()
    assert "js/pages/" not in accueil and f"static/{version}/dsfr/dsfr.module.min.js" in accueil
    for slug in site.page_slugs():
        if f"js/pages/{slug}.js" in site.OWN_ASSETS:
            assert f"js/pages/{slug}.js" in site.render(slug, base="", election_dates="")


def test_the_scripts_hold_no_french_text_and_every_text_key_is_on_its_page():
    """Texts live in the pages' <template data-texts>; the scripts only name them."""
    french = re.compile(r"[àâçéèêëîïôùûüœÀÂÇÉÈÊËÎÏÔÙÛÜŒ«»]")
    for name in site.OWN_ASSETS:
        if not name.endswith(".js"):
            continue
        source = (site.STATIC / name).read_text(encoding="utf-8")
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("//", "*", "/**")))
        assert not french.search(code), name
        if name.startswith("js/pages/"):
            page = site.render(name.removeprefix("js/pages/").removesuffix(".js"), base="", election_dates="")
            for key in re.findall(r'text\("([a-z_]+)"', source):
                assert f'data-text="{key}"' in page, (name, key)


def test_the_password_policy_gives_its_limits_as_numbers(client, monkeypatch):
    body = client.http.get("/api/password-policy").json_body
    assert body["min_length"] == 8 and body["max_length"] == 24
    assert [rule["code"] for rule in body["rules"]][:2] == ["too_short", "too_long"]


def test_the_ballots_carry_the_rights_their_phase_gives():
    from datetime import UTC, datetime, timedelta

    from chalicelib.api.espace import _ballot
    from chalicelib.domain.phases import phase_at

    start = datetime(2026, 11, 27, 9, tzinfo=UTC)
    ballot = SimpleNamespace(
        ballot_id="B",
        label="L",
        kind="CSA",
        level="national",
        perimeter="P",
        candidate_lists=[],
        lists_published_at=start,
        claims_close_at=start + timedelta(days=8),
        candidates_published_at=start + timedelta(days=13),
        voting_opens_at=start + timedelta(days=39),
        voting_closes_at=start + timedelta(days=46),
    )

    def rights(now):
        shaped = _ballot(SimpleNamespace(ballot=ballot, phase=phase_at(ballot, now), candidates_published=False), now)
        return shaped["phase"], shaped["lists_visible"], shaped["claims_open"]

    assert rights(start - timedelta(seconds=1)) == ("upcoming", False, False)
    assert rights(start) == ("lists_published", True, True)
    assert rights(start + timedelta(days=8) - timedelta(seconds=1)) == ("lists_published", True, True)
    assert rights(start + timedelta(days=8)) == ("claims_closed", True, False)
    assert rights(start + timedelta(days=40)) == ("voting_open", True, False)


def test_a_field_line_becomes_a_labelled_input_with_its_error_line():
    body = site.render("signaler", base="", election_dates="x")
    assert "<!-- field" not in body
    assert (
        '<input class="fr-input" type="email" id="email" name="email" autocomplete="email" required '
        'aria-describedby="email-error">' in body
    )
    assert '<p class="fr-error-text" id="workplace-error" hidden></p>' in body
    assert '<span class="fr-hint-text">Établissement ou service, et commune</span>' in body
    audit = FormAudit()
    audit.feed(body)
    assert {"last_name", "first_name", "email", "workplace", "message"} <= set(audit.fields) <= audit.labels


FORM_TAG = re.compile(r"<form\b[^>]*>")


@pytest.mark.parametrize("slug", sorted(site.page_slugs()))
def test_every_form_posts_to_its_own_page_and_is_inert_until_its_module_runs(slug):
    """Without JavaScript no field can reach an address: the forms cannot be used, and a
    browser that ignores `inert` would post them to the page, never GET them."""
    body = site.render(slug, base="", election_dates="x")
    for tag in FORM_TAG.findall(body):
        assert 'method="post"' in tag and f'action="{slug}"' in tag and " inert" in tag, (slug, tag)
        assert 'method="get"' not in tag.lower()
    assert "<noscript>" in body and "JavaScript est désactivé" in body


def test_a_form_posted_to_a_page_gets_a_french_405_and_its_body_is_never_logged(client, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        response = client.http.post(
            "/connexion",
            body=b"email=camille.martin%40ac-poitiers.fr&password=Secret2026xy",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        home = client.http.post("/", body=b"password=Secret2026xy", headers={"Content-Type": "text/plain"})
        unknown = client.http.post(
            "/nulle-part", body=b"password=Secret2026xy", headers={"Content-Type": "multipart/form-data; boundary=x"}
        )
    body = response.body.decode()
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Formulaire non envoyé" in body and "Rien n'a été envoyé ni enregistré" in body
    assert 'href="connexion"' in body  # back to the page the form was on
    assert "Secret2026xy" not in body and "camille" not in body
    assert home.status_code == 405 and 'href="./"' in home.body.decode()
    assert unknown.status_code == 404 and "Page introuvable" in unknown.body.decode()
    assert '"status": 405' in caplog.text
    assert "Secret2026xy" not in caplog.text and "camille" not in caplog.text


def test_the_internal_pages_have_no_address_of_their_own(client):
    for slug in site.INTERNAL_PAGES:
        response = client.http.get(f"/{slug}")
        assert response.status_code == 404 and "Page introuvable" in response.body.decode()


def test_the_espace_never_says_voting_is_open_and_says_how_voting_will_be():
    body = site.render("espace", base="", election_dates="x")
    assert "Vote ouvert" not in body
    assert "Le vote se fera sur ce portail avec votre mot de passe et votre code électeur" in body


def test_every_step_has_a_title():
    for slug in site.page_slugs():
        body = site.render(slug, base="", election_dates="x")
        for step in re.findall(r"<[a-z]+ [^>]*data-step=[^>]*>", body):
            assert re.search(r'data-title="[^"]+"', step), (slug, step)


def test_the_accessibility_statement_is_honest_and_gives_the_recourse():
    body = site.render("accessibilite", base="", election_dates="x")
    assert "non conforme" in body and "partiellement conforme" not in body
    assert "Défenseur des droits" in body and "Libre réponse 71120" in body
    assert "Accessibilité : non conforme" in site.render("accueil", base="", election_dates="x")
