"""The list of every table model, and their creation for the local stack and the tests.

In AWS the tables come from the CloudFormation stack in `infra/`; here, PynamoDB's own
schema creates the same shape on moto.
"""

from __future__ import annotations

import boto3
from pynamodb.models import Model

from chalicelib import settings
from chalicelib.store.accounts import Account
from chalicelib.store.ballot_box import BallotBoxEntry
from chalicelib.store.ballots import BallotItem
from chalicelib.store.bureaus import BureauItem
from chalicelib.store.campaigns import CampaignItem
from chalicelib.store.claims import Claim
from chalicelib.store.deliverability import DeliveryStatus
from chalicelib.store.electoral_list import ElectoralListEntry
from chalicelib.store.mail_log import MailLogEntry
from chalicelib.store.public_record import RecordItem
from chalicelib.store.rate_limits import RateLimitCounter
from chalicelib.store.sessions import Session
from chalicelib.store.sign_in import SignInEntry
from chalicelib.store.tokens import Token
from chalicelib.store.voter_codes import VoterCode
from chalicelib.store.voters import Voter

ALL_MODELS: list[type[Model]] = [
    Voter,
    ElectoralListEntry,
    BallotItem,
    Account,
    Token,
    Session,
    MailLogEntry,
    RateLimitCounter,
    Claim,
    DeliveryStatus,
    CampaignItem,
    BureauItem,
    SignInEntry,
    BallotBoxEntry,
    VoterCode,
    RecordItem,
]


def ttl_attribute_name(model: type[Model]) -> str | None:
    attribute = model._ttl_attribute()
    return attribute.attr_name if attribute else None


def create_tables() -> list[str]:
    """Create every missing table, on-demand, with its TTL enabled; return the names created."""
    client = boto3.client("dynamodb", region_name=settings.region())
    created = []
    for model in ALL_MODELS:
        if model.exists():
            continue
        model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        ttl_name = ttl_attribute_name(model)
        if ttl_name:
            client.update_time_to_live(
                TableName=model.Meta.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_name},
            )
        created.append(model.Meta.table_name)
    return created
