"""CloudFront adds the portal's security headers to every answer, API Gateway's own included
(CORS preflights, unknown routes), which our function never sees (issue 13, finding 10)."""

import json

from chalicelib.api.middleware import SECURITY_HEADERS
from infra.aws.edge import TEMPLATE_PATH


def test_every_behaviour_of_the_distribution_adds_the_security_headers():
    resources = json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))["Resources"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeaders"} for b in behaviours)
    policy = resources["SecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert policy["ContentSecurityPolicy"]["ContentSecurityPolicy"] == SECURITY_HEADERS["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert policy["ReferrerPolicy"]["ReferrerPolicy"] == SECURITY_HEADERS["Referrer-Policy"] == "no-referrer"
    assert policy["FrameOptions"]["FrameOption"] == SECURITY_HEADERS["X-Frame-Options"] == "DENY"
    assert "ContentTypeOptions" in policy  # nosniff
    assert policy["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == 63072000
    assert policy["StrictTransportSecurity"]["IncludeSubdomains"] is True
    assert all(header["Override"] is True for header in policy.values())
