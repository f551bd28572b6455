"""Every email the app sends through the local SES: printed, and kept as an RFC 822 file.

The app sends with SES's SendRawEmail exactly as in AWS; this reads what moto received, in
this process, and writes each message unchanged to `.local/outbox/`, so a developer can open
it in a mail client and follow its links.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
from pathlib import Path

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends

LINK = re.compile(r"https?://[^\s\"'<>]+")


def describe(raw: str) -> dict:
    """Recipient, subject and links of a raw message (links from its text parts)."""
    message = email.message_from_string(raw, policy=email.policy.default)
    links: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            for link in LINK.findall(part.get_content()):
                if link not in links:
                    links.append(link)
    return {"to": str(message.get("To", "")), "subject": str(message.get("Subject", "")), "links": links}


class Outbox:
    def __init__(self, directory: Path, region: str, echo=print):
        self.directory = directory
        self.region = region
        self.lock = threading.Lock()
        self.echo = echo
        self.seen = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox", daemon=True)

    def start(self) -> Outbox:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.collect()

    def _run(self) -> None:
        while not self.stopping.wait(0.5):
            self.collect()

    def collect(self) -> list[Path]:
        """Write the messages received since the last call; return their files."""
        with self.lock:  # one reader at a time (the poller thread and a final collect at stop)
            first = self.seen
            sent = list(ses_backends[DEFAULT_ACCOUNT_ID][self.region].sent_messages[first:])
            self.seen += len(sent)
        written = []
        if sent:
            self.directory.mkdir(parents=True, exist_ok=True)
        for number, message in enumerate(sent, start=first + 1):
            if not isinstance(message, RawMessage):
                continue  # the app only sends raw MIME messages
            path = self.directory / f"{number:06d}-{message.id}.eml"
            path.write_text(message.raw_data, encoding="utf-8", newline="")
            summary = describe(message.raw_data)
            self.echo(f"✉  {summary['to']} — {summary['subject']}")
            for link in summary["links"]:
                self.echo(f"   {link}")
            self.echo(f"   {path}")
            written.append(path)
        return written
