"""`make openapi`: write the API's OpenAPI description (`docs/openapi.json`) from the routes.

A tool outside `chalicelib/`, like the stack generators: it gives the app placeholder settings
so that it can be imported anywhere (the document does not depend on the stage), and only
`chalicelib/settings.py` reads the environment inside the app.
"""

from __future__ import annotations

import os
import sys

from chalicelib.api.openapi import render


def main() -> None:
    # The document does not depend on the stage: placeholders let the app be imported anywhere.
    for name, value in {
        "PORTAL_URL": "https://portail.invalid",
        "MAIL_QUEUE_NAME": "openapi",
        "DELIVERY_EVENTS_QUEUE_NAME": "openapi",
        "CAMPAIGN_WALK_QUEUE_NAME": "openapi",
        "CAMPAIGN_MAIL_QUEUE_NAME": "openapi",
        "COUNT_QUEUE_NAME": "openapi",
        "AWS_DEFAULT_REGION": "eu-west-3",
    }.items():
        os.environ.setdefault(name, value)
    from app import app

    sys.stdout.write(render(app))


if __name__ == "__main__":
    main()
