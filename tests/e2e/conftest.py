"""The portal as `make run` serves it, and headless Chromium driven by Playwright.

Chromium is Debian's (`apt-get install chromium`, done by `.ci/chromium` for `make test` and
`.ci/run`); Playwright's own browser download does not work here and is never used. Without it
the browser tests are skipped, except under CI (CI=true), where a skipped one fails.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from infra.local.outbox import describe
from infra.local.process import notices_of, stop_local_stack
from tests.support import ROOT, start_local_stack

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_CHROMIUM = "sudo apt-get update && sudo apt-get install -y chromium  (or, as root: .ci/chromium)"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
JETON = re.compile(r"#jeton=([A-Za-z0-9_-]{43})")


class Stack:
    def __init__(self, base: str, outbox: Path, log: Path, aws_port: int | None = None):
        self.base = base
        self.aws_port = aws_port  # the local AWS, for what an administrator does with the admin CLI
        self.outbox = outbox
        self.notices = notices_of(outbox)  # the demo voters' codes, as for the printing house
        self.log = log  # everything the local stack printed: its request log lines included

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path}"

    def mails(self) -> list[dict]:
        return [describe(p.read_text()) | {"path": p} for p in sorted(self.outbox.glob("*.eml"))]

    def wait_for_mail(self, to: str, subject_part: str, seen: int = 0, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.mails() if m["to"] == to and subject_part in m["subject"]]
            if len(found) > seen:
                return found[-1]
            time.sleep(0.3)
        raise AssertionError(f"no email '{subject_part}' for {to}")

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            self.url(path), method=method, data=json.dumps(body).encode() if body is not None else None
        )
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def activate(self, email: str, password: str) -> None:
        """Register and create the password through the API (for journeys that start later)."""
        seen = len([m for m in self.mails() if m["to"] == email])
        assert self.call("POST", "api/registrations", {"email": email}) == 202
        mail = self.wait_for_mail(email, "confirmez", seen)
        token = JETON.search(mail["links"][0]).group(1)
        assert (
            self.call(
                "POST", "api/passwords", {"token": token, "password": password, "password_confirmation": password}
            )
            == 200
        )


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a browser test that was skipped (no Chromium, most often) is a failure: the
    journeys must have run. This conftest's hooks apply to the tests of tests/e2e/ only."""
    outcome = yield
    report = outcome.get_result()
    if under_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI (CI={os.environ['CI']}), which counts as a failure: {reason}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    outbox = tmp_path_factory.mktemp("e2e-outbox")
    log = tmp_path_factory.mktemp("e2e-log") / "stack.log"
    with open(log, "w") as output:
        process, base, aws_port = start_local_stack(outbox, voters=300, output=output, with_aws_port=True)
    if base is None:
        stop_local_stack(process)
        raise AssertionError(f"the local stack did not start:\n{log.read_text()[-3000:]}")
    yield Stack(base, outbox, log, aws_port)
    stop_local_stack(process, timeout=30)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}; to run the browser tests: {INSTALL_CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) whose console errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    problems = []

    def on_console(message):
        # Chromium logs every 4xx answer as an error; the API answers 4xx on purpose (a
        # wrong password, a malformed address), so only other errors count.
        if message.type == "error" and "responded with a status of 4" not in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_default_timeout(15_000)
    page.expected_console_errors = []  # what a test provokes on purpose (a dropped connection, say)
    yield page
    context.close()
    problems = [p for p in problems if not any(expected in p for expected in page.expected_console_errors)]
    assert problems == [], f"errors in the browser console: {problems}"


def screenshot(page, name: str) -> None:
    """The page at 1280 px and at 375 px wide, under tests/artifacts/; and no sideways scroll."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.wait_for_timeout(150)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at 320 px"
    page.set_viewport_size(size)
