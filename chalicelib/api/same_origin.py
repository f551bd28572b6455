"""Cross-site request forgery: only the portal's own pages may change anything through the API.

The session cookie is `SameSite=Strict`, but SameSite alone leaves gaps: a sibling site of the
same registrable domain is "same-site" (its requests carry the cookie), and requests that need
no cookie (sign-in, registration, password creation from a link) can be forged from any site
a voter visits: login CSRF, or mail sent in the voter's name. So every state-changing request
to `/api/*` (POST, PUT, PATCH, DELETE) is checked here, from its headers only, before any view
runs or any body is read:

- `Origin`, when present, must be the portal's origin (`PORTAL_URL`'s scheme, host and port);
  anything else, `null` included (sandboxed frames, privacy modes), is refused: 403
  `cross_site_request`. Every current browser sends `Origin` on every POST, PUT, PATCH and
  DELETE, same-origin `fetch` included, so the portal's pages always pass.
- Without `Origin`, `Sec-Fetch-Site` decides when a browser sent it: `same-origin` or `none`
  (typed by the user) pass, `same-site` and `cross-site` are refused.
- With neither header, the caller is not a browser (curl, a monitor, the tests' client; the
  admin CLI does not use HTTP) or a very old one, and passes. That is safe because of the
  second rule: a body must be declared `application/json` (at most with `; charset=utf-8`),
  which a browser sends cross-site only after a CORS preflight, answered for the portal's
  origin alone; and DELETE is never a "simple" request either. So a browser can forge
  neither a JSON body nor a DELETE without the preflight, whatever headers it omits.

The content type is matched exactly: Chalice alone accepts any header in which one of the
comma- or semicolon-separated parts is `application/json`, so `text/plain; application/json`
or `text/plain; x=*/*` (both simple requests that need no preflight) would reach the views,
and so would a body sent with no Content-Type at all (a `Blob`). Those are 415
`unsupported_media_type`. A request without a body needs no Content-Type.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalicelib import settings
from chalicelib.api.responses import CrossSiteRequest, UnsupportedMediaType

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}
JSON_TYPES = frozenset({"application/json", "application/json;charset=utf-8"})


def origin_of(url: str) -> str:
    """`scheme://host[:port]` as a browser serialises it in `Origin` (lower case, no default port)."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" if port is None or port == DEFAULT_PORTS.get(scheme) else f"{scheme}://{host}:{port}"


def portal_origin() -> str:
    return origin_of(settings.required("PORTAL_URL"))


def _is_api(request) -> bool:
    return (request.path or "").startswith("/api/")  # the route, e.g. /api/ballots/{ballot_id}/claims


def check_same_origin(request) -> None:
    """CrossSiteRequest (403) for a state-changing API request another site may have sent."""
    if request.method not in STATE_CHANGING or not _is_api(request):
        return
    origin = request.headers.get("origin")
    if origin is not None:
        if origin.strip().lower() != portal_origin():
            raise CrossSiteRequest()
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in SAME_ORIGIN_FETCH_SITES:
        raise CrossSiteRequest()


def is_json_type(value: str) -> bool:
    """`application/json`, alone or with `charset=utf-8` (any case, spaces around `;` and `=`)."""
    essence, _, parameter = value.partition(";")
    name, _, charset = parameter.partition("=")
    normalised = essence.strip().lower()
    if parameter:
        normalised += f";{name.strip().lower()}={charset.strip().strip(chr(34)).lower()}"
    return normalised in JSON_TYPES


def check_json_body(request) -> None:
    """UnsupportedMediaType (415) for an API body not declared exactly as JSON."""
    if request.method not in WITH_BODY or not _is_api(request):
        return
    content_type = request.headers.get("content-type")
    if content_type is None:
        if request.raw_body:
            raise UnsupportedMediaType()
        return
    if not is_json_type(content_type):
        raise UnsupportedMediaType()
