"""Only CloudFront may call the portal, and the client is the one CloudFront saw.

The regional API Gateway endpoint is public: anyone may call it directly, around CloudFront
(its cache, its TLS policy, and its view of who the client is). So CloudFront adds a header
whose value only it and the API function know (`X-Origin-Verify`, the Secrets Manager secret
named by `ORIGIN_SECRET_ID`), and every request without the right value is refused, before
any route runs: pages, static files, the API and `/api/health` alike (a path left open would
be one more way in to keep in mind, and health checks can go through CloudFront too).

Behind CloudFront, API Gateway's `sourceIp` is a CloudFront server, shared by thousands of
voters: per-client limits would lock out whole regions, or never hold. The client is then
`CloudFront-Viewer-Address`, which CloudFront sets itself. Without the setting (the local
stack, tests) nothing is checked, that header is ignored (anyone could send it), and the
client is `sourceIp`. docs/threat-model.md lists the attacks and the tests.
"""

from __future__ import annotations

import hmac
import ipaddress

from chalicelib import wiring
from chalicelib.api.responses import OriginNotVerified

HEADER = "x-origin-verify"
VIEWER_ADDRESS = "cloudfront-viewer-address"


def check_origin(request) -> None:
    """OriginNotVerified (403) unless the request carries CloudFront's secret; nothing to
    check when the setting is unset. Compared in constant time."""
    expected = wiring.origin_secret()
    if expected is None:
        return
    given = request.headers.get(HEADER) or ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8")):
        raise OriginNotVerified()


def _address(text: str | None) -> str | None:
    """The client in `CloudFront-Viewer-Address` ("198.51.100.7:46532", "2001:db8::7:46532":
    address, colon, port) as a client key: the address, or for IPv6 its /64, which one subscriber usually holds
    whole (counting single IPv6 addresses would let one client be 2**64 of them)."""
    if not text:
        return None
    host = text.strip()
    host = (host.rsplit(":", 1)[0] if ":" in host else host).strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_of(request) -> str:
    """Who is calling, for the per-client limits: the viewer CloudFront saw when we are behind
    it, else API Gateway's source address (the local stack)."""
    source = (request.context.get("identity") or {}).get("sourceIp") or "unknown"
    if wiring.origin_secret() is None:
        return source
    return _address(request.headers.get(VIEWER_ADDRESS)) or source
