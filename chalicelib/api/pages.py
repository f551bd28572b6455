"""The portal's pages and their assets, served by the same functions as the API.

In AWS, a cache in front (deploy issue) keeps the versioned assets; the functions then see
almost only the pages and the API.
"""

from __future__ import annotations

from chalice import Response

from chalicelib import settings
from chalicelib.api.responses import ApiBlueprint
from chalicelib.web import site

pages = ApiBlueprint(__name__)

LONG_CACHE = "public, max-age=31536000, immutable"


def _page(slug: str, status: int = 200, *, page: str | None = None, headers: dict | None = None) -> Response:
    request = pages.current_request
    body = site.render(
        slug, base=site.base_path(request), election_dates=settings.optional("ELECTION_DATES", ""), page=page
    )
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", **(headers or {})},
    )


def _asset(version: str, relative: str) -> Response:
    found = site.asset(relative)
    if found is None:
        return _page(site.NOT_FOUND, 404)
    body, content_type = found
    # An old version's URL still answers (the current file), but is not cached for long.
    cache = LONG_CACHE if version == site.version() else "no-cache"
    if not content_type.startswith(("font/", "image/png", "image/x-icon")):
        body = body.decode("utf-8")
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, "Cache-Control": cache})


@pages.route("/", methods=["GET", "HEAD"])
def home():
    return _page("accueil")


@pages.route("/{slug}", methods=["GET", "HEAD"])
def page(slug):
    known = slug in site.page_slugs() and slug not in site.INTERNAL_PAGES
    return _page(slug if known else site.NOT_FOUND, 200 if known else 404)


# What a browser without JavaScript may send when a form is submitted anyway (the forms are
# inert without their module, and `method="post"` so that no field ever lands in an address).
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "application/json"]


@pages.route("/", methods=["POST"], content_types=FORM_TYPES)
def home_post():
    return _not_sent("")


@pages.route("/{slug}", methods=["POST"], content_types=FORM_TYPES)
def page_post(slug):
    if slug not in site.page_slugs() or slug in site.INTERNAL_PAGES:
        return _page(site.NOT_FOUND, 404)
    return _not_sent(slug)


def _not_sent(slug: str) -> Response:
    """A French 405 page. The body is never read: it may hold a password."""
    return _page(site.FORM_NOT_SENT, 405, page=slug or "./", headers={"Allow": "GET"})


@pages.route("/static/{version}/{name}", methods=["GET", "HEAD"])
def own_asset(version, name):
    return _asset(version, name if name in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/js/{name}", methods=["GET", "HEAD"])
def script(version, name):
    return _asset(version, f"js/{name}" if f"js/{name}" in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/js/pages/{name}", methods=["GET", "HEAD"])
def page_script(version, name):
    return _asset(version, f"js/pages/{name}" if f"js/pages/{name}" in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/booth/{name}", methods=["GET", "HEAD"])
def booth_bundle(version, name):
    return _asset(version, site.BOOTH_BUNDLE if f"booth/{name}" == site.BOOTH_BUNDLE else "-")


@pages.route("/static/{version}/dsfr/{name}", methods=["GET", "HEAD"])
def dsfr_asset(version, name):
    return _asset(version, f"dsfr/{name}")


@pages.route("/static/{version}/dsfr/{folder}/{name}", methods=["GET", "HEAD"])
def dsfr_nested_asset(version, folder, name):
    return _asset(version, f"dsfr/{folder}/{name}")


@pages.route("/static/{version}/dsfr/icons/{folder}/{name}", methods=["GET", "HEAD"])
def dsfr_icon(version, folder, name):
    return _asset(version, f"dsfr/icons/{folder}/{name}")
