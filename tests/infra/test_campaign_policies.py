"""A whole campaign stays within the policies of the functions that run it."""

from __future__ import annotations

import json

from chalicelib.domain.campaigns import CampaignKind, ses_tags
from chalicelib.services import campaign_mail, campaign_walk, campaigns
from chalicelib.store.campaign_deliveries import campaign_history
from chalicelib.wiring import sending_plan
from chalicelib.workers.deliverability import record_delivery_events
from infra.local.provision import create_all_queues
from tests.api.conftest import GOOD_PASSWORD
from tests.conftest import NOW
from tests.infra.test_aws_stack import _grants, _needed, recorded_calls
from tests.services.campaign_support import CampaignWorld


def test_a_campaign_stays_within_each_functions_policy(portal):
    create_all_queues()
    world = CampaignWorld(now=NOW)
    planned = campaigns.plan_campaign(CampaignKind.INVITATION, ballot_ids=[], academy=None, name=None, now=NOW)
    campaigns.start_campaign(planned.campaign_id, now=NOW)
    walk_calls, mail_calls, report_calls, api_calls = [], [], [], []
    sqs = world._poller().sqs

    def take(variable):
        import os

        url = sqs.get_queue_url(QueueName=os.environ[variable])["QueueUrl"]
        found = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                found.append(json.loads(message["Body"]))
        return found

    while pages := take("CAMPAIGN_WALK_QUEUE_NAME"):
        with recorded_calls(walk_calls):
            for page in pages:
                campaign_walk.walk_page(page, now=NOW, plan=sending_plan())
    with recorded_calls(mail_calls):
        for body in take("CAMPAIGN_MAIL_QUEUE_NAME"):
            campaign_mail.send_campaign_email(body, now=NOW)
    [invitation, *_] = portal.new_mail()
    entry = campaign_history("P00000002")[0]
    bounce = {
        "eventType": "Bounce",
        "mail": {"tags": {k: [v] for k, v in ses_tags(planned.campaign_id, int(entry.unit), "P00000002").items()}},
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": entry.recipient}]},
    }
    with recorded_calls(report_calls):
        record_delivery_events([json.dumps(bounce)], now=NOW)
    with recorded_calls(api_calls):
        answer = portal.post(
            "/api/passwords",
            {"token": invitation.token, "password": GOOD_PASSWORD, "password_confirmation": GOOD_PASSWORD},
        )
    assert answer.status_code == 200
    assert campaigns.campaign_report(planned.campaign_id).totals["activated"] == 1
    assert _needed(walk_calls) - _grants("walk_campaign") == set()
    assert _needed(mail_calls) - _grants("send_campaign_email") == set()
    assert _needed(report_calls) - _grants("record_delivery_event") == set()
    assert _needed(api_calls) - _grants("api_handler") == set()
    assert ("ses", "SendRawEmail", "identity") in _needed(mail_calls)
    assert not any(op == "Scan" for _, op, _ in mail_calls + report_calls + api_calls)
