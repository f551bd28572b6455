"""Every Lambda function and queue of the application, each described once.

A function's identity (Chalice's name for it, this stack's name for it, its size, what
triggers it, what it may call) used to be spread over six tables; missing one gave a wrong
policy, not an error. Everything else is derived from `FUNCTIONS`: the least-privilege
policies (`policies.py`), the log groups, alarms and merged-template entries (`stack.py`),
the `lambda_functions` of `.chalice/config.json` (`deploy.py` writes them, a test checks
them) and `docs/functions.md`. A new function, say one that casts votes under its own role
(writes two tables, reads neither), is one more `Function(...)` below.

The sign-in list and the ballot box (`VOTE_TABLES`) are kept apart here: no entry may read both,
and an entry that reads one carries an explicit `Deny` of reading the other (`policies.py`
checks both rules when it builds a policy, and `make template` fails on a breach).

The queues are described here too (`QueueSpec`), because their settings follow from the
functions that consume them, and the local stack (`infra/local/provision.py`) creates them
from the same description as CloudFormation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pynamodb.models import Model

from chalicelib.store.accounts import Account
from chalicelib.store.ballot_box import BallotBoxEntry
from chalicelib.store.ballots import BallotItem
from chalicelib.store.base import table_suffix, table_variable
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

APP = "espace-electeur"
DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "functions.md"
# Chalice's name for the function behind the API; every other function is named after its handler.
API_HANDLER = "api_handler"


def pascal(text: str) -> str:
    """CloudFormation logical ids and IAM statement ids from our names: "mail-log" -> "MailLog",
    "send_requested_email" -> "SendRequestedEmail" (Chalice's own rule for its resources)."""
    return "".join(part.capitalize() for part in re.split(r"[-_]", text))


def table_logical_id(model: type[Model]) -> str:
    return f"{pascal(table_suffix(model))}Table"


# The two stores of the vote (VOTING.md, "The rules we implement"): who voted (the sign-in
# list) and what was cast (the ballot box). No role may read both; each has its own customer
# managed KMS key, deletion protection in every stage and no stream (`stack.py`).
VOTE_TABLES: tuple[type[Model], ...] = (SignInEntry, BallotBoxEntry)
# Tables without point-in-time recovery: a per-second history of the box, restored at two
# instants, would say which ballots arrived between them, and the sign-in list says who
# voted then. The box is durable without it (DynamoDB's replicas, deletion protection, no
# delete or update granted to anyone); it is backed up once, when the bureau closes it.
WITHOUT_HISTORY: tuple[type[Model], ...] = (BallotBoxEntry,)

# What reading a table means, for the separation: the item reads, PartiQL's SELECT, the
# stream's records and an export (a copy of the whole table in S3).
READS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PartiQLSelect",
    "GetRecords",
    "GetShardIterator",
    "DescribeStream",
    "ExportTableToPointInTime",
)


def table_key_logical_id(model: type[Model]) -> str:
    """The KMS key of a table of `VOTE_TABLES`, a resource of the stack."""
    return f"{table_logical_id(model)}Key"


# SQS hides a received message for the visibility timeout; AWS asks for six times the timeout
# of the function it triggers, so that a message is not handed out again while (or soon after)
# an invocation still works on it, retries of the event source mapping included.
WORKER_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue and its dead-letter queue, the same on AWS and on the local stack.

    The local stack used to hide a message for 60 s and AWS for 180 s: a failure was retried
    sooner on a laptop than in production. Both now take `visibility_timeout` from here (the
    mail worker shortens it anyway with its own backoff, `chalicelib/workers/mail.py`).
    """

    name: str  # this stack's name: <name>Queue, <name>DeadLetterQueue, <name>QueueArn
    suffix: str  # the queue is espace-electeur-<stage>-<suffix>, its dead-letter queue <...>-dlq
    variable: str  # the environment variable that names it
    visibility_timeout: int = 6 * WORKER_TIMEOUT_SECONDS
    max_receives: int = 5  # then the message goes to the dead-letter queue, which alarms
    retention_seconds: int = 345600  # 4 days
    dead_letter_retention_seconds: int = 1209600  # 14 days, the most SQS keeps


MAIL_QUEUE = QueueSpec("Mail", "mail", "MAIL_QUEUE_NAME")
DELIVERY_EVENTS_QUEUE = QueueSpec("DeliveryEvents", "delivery-events", "DELIVERY_EVENTS_QUEUE_NAME")
# A campaign's walk (one message per page) and its emails, apart from the voters' own queue.
CAMPAIGN_WALK_QUEUE = QueueSpec("CampaignWalk", "campaign-walk", "CAMPAIGN_WALK_QUEUE_NAME")
CAMPAIGN_MAIL_QUEUE = QueueSpec("CampaignMail", "campaign-mail", "CAMPAIGN_MAIL_QUEUE_NAME")
# The count's work items (one shard of one scrutin's box each), from `bureau count` to its
# workers. A shard of the largest scrutin at full turnout is about 17,000 ballots, some two
# minutes of one vCPU (bench/count.py); the worker may run five.
COUNT_WORKER_TIMEOUT_SECONDS = 300
COUNT_QUEUE = QueueSpec(
    "Count", "count", "COUNT_QUEUE_NAME", visibility_timeout=6 * COUNT_WORKER_TIMEOUT_SECONDS, max_receives=3
)
QUEUES = [MAIL_QUEUE, DELIVERY_EVENTS_QUEUE, CAMPAIGN_WALK_QUEUE, CAMPAIGN_MAIL_QUEUE, COUNT_QUEUE]

# What each side of a queue may do with it.
SEND = ("sqs:SendMessage", "sqs:GetQueueUrl")
CONSUME = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
# The mail worker also pushes a failed message's visibility back (its backoff), by URL.
CONSUME_WITH_BACKOFF = CONSUME + ("sqs:ChangeMessageVisibility", "sqs:GetQueueUrl")
SEND_EMAIL = ("ses:SendRawEmail",)


@dataclass(frozen=True)
class Deny:
    """What a role may never do on a table, its indexes and its streams, whatever else allows
    it: every DynamoDB action but `but`. `policies.py` writes it as an explicit Deny statement
    (IAM's NotAction when `but` is not empty), so that a broad grant added later (`dynamodb:*`,
    a managed policy attached by hand) cannot open the table, and an action DynamoDB adds later
    is denied as well: AWS warns that a list of denied DynamoDB actions goes stale as the API
    grows, which a NotAction does not. The role's own grants on the table must lie within `but`.

    `Deny()` closes the table (and its KMS key, for the tables that have their own) entirely.
    `Deny(but=("PutItem",))` leaves a put-only table: every read (GetItem, BatchGetItem, Query,
    Scan, PartiQLSelect, the stream's DescribeStream, GetShardIterator and GetRecords, an
    ExportTableToPointInTime, a backup or a restore), every change of what is there (UpdateItem,
    DeleteItem, BatchWriteItem, PartiQLUpdate and PartiQLDelete) and every change of the table
    itself (UpdateTable, DeleteTable, stream or TTL settings) is denied; a PutItem that would
    return the item it replaces (`ReturnValues` other than NONE) is denied too, since that is a
    read.
    """

    but: tuple[str, ...] = ()


@dataclass(frozen=True)
class Function:
    """One Lambda function: its names, its size, its trigger and everything it may call.

    `dynamodb` maps a table's model to the actions the function uses on it; an "index:<name>"
    entry grants Query on that index only. Inside a TransactWriteItems, IAM authorises each item
    by its own action: a Put by dynamodb:PutItem, an Update by UpdateItem, a Delete by
    DeleteItem, a ConditionCheck by dynamodb:ConditionCheckItem; there is no
    TransactWriteItems action to grant ("Using IAM with DynamoDB transactions", DynamoDB
    Developer Guide, transaction-apis-iam.html). So a table written only in transactions lists
    the actions of its items here, and the tests' replay (`tests/infra`) maps each item the same
    way. `sqs` maps a queue to its actions; `ses` lists the actions allowed from the mail
    identity and configuration set; `secrets` names the stack's secrets (logical ids) whose
    value the function reads; `denies` the tables it may never read or change beyond its grants.
    """

    handler: str  # Chalice's name: the handler's name, the key in `lambda_functions`
    logical_id: str  # this stack's name: <logical_id>LogGroup, <logical_id>ErrorAlarm, ...
    memory: int  # MB; Lambda gives CPU in proportion
    timeout: int  # seconds
    reserved_concurrency: int | None = None
    trigger: QueueSpec | None = None  # None: API Gateway (the API) or a direct invocation
    dynamodb: dict[type[Model], tuple[str, ...]] = field(default_factory=dict)
    sqs: dict[QueueSpec, tuple[str, ...]] = field(default_factory=dict)
    ses: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    denies: dict[type[Model], Deny] = field(default_factory=dict)

    @property
    def log_group_output(self) -> str:
        return f"{self.logical_id}LogGroupArn"

    @property
    def function_name(self) -> str:
        """The deployed name, with the stage left as a CloudFormation `${Stage}`: Chalice names
        the API's function <app>-<stage> and the others <app>-<stage>-<handler>."""
        return f"{APP}-${{Stage}}" + ("" if self.handler == API_HANDLER else f"-{self.handler}")

    @property
    def chalice_logical_id(self) -> str:
        """The function's logical id in the template `chalice package` writes."""
        return "APIHandler" if self.handler == API_HANDLER else pascal(self.handler)

    def chalice_config(self, stage: str) -> dict:
        """Its entry in the stage's `lambda_functions` of `.chalice/config.json`."""
        config = {"lambda_memory_size": self.memory, "lambda_timeout": self.timeout}
        if self.reserved_concurrency is not None:
            config["reserved_concurrency"] = self.reserved_concurrency
        config["iam_policy_file"] = f"policy-{stage}-{self.handler}.json"
        return config


FUNCTIONS = [
    # 1,024 MB: a sign-in spends one argon2id verification, and CPU follows memory (README).
    Function(
        API_HANDLER,
        "Api",
        memory=1024,
        timeout=15,
        dynamodb={
            Voter: ("GetItem", "index:by-email"),
            ElectoralListEntry: ("Query",),
            BallotItem: ("GetItem", "BatchGetItem"),
            Account: ("GetItem", "UpdateItem"),
            Token: ("GetItem", "UpdateItem"),
            Session: ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "index:by-voter"),
            RateLimitCounter: ("BatchGetItem", "PutItem", "UpdateItem", "DeleteItem"),
            Claim: ("GetItem", "PutItem", "index:by-voter"),
            # An activation counts itself on the campaigns that reached the espace (in its transaction).
            CampaignItem: ("UpdateItem",),
            # The sealed elections and their published files (election.json, trustees.json).
            BureauItem: ("GetItem", "Query"),
            # The voter code typed before voting, checked against its HMAC; a re-issue: the new
            # code (a Put conditioned on the generation it replaces), its audit entry (Put) and
            # the scrutins' counters (Update), in one transaction.
            VoterCode: ("GetItem", "PutItem", "UpdateItem"),
            # The public record, after the count: a page with its index (BatchGetItem), the index.
            RecordItem: ("GetItem", "BatchGetItem"),
            # Casting: the émargement, in one TransactWriteItems with the ballot (a Put with
            # attribute_not_exists); which of their scrutins the voter has voted in.
            SignInEntry: ("GetItem", "BatchGetItem", "PutItem"),
            # The ballot, the other Put of that transaction: put only, never read nor changed.
            BallotBoxEntry: ("PutItem",),
        },
        sqs={MAIL_QUEUE: SEND},
        # X-Origin-Verify, checked on every request (api/origin.py); the voter codes HMAC key.
        secrets=("OriginSecret", "VoterCodePepper"),
        # The API reads the sign-in list, so it never reads the box: denied, whatever is granted.
        denies={BallotBoxEntry: Deny(but=("PutItem",))},
    ),
    # Reserved concurrency 5: about 5 sends of ~0.2 s at once keep within SES's sending rate.
    Function(
        "send_requested_email",
        "MailWorker",
        memory=512,
        timeout=WORKER_TIMEOUT_SECONDS,
        reserved_concurrency=5,
        trigger=MAIL_QUEUE,
        dynamodb={
            Voter: ("GetItem", "index:by-email"),
            Account: ("GetItem", "PutItem"),
            MailLogEntry: ("Query", "PutItem", "UpdateItem"),
            Token: ("PutItem",),
            Claim: ("GetItem",),
            # The « vous avez voté » email names the scrutin by its label.
            BallotItem: ("GetItem",),
            # The sending budget: conditional counters in one transaction (TransactWriteItems).
            RateLimitCounter: ("UpdateItem",),
        },
        sqs={MAIL_QUEUE: CONSUME_WITH_BACKOFF},
        ses=SEND_EMAIL,
    ),
    Function(
        "record_delivery_event",
        "DeliveryEventsWorker",
        memory=256,
        timeout=WORKER_TIMEOUT_SECONDS,
        reserved_concurrency=2,
        trigger=DELIVERY_EVENTS_QUEUE,
        dynamodb={
            DeliveryStatus: ("UpdateItem",),
            # A campaign email's bounce or complaint: its entry, then its unit's counter.
            MailLogEntry: ("UpdateItem",),
            CampaignItem: ("UpdateItem",),
        },
        sqs={DELIVERY_EVENTS_QUEUE: CONSUME},
    ),
    # The campaign's walk: reads the roll page by page, writes each targeted voter's entry.
    Function(
        "walk_campaign",
        "CampaignWalkWorker",
        memory=512,
        timeout=WORKER_TIMEOUT_SECONDS,
        reserved_concurrency=20,
        trigger=CAMPAIGN_WALK_QUEUE,
        dynamodb={
            CampaignItem: ("GetItem", "UpdateItem"),
            Voter: ("Scan", "BatchGetItem"),
            ElectoralListEntry: ("Query",),
            Account: ("BatchGetItem",),
            DeliveryStatus: ("BatchGetItem",),
            MailLogEntry: ("GetItem", "PutItem"),
        },
        sqs={CAMPAIGN_WALK_QUEUE: CONSUME + SEND, CAMPAIGN_MAIL_QUEUE: SEND + ("sqs:GetQueueAttributes",)},
    ),
    # The campaign's emails: concurrency and pace from SES_SEND_RATE (`domain.campaigns.SendingPlan`);
    # the event source's maximum concurrency bounds it, not a reservation.
    Function(
        "send_campaign_email",
        "CampaignMailWorker",
        memory=512,
        timeout=WORKER_TIMEOUT_SECONDS,
        trigger=CAMPAIGN_MAIL_QUEUE,
        dynamodb={
            CampaignItem: ("GetItem", "UpdateItem"),
            Voter: ("GetItem",),
            Account: ("UpdateItem",),
            BallotItem: ("BatchGetItem",),
            DeliveryStatus: ("GetItem",),
            MailLogEntry: ("GetItem", "UpdateItem"),
            Token: ("PutItem",),
        },
        sqs={CAMPAIGN_MAIL_QUEUE: CONSUME + SEND},
        ses=SEND_EMAIL,
    ),
    # The count (VOTING.md "Counting"): one shard of one scrutin's box a message, read (one Query
    # of the partition `σ#shard`), every ballot re-verified, the shard's sums written once. It
    # never touches the sign-in list: the number of émargements per scrutin is in the sealed
    # close, which the reduction (`bureau count`) checks. 1,769 MB is one full vCPU, and the
    # work is one thread of arithmetic; at most COUNT_WORKER_CONCURRENCY (100) at once, set on
    # the event source rather than reserved, so that it takes nothing from the API the rest of
    # the year.
    Function(
        "count_box_shard",
        "CountWorker",
        memory=1769,
        timeout=COUNT_WORKER_TIMEOUT_SECONDS,
        trigger=COUNT_QUEUE,
        dynamodb={
            BallotBoxEntry: ("Query",),
            # The bureau's state and election.json (GetItem); its sums, once (a conditional
            # PutItem, then a GetItem of the first writer's when another worker was first); a
            # ballot that fails its checks, recorded once for `bureau count` to report.
            BureauItem: ("GetItem", "PutItem"),
        },
        sqs={COUNT_QUEUE: CONSUME},
        denies={SignInEntry: Deny()},
    ),
]
BY_HANDLER = {function.handler: function for function in FUNCTIONS}


def _denied(model: type[Model], deny: Deny) -> str:
    if deny.but:
        return f"**denied** every action on {table_variable(model)} but {', '.join(deny.but)}"
    return f"**denied** every action on {table_variable(model)} and its key"


def render_docs() -> str:
    """`docs/functions.md`: the registry as a reader wants it, regenerated with the stack."""
    lines = [
        "# Functions",
        "",
        "Generated from `infra/aws/functions.py` by `make template`; do not edit. Each function has",
        "its own role, allowed exactly what is listed (`docs/data-model.md` gives the calls behind it),",
        "plus writing its own log group.",
        "",
        "| function (Chalice) | deployed as | trigger | memory | timeout | reserved concurrency | may call |",
        "|---|---|---|---|---|---|---|",
    ]
    for function in FUNCTIONS:
        trigger = f"SQS `{function.trigger.variable}`" if function.trigger else "API Gateway"
        grants = [f"{table_variable(model)}: {', '.join(actions)}" for model, actions in function.dynamodb.items()]
        grants += [f"{queue.variable}: {', '.join(actions)}" for queue, actions in function.sqs.items()]
        grants += [f"SES identity: {', '.join(function.ses)}"] if function.ses else []
        grants += [f"{secret}: secretsmanager:GetSecretValue" for secret in function.secrets]
        grants += [_denied(model, deny) for model, deny in function.denies.items()]
        lines.append(
            f"| `{function.handler}` | `{function.function_name.replace('${Stage}', '<stage>')}` | {trigger} "
            f"| {function.memory} MB | {function.timeout} s | {function.reserved_concurrency or '—'} "
            f"| {'<br>'.join(grants)} |"
        )
    lines += ["", "| queue | visibility timeout | dead-letter queue after | kept |", "|---|---|---|---|"]
    for queue in QUEUES:
        days, dead_letter_days = queue.retention_seconds // 86400, queue.dead_letter_retention_seconds // 86400
        lines.append(
            f"| `{queue.variable}` | {queue.visibility_timeout} s | {queue.max_receives} receives "
            f"| {days} days (dead letters {dead_letter_days}) |"
        )
    return "\n".join(lines) + "\n"
