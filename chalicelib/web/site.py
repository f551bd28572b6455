"""Reading the static site from `chalicelib/static/` and assembling its pages.

Pages are plain HTML fragments (`pages/<slug>.html`, first line `<!-- title: … -->`) put
into `layout.html`. A page with behaviour has an ES module `js/pages/<slug>.js`, which the
layout loads; it imports the shared modules of `js/` by relative URLs, so they carry the
same version (no build step). The voting booth's cryptography is the one built asset:
`booth/ev1.js`, one ES module bundled by esbuild from the repository's `booth/` (`make static`,
not committed). Every asset URL carries a version (a digest of our own assets, the booth's
bundle and the DSFR's version), so browsers and caches may keep them for a year and a new deployment is
picked up at once. Every link is relative to a `<base href>` computed from the request, so
the portal works under any path prefix (an API Gateway stage, or none behind a custom domain).
"""

from __future__ import annotations

import hashlib
import html
import re
from functools import cache
from pathlib import Path

from chalicelib import settings

STATIC = Path(__file__).resolve().parent.parent / "static"
PAGES = STATIC / "pages"
SCRIPTS = STATIC / "js"
# Our own assets, relative to `static/`: the stylesheet and every module under `js/`.
OWN_ASSETS = ("app.css", *sorted(p.relative_to(STATIC).as_posix() for p in SCRIPTS.rglob("*.js")))
CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
# The booth's bundle (EV1 in the browser), relative to `static/`: generated, not committed.
BOOTH_BUNDLE = "booth/ev1.js"
BINARY_TYPES = ["font/woff2", "font/woff", "image/png", "image/x-icon"]


@cache
def version() -> str:
    digest = hashlib.sha256()
    for name in OWN_ASSETS:
        digest.update((STATIC / name).read_bytes())
    booth = STATIC / BOOTH_BUNDLE
    digest.update(booth.read_bytes() if booth.exists() else b"no-booth")
    dsfr = STATIC / "dsfr" / "dsfr.min.css"  # its banner names the DSFR's version
    digest.update(dsfr.read_bytes()[:4096] if dsfr.exists() else b"no-dsfr")
    return digest.hexdigest()[:12]


@cache
def _layout() -> str:
    return (STATIC / "layout.html").read_text(encoding="utf-8")


@cache
def page_slugs() -> frozenset[str]:
    return frozenset(p.stem for p in PAGES.glob("*.html"))


# Pages the server answers with, never served at their own address.
NOT_FOUND = "introuvable"
FORM_NOT_SENT = "formulaire-non-envoye"
INTERNAL_PAGES = frozenset({NOT_FOUND, FORM_NOT_SENT})


INCLUDE = re.compile(r"<!-- include: ([a-z0-9-]+) -->")
FIELD = re.compile(r"<!-- field (.+?) -->")
FIELD_OPTION = re.compile(r'([a-z]+)="([^"]*)"')


def _field(options: str) -> str:
    """A required text input with its label, hint and error line, as every form shows one.

    `<!-- field name="email" type="email" autocomplete="email" label="…" hint="…" -->`: the
    error line is where `forms.js` writes the field's error, tied to the input for screen readers.
    """
    given = dict(FIELD_OPTION.findall(options))
    name = html.escape(given["name"], quote=True)
    hint = f'\n  <span class="fr-hint-text">{given["hint"]}</span>\n' if given.get("hint") else ""
    return (
        f'<div class="fr-input-group" data-group="{name}">\n'
        f'  <label class="fr-label" for="{name}">{given["label"]}{hint}</label>\n'
        f'  <input class="fr-input" type="{given.get("type", "text")}" id="{name}" name="{name}" '
        f'autocomplete="{given["autocomplete"]}" required aria-describedby="{name}-error">\n'
        f'  <p class="fr-error-text" id="{name}-error" hidden></p>\n'
        "</div>"
    )


@cache
def _fragment(slug: str) -> tuple[str, str]:
    """A page's title and body; `<!-- include: name -->` inserts `partials/name.html`, and
    `<!-- field … -->` a text input (`_field`)."""
    text = (PAGES / f"{slug}.html").read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    title = first.removeprefix("<!-- title:").removesuffix("-->").strip()
    body = INCLUDE.sub(lambda m: (STATIC / "partials" / f"{m.group(1)}.html").read_text(encoding="utf-8"), body)
    body = FIELD.sub(lambda m: _field(m.group(1)), body)
    return title, body


def page_script(slug: str) -> str:
    """The `<script type="module">` of the page's own module, or nothing for a page without one."""
    if f"js/pages/{slug}.js" not in OWN_ASSETS:
        return ""
    return f'  <script type="module" src="static/{version()}/js/pages/{slug}.js"></script>'


def render(slug: str, *, base: str, election_dates: str, page: str | None = None) -> str:
    """The page `slug`; `page` is the address it answers at, when not its own (e.g. the
    "form not sent" page answering a POST to /connexion links back to `connexion`)."""
    title, body = _fragment(slug)
    page = page or slug
    body = body.replace("{{page}}", page)
    return (
        _layout()
        .replace("{{base}}", html.escape(base.rstrip("/") + "/", quote=True))
        .replace("{{page_script}}", page_script(slug))
        .replace("{{version}}", version())
        .replace("{{page}}", page)
        .replace("{{title}}", html.escape(title))
        .replace("{{main}}", body.replace("{{election_dates}}", html.escape(election_dates)))
    )


def asset(relative: str) -> tuple[bytes, str] | None:
    """An asset's bytes and content type, or None; never anything outside `static/`."""
    path = (STATIC / relative).resolve()
    if STATIC not in path.parents or not path.is_file() or path.suffix not in CONTENT_TYPES:
        return None
    return path.read_bytes(), CONTENT_TYPES[path.suffix]


def base_path(request) -> str:
    """The prefix before our own paths, e.g. '/api' for an API Gateway stage, or ''.

    Behind a CDN that adds the stage itself (the public address has no prefix), the stage
    sets PUBLIC_BASE_PATH, which then wins (even empty).
    """
    configured = settings.optional("PUBLIC_BASE_PATH")
    if configured is not None:
        return configured.rstrip("/")
    full = (request.context or {}).get("path") or request.path
    own = request.path
    if own == "/":
        return full.rstrip("/")
    return full[: -len(own)] if full.endswith(own) else ""
