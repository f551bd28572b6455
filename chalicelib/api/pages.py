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


def _page(slug: str, status: int = 200) -> Response:
    request = pages.current_request
    body = site.render(slug, base=site.base_path(request), election_dates=settings.optional("ELECTION_DATES", ""))
    return Response(
        body=body, status_code=status, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    )


def _asset(version: str, relative: str) -> Response:
    found = site.asset(relative)
    if found is None:
        return _page("introuvable", 404)
    body, content_type = found
    # An old version's URL still answers (the current file), but is not cached for long.
    cache = LONG_CACHE if version == site.version() else "no-cache"
    if not content_type.startswith(("font/", "image/png", "image/x-icon")):
        body = body.decode("utf-8")
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, "Cache-Control": cache})


@pages.route("/", methods=["GET"])
def home():
    return _page("accueil")


@pages.route("/{slug}", methods=["GET"])
def page(slug):
    return _page(
        slug if slug in site.page_slugs() and slug != "introuvable" else "introuvable",
        200 if slug in site.page_slugs() else 404,
    )


@pages.route("/static/{version}/{name}", methods=["GET"])
def own_asset(version, name):
    return _asset(version, name if name in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/js/{name}", methods=["GET"])
def script(version, name):
    return _asset(version, f"js/{name}" if f"js/{name}" in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/js/pages/{name}", methods=["GET"])
def page_script(version, name):
    return _asset(version, f"js/pages/{name}" if f"js/pages/{name}" in site.OWN_ASSETS else "-")


@pages.route("/static/{version}/dsfr/{name}", methods=["GET"])
def dsfr_asset(version, name):
    return _asset(version, f"dsfr/{name}")


@pages.route("/static/{version}/dsfr/{folder}/{name}", methods=["GET"])
def dsfr_nested_asset(version, folder, name):
    return _asset(version, f"dsfr/{folder}/{name}")


@pages.route("/static/{version}/dsfr/icons/{folder}/{name}", methods=["GET"])
def dsfr_icon(version, folder, name):
    return _asset(version, f"dsfr/icons/{folder}/{name}")
