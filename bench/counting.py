"""Counting what an operation asks of AWS, with botocore event hooks (not from moto).

Item sizes follow DynamoDB's published rules (attribute name + value, numbers about one byte
per two digits), so read and write units are computed the way DynamoDB bills them; moto's
own accounting is not used.
"""

from __future__ import annotations

import math
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import botocore.handlers

# Tables whose items are also written to an index, and how much of them (ALL or KEYS_ONLY).
INDEXED = {"voters": "ALL", "sessions": "KEYS_ONLY", "claims": "ALL"}


def value_size(value: dict) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return math.ceil(len(content.lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in content)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in content)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in content.items())
    return 0


def item_size(item: dict) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def _suffix(table: str) -> str:
    return table.split("-", 2)[-1] if table.startswith("test-") else table.rsplit("-", 1)[-1]


@dataclass
class Counts:
    dynamodb: Counter = field(default_factory=Counter)
    sqs: Counter = field(default_factory=Counter)
    ses: Counter = field(default_factory=Counter)
    items_read: int = 0
    items_written: int = 0
    bytes_read: int = 0
    bytes_written: int = 0
    read_units: float = 0.0
    write_units: float = 0.0

    def add_read(self, items: list[dict], consistent: bool, per_item: bool) -> None:
        sizes = [item_size(i) for i in items]
        self.items_read += len(items)
        self.bytes_read += sum(sizes)
        factor = 1.0 if consistent else 0.5
        if per_item:
            self.read_units += sum(math.ceil(max(s, 1) / 4096) for s in sizes) * factor
        else:  # Query and Scan: the total, rounded up once
            self.read_units += math.ceil(max(sum(sizes), 1) / 4096) * factor

    def add_write(self, table: str, item: dict, transactional: bool = False) -> None:
        size = item_size(item)
        units = math.ceil(max(size, 1) / 1024)
        if any(table.endswith(suffix) for suffix in INDEXED):
            units *= 2  # the index is written too (an upper bound for KEYS_ONLY)
        self.items_written += 1
        self.bytes_written += size
        self.write_units += units * (2 if transactional else 1)

    def round_trips(self) -> int:
        return sum(self.dynamodb.values())


def _record(counts: Counts, service: str, operation: str, params: dict, response: dict) -> None:
    if service == "sqs":
        counts.sqs[operation] += 1
        return
    if service == "ses":
        counts.ses[operation] += 1
        return
    if service != "dynamodb":
        return
    counts.dynamodb[operation] += 1
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        counts.add_read([response["Item"]] if "Item" in response else [], consistent, per_item=True)
    elif operation in ("Query", "Scan"):
        counts.add_read(response.get("Items", []), consistent, per_item=False)
    elif operation == "BatchGetItem":
        counts.add_read([i for items in response.get("Responses", {}).values() for i in items], False, per_item=True)
    elif operation == "PutItem":
        counts.add_write(params["TableName"], params["Item"])
    elif operation in ("UpdateItem", "DeleteItem"):
        counts.add_write(params["TableName"], response.get("Attributes") or params["Key"])
    elif operation == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for request in requests:
                item = request.get("PutRequest", {}).get("Item") or request.get("DeleteRequest", {}).get("Key")
                counts.add_write(table, item)
    elif operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            counts.add_write(body["TableName"], body.get("Item") or body["Key"], transactional=True)


_active: list[Counts] = []


def _remember_params(params, context, **kwargs):
    context["bench_params"] = dict(params)


def _count_call(http_response, parsed, model, context, **kwargs):
    if _active and http_response.status_code < 300:
        _record(_active[-1], model.service_model.service_name, model.name, context.get("bench_params", {}), parsed)


# botocore event hooks, in the handlers every new botocore session installs: the parameters
# are kept when the call is made, and the call is counted when AWS (or moto) has answered.
botocore.handlers.BUILTIN_HANDLERS.append(("provide-client-params", _remember_params))
botocore.handlers.BUILTIN_HANDLERS.append(("after-call", _count_call))


def fresh_sessions() -> None:
    """Sessions made before this module was imported lack the hooks: make new ones."""
    import boto3

    from chalicelib.mail.clients import forget_clients
    from chalicelib.store.base import reset_connections
    from chalicelib.store.tables import ALL_MODELS

    boto3.DEFAULT_SESSION = None
    forget_clients()
    reset_connections(ALL_MODELS)


@contextmanager
def counting():
    counts = Counts()
    _active.append(counts)
    try:
        yield counts
    finally:
        _active.remove(counts)
