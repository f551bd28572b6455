"""The opening rush, for Locust: voters who register, confirm, create a password, sign in and
browse; some type bad passwords; some addresses are on no list.

Run by `make load` (bench/load.py), which starts the local stack, gives this file its
addresses and its outbox through the environment, and checks the stores afterwards. Each
simulated voter writes down what it did (addresses registered, passwords set, every status
code) in LOAD_RECORD when Locust stops, for those checks. Only Locust and the standard
library are used here: Locust runs in its own virtualenv.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import re
import threading
import time
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

POOL = json.loads(Path(os.environ["LOAD_ADDRESSES"]).read_text(encoding="utf-8"))
OUTBOX = Path(os.environ["LOAD_OUTBOX"])
RECORD = Path(os.environ["LOAD_RECORD"])
EMAIL_WAIT_SECONDS = float(os.environ.get("LOAD_EMAIL_WAIT", "120"))
JETON = re.compile(r"#jeton=([A-Za-z0-9_-]{43})")
PAGES = ["/", "/connexion", "/inscription", "/mentions-legales"]

record = {
    "registered_listed": [],
    "registered_unlisted": [],
    "passwords": {},
    "statuses": Counter(),
    "server_errors": [],
    "stopped_before_email": [],
    "journeys_completed": 0,
}
listed_addresses = iter(POOL["listed"])
unlisted_addresses = iter(POOL["unlisted"])
lock = threading.Lock()


class Outbox:
    """The confirmation link of each address, read from the emails the local stack keeps."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.read: set[str] = set()
        self.links: dict[str, list[str]] = {}

    def refresh(self) -> None:
        for path in sorted(self.directory.glob("*.eml")):
            if path.name in self.read:
                continue
            message = email.message_from_string(path.read_text(encoding="utf-8"), policy=email.policy.default)
            body = message.get_body(("plain",)).get_content()
            found = JETON.search(body)
            self.read.add(path.name)
            if found:
                self.links.setdefault(str(message["To"]).lower(), []).append(found.group(1))

    def wait_for_link(self, address: str, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.refresh()
            if address in self.links:
                return self.links[address][-1]
            time.sleep(0.5)  # gevent-patched: other voters run meanwhile
        return None


outbox = Outbox(OUTBOX)


@events.request.add_listener
def count_status(request_type, name, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    record["statuses"][str(status)] += 1
    if status >= 500:
        body = response.text[:300] if response is not None else ""
        record["server_errors"].append({"request": f"{request_type} {name}", "status": status, "body": body})


@events.quitting.add_listener
def write_record(environment, **kwargs):
    RECORD.write_text(
        json.dumps({**record, "statuses": dict(record["statuses"])}, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def expect(response, *statuses):
    """Count a response as a success only when its status is one the journey expects."""
    if response.status_code in statuses:
        response.success()
    else:
        response.failure(f"status {response.status_code}, expected {statuses}: {response.text[:200]}")


def strong_password() -> str:
    return f"Vote{random.randint(10**7, 10**8 - 1)}x"


class ListedVoter(HttpUser):
    """A voter on the lists, from the email to the electoral list, then signed out."""

    weight = 5
    wait_time = between(0.5, 2.0)

    @task
    def open_my_espace(self):
        with lock:
            address = next(listed_addresses, None)
        if address is None:
            self.stop()
            return
        with self.client.post(
            "/api/registrations", json={"email": address}, name="/api/registrations", catch_response=True
        ) as response:
            expect(response, 202)
        record["registered_listed"].append(address)
        token = outbox.wait_for_link(address, EMAIL_WAIT_SECONDS)
        if token is None:  # the rush ended first
            record["stopped_before_email"].append(address)  # checked afterwards: it came
            return
        with self.client.post("/api/token-checks", json={"token": token}, catch_response=True) as response:
            expect(response, 200)
        if random.random() < 0.3:  # a password the rules refuse first
            with self.client.post(
                "/api/passwords",
                json={"token": token, "password": "motdepasse", "password_confirmation": "motdepasse"},
                catch_response=True,
            ) as response:
                expect(response, 400)
        password = strong_password()
        with self.client.post(
            "/api/passwords",
            json={"token": token, "password": password, "password_confirmation": password},
            catch_response=True,
        ) as response:
            expect(response, 204)
            if response.status_code != 204:
                return
        record["passwords"][address] = password
        if random.random() < 0.3:  # a typing mistake at sign-in
            with self.client.post(
                "/api/sessions",
                json={"email": address, "password": password + "!"},
                name="/api/sessions (wrong password)",
                catch_response=True,
            ) as response:
                expect(response, 401)
        with self.client.post(
            "/api/sessions", json={"email": address, "password": password}, catch_response=True
        ) as response:
            expect(response, 200)
            if response.status_code != 200:
                return
            cookie = {"Cookie": response.headers["Set-Cookie"].split(";", 1)[0]}
        with self.client.get("/api/me", headers=cookie, catch_response=True) as response:
            expect(response, 200)
        with self.client.get("/api/me/ballots", headers=cookie, catch_response=True) as response:
            expect(response, 200)
            ballots = response.json().get("ballots", []) if response.status_code == 200 else []
        for ballot in ballots[:1]:  # the first list: reading lists is what moto is slowest at
            with self.client.get(
                f"/api/ballots/{ballot['id']}/electoral-list",
                headers=cookie,
                name="/api/ballots/{id}/electoral-list",
                catch_response=True,
            ) as response:
                expect(response, 200, 403)  # 403: that list is not published yet
        with self.client.delete("/api/sessions/current", headers=cookie, catch_response=True) as response:
            expect(response, 204)
        record["journeys_completed"] += 1


class Visitor(HttpUser):
    """Someone whose address is on no list, or who only reads the pages."""

    weight = 1
    wait_time = between(0.5, 2.0)

    @task(3)
    def read_a_page(self):
        with self.client.get(random.choice(PAGES), name="pages", catch_response=True) as response:
            expect(response, 200)

    @task(1)
    def register_an_unlisted_address(self):
        with lock:
            address = next(unlisted_addresses, None)
        if address is None:
            return
        with self.client.post(
            "/api/registrations", json={"email": address}, name="/api/registrations", catch_response=True
        ) as response:
            expect(response, 202)
        record["registered_unlisted"].append(address)
        with self.client.post(
            "/api/sessions",
            json={"email": address, "password": strong_password()},
            name="/api/sessions (unknown address)",
            catch_response=True,
        ) as response:
            expect(response, 401)
