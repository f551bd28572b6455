"""Settings read from the environment: the only module that reads it.

The same code runs in every stage; only these values differ. Chalice sets them from
`.chalice/config.json` (per stage), the admin CLI loads the same file for `--stage`
(`admin/stage.py`), and AWS Lambda provides the region. Local runs point every AWS client at
the local stack with the standard `AWS_ENDPOINT_URL` variable, which boto3 and PynamoDB read
themselves, so no code knows it is local.

Values are read when used, not at import, so importing the app does not depend on the
environment; building objects from them (the password policy, the hasher...) is
`chalicelib.wiring`'s job.

| variable | default | what it is |
|---|---|---|
| STAGE | required | the stage's name (dev, prod...) |
| PORTAL_URL | required | the portal's public address; links in emails and CORS |
| PUBLIC_BASE_PATH | "" or "/api" | path prefix the pages are served under (API Gateway stage) |
| ELECTION_DATES | "" | the election's dates as the home page states them |
| MAIL_SENDER | required | From: of every email |
| MAIL_CONFIGURATION_SET | none | SES configuration set that reports deliveries |
| VOTER_CODE_PEPPER_ID | required for voter codes | the secret keying their HMAC (`wiring.voter_code_pepper`) |
| SERVER_SIGNING_KEY_ID | required to seal, close | the server's signing key's secret (`wiring.server_signing_seed`) |
| ORIGIN_SECRET_ID | none | secret CloudFront sends as X-Origin-Verify; unset: no check (`api/origin.py`) |
| MAIL_QUEUE_NAME | required | email requests, from the API to the mail worker |
| DELIVERY_EVENTS_QUEUE_NAME | required | SES delivery reports, to their worker |
| MAIL_WORKER_CONCURRENCY | 5 | mail workers at once (sized for SES's sending rate) |
| CAMPAIGN_WALK_QUEUE_NAME | required | the pages of a campaign's walk, to the walk worker |
| CAMPAIGN_MAIL_QUEUE_NAME | required | a campaign's emails, to their own worker (never the voters' queue) |
| COUNT_QUEUE_NAME | required | the shards of a closed box, from `bureau count` to the count's workers |
| COUNT_WORKER_CONCURRENCY | 100 | count workers at once (the event source's maximum concurrency) |
| SES_SEND_RATE | 14 | the SES account's emails per second; campaigns take 80 % (`domain.campaigns.SendingPlan`) |
| CAMPAIGN_WORKER_RATE | 8 | emails per second one campaign worker sends at most (workers = campaign rate ÷ this) |
| CAMPAIGN_SCAN_SEGMENTS | 16 | parallel-scan segments a whole-roll campaign is walked in |
| INVITATION_LINK_DAYS | 21 | a campaign's link lasts at least this, and until the first ballot's claims close |
| PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH | 8, 24 | the password rules' bounds |
| ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM | 19456, 2, 1 | argon2id (OWASP's minimum) |
| SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS, SESSION_REFRESH_MINUTES | 30, 12, 5 | sessions |
| *_TABLE | required | each table's name (`store.base.table_meta`) |
| DEMO_SWITCHES | off | "on" in the `local` stage only (`bureau demo-close`); ignored elsewhere |
| AWS_REGION / AWS_DEFAULT_REGION | eu-west-3 | set by Lambda |
"""

from __future__ import annotations

import os
from typing import NamedTuple


class MissingSetting(RuntimeError):
    """A required environment variable is not set: a deployment mistake, never a user error."""


def required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise MissingSetting(f"environment variable {name} is not set")
    return value


def optional(name: str, default: str | None = None) -> str | None:
    """The value when set, even empty (an empty PUBLIC_BASE_PATH means "no prefix")."""
    return os.environ.get(name, default)


def integer(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def demo_switches() -> bool:
    """The local demo's switches (`bureau demo-close`): on only where the stage is `local` and
    its configuration says so, so no other stage's environment can turn them on by mistake."""
    return os.environ.get("STAGE") == "local" and os.environ.get("DEMO_SWITCHES") == "on"


def region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-3"


class Settings(NamedTuple):
    """What sending email needs, read together (a NamedTuple: cheap to build per email)."""

    portal_url: str
    mail_sender: str
    mail_queue_name: str

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            portal_url=required("PORTAL_URL").rstrip("/"),
            mail_sender=required("MAIL_SENDER"),
            mail_queue_name=required("MAIL_QUEUE_NAME"),
        )
