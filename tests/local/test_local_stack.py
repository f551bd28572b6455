"""The local stack: moto over HTTP, serialised, provisioned like AWS, with its outbox and poller."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice import Chalice

from chalicelib import settings
from chalicelib.store.base import reset_connections
from chalicelib.store.tables import ALL_MODELS
from infra.local.aws import LocalAws
from infra.local.outbox import Outbox, describe
from infra.local.poller import SqsPoller
from infra.local.process import start_local_stack
from infra.local.provision import provision
from infra.local.server import CodeWatcher, PortBusy, listening_socket
from tests.support import ROOT, call, free_port


@pytest.fixture(scope="module")
def local_aws():
    aws = LocalAws(port=free_port()).start()
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = aws.endpoint
    reset_connections(ALL_MODELS)
    try:
        yield aws, provision()
    finally:
        aws.stop()
        if saved is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = saved
        reset_connections(ALL_MODELS)


def client(service):
    return boto3.client(service, region_name=settings.region())


def test_it_listens_on_loopback_only(local_aws):
    aws, _ = local_aws
    assert aws.server.server_address[0] == "127.0.0.1"


def test_provisioning_creates_tables_with_ttl_queues_and_sender(local_aws):
    _, created = local_aws
    dynamodb = client("dynamodb")
    assert sorted(created["tables"]) == sorted(m.Meta.table_name for m in ALL_MODELS)
    ttl = dynamodb.describe_time_to_live(TableName=os.environ["TOKENS_TABLE"])["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "ENABLED" and ttl["AttributeName"] == "expires_ttl"
    indexes = dynamodb.describe_table(TableName=os.environ["VOTERS_TABLE"])["Table"]["GlobalSecondaryIndexes"]
    assert [i["IndexName"] for i in indexes] == ["by-email"]
    sqs = client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=created["queues"]["MAIL_QUEUE_NAME"], AttributeNames=["All"])[
        "Attributes"
    ]
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith("test-mail-dlq")
    assert created["sender"] in client("ses").list_identities()["Identities"]


def test_conditional_writes_have_exactly_one_winner_under_concurrency(local_aws):
    dynamodb = client("dynamodb")
    table = os.environ["RATE_LIMITS_TABLE"]
    winners, losers = [], []

    def claim(n):
        try:
            dynamodb.put_item(
                TableName=table,
                Item={"bucket": {"S": "race"}, "owner": {"S": str(n)}, "expires_ttl": {"N": "1"}},
                ConditionExpression="attribute_not_exists(#b)",
                ExpressionAttributeNames={"#b": "bucket"},
            )
            winners.append(n)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
            losers.append(n)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(losers) == 19


def test_every_email_sent_is_printed_and_kept_unchanged(local_aws, tmp_path):
    aws, created = local_aws
    printed = []
    outbox = Outbox(tmp_path / "outbox", settings.region(), echo=printed.append)
    outbox.collect()  # skip what earlier tests sent
    message = EmailMessage()
    message["From"] = created["sender"]
    message["To"] = "camille.martin@ac-poitiers.fr"
    message["Subject"] = "Confirmez votre adresse"
    message.set_content("Bonjour,\nCliquez : http://127.0.0.1:8000/mot-de-passe#jeton=abc\n")
    message.add_alternative("<p>Bonjour</p>", subtype="html")
    raw = message.as_string()
    client("ses").send_raw_email(
        Source=created["sender"], Destinations=["camille.martin@ac-poitiers.fr"], RawMessage={"Data": raw}
    )
    files = outbox.collect()
    assert len(files) == 1 and files[0].suffix == ".eml"
    assert files[0].read_text(encoding="utf-8") == raw
    assert any("camille.martin@ac-poitiers.fr — Confirmez votre adresse" in line for line in printed)
    assert "   http://127.0.0.1:8000/mot-de-passe#jeton=abc" in printed


def test_the_poller_runs_sqs_handlers_as_lambda_would(local_aws):
    _, created = local_aws
    app = Chalice(app_name="poller-probe")
    received = []
    failing = {"on": False}

    @app.on_sqs_message(queue=os.environ["MAIL_QUEUE_NAME"], batch_size=5)
    def handle(event):
        if failing["on"]:
            raise RuntimeError("SES is down")
        received.extend(record.body for record in event)

    sqs = client("sqs")
    url = created["queues"]["MAIL_QUEUE_NAME"]
    sqs.send_message(QueueUrl=url, MessageBody='{"email": "a@ac-poitiers.fr"}')
    poller = SqsPoller(app, wait_seconds=0)
    source = poller.sources()[0]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert poller.poll_once(source, url, arn) == 1
    assert received == ['{"email": "a@ac-poitiers.fr"}']
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "0"
    )

    failing["on"] = True
    sqs.send_message(QueueUrl=url, MessageBody="again")
    with pytest.raises(RuntimeError):
        poller.poll_once(source, url, arn)
    hidden = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"
    ]
    assert hidden["ApproximateNumberOfMessagesNotVisible"] == "1"  # kept, to come back later
    sqs.purge_queue(QueueUrl=url)


def test_the_code_watcher_sees_code_only_never_the_outbox(tmp_path):
    (tmp_path / "chalicelib" / "static").mkdir(parents=True)
    (tmp_path / "chalicelib" / "__pycache__").mkdir()
    (tmp_path / ".local" / "outbox").mkdir(parents=True)
    (tmp_path / "chalicelib" / "views.py").write_text("a = 1\n")
    (tmp_path / "app.py").write_text("app = None\n")
    watcher = CodeWatcher(roots=(tmp_path / "chalicelib", tmp_path / "app.py"))
    (tmp_path / ".local" / "outbox" / "000001.eml").write_text("Subject: x\n")
    (tmp_path / "chalicelib" / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("not code")
    assert watcher.changed() == []
    (tmp_path / "chalicelib" / "static" / "page.html").write_text("<p>")
    (tmp_path / "app.py").write_text("app = 1\n")
    assert watcher.changed() == [str(tmp_path / "app.py"), str(tmp_path / "chalicelib" / "static" / "page.html")]
    assert watcher.changed() == []
    # The real one: the app's code, and not the project tree where .local/ lives.
    assert CodeWatcher().roots == [ROOT / "chalicelib", ROOT / "app.py"]


def test_a_busy_port_is_reported_by_name():
    with listening_socket("127.0.0.1", 0, "portal") as taken:
        port = taken.getsockname()[1]
        with pytest.raises(PortBusy, match=f"Port {port} \\(portal\\) is already in use"):
            listening_socket("127.0.0.1", port, "portal")


class Stack:
    """`python -m infra.local` as `make run` starts it, on free ports, with its own outbox,
    its output in a file (a pipe nobody reads would block it)."""

    def __init__(self, directory: Path, *, voters: int = 0, extra_args=(), sigint_ignored: bool = False):
        self.outbox = directory / "outbox"
        self.log = directory / "stack.log"
        with open(self.log, "w") as output:
            self.process, self.base, self.aws_port = start_local_stack(
                self.outbox, voters=voters, output=output, extra_args=extra_args, sigint_ignored=sigint_ignored
            )
        if self.base is None:
            self.kill()
            raise AssertionError(f"the local stack did not start:\n{self.output()[-3000:]}")
        self.port = urlsplit(self.base).port

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def wait_for_output(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert time.monotonic() < deadline and self.process.poll() is None, f"no {text!r}:\n{self.output()}"
            time.sleep(0.2)

    def wait_for_mail(self, to: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in sorted(self.outbox.glob("*.eml")):
                mail = describe(path.read_text(encoding="utf-8"))
                if mail["to"] == to:
                    return mail
            time.sleep(0.2)
        raise AssertionError(f"no email for {to}")

    def listener(self) -> str:
        """The listening socket of the portal's port (its inode), which must be the stack's own."""
        inodes = [
            fields[9]
            for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == self.port
        ]
        assert len(inodes) == 1, inodes
        links = []
        for fd in os.listdir(f"/proc/{self.process.pid}/fd"):
            try:
                links.append(os.readlink(f"/proc/{self.process.pid}/fd/{fd}"))
            except OSError:
                pass
        assert f"socket:[{inodes[0]}]" in links, "the port is not held by the stack's process"
        return inodes[0]

    def children(self) -> list[str]:
        """The child processes of every thread of the stack (a thread that ends meanwhile,
        one per HTTP connection, has none)."""
        found = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                found += (task / "children").read_text().split()
            except FileNotFoundError:
                pass
        return found

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def running_portal(tmp_path_factory):
    """The stack with its demo election, started as a background job is (SIGINT ignored):
    shared by the HTTP tests below, and stopped with Ctrl-C by the last of them."""
    stack = Stack(tmp_path_factory.mktemp("portal"), voters=40, sigint_ignored=True)
    yield stack
    stack.kill()


@pytest.mark.slow
def test_make_run_serves_the_portal(running_portal):
    status, _, body = call(running_portal.base, "GET", "/api/health")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert running_portal.children() == []  # one process: nothing to outlive it


@pytest.mark.slow
def test_the_whole_account_journey_over_http_with_the_link_from_the_outbox(running_portal):
    base = running_portal.base
    address = "camille.martin@ac-poitiers.fr"  # a demo voter
    assert call(base, "POST", "/api/registrations", {"email": address})[0] == 202
    text = running_portal.wait_for_mail(address)["links"][0]
    token = re.search(r"#jeton=([A-Za-z0-9_-]{43})", text).group(1)
    status, _, body = call(base, "POST", "/api/token-checks", {"token": token})
    assert status == 200 and json.loads(body)["purpose"] == "registration"
    password = "Bravo2026ok"
    created = {"token": token, "password": password, "password_confirmation": password}
    assert call(base, "POST", "/api/passwords", created)[0] in (200, 204)  # 200 if it signs in too
    status, headers, body = call(base, "POST", "/api/sessions", {"email": address, "password": password})
    assert status == 200 and json.loads(body)["voter"]["first_name"] == "Camille"
    session = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    status, _, body = call(base, "GET", "/api/me", cookie=session)
    assert status == 200 and "Remise en main propre" in json.loads(body)["code_delivery"]
    assert call(base, "DELETE", "/api/sessions/current", cookie=session)[0] == 204
    assert call(base, "GET", "/api/me", cookie=session)[0] == 401


@pytest.mark.slow
def test_emailed_links_point_at_the_port_the_stack_was_started_on(running_portal):
    assert running_portal.port != 8000
    address = "hugo.lefevre@ac-poitiers.fr"
    assert call(running_portal.base, "POST", "/api/registrations", {"email": address})[0] == 202
    links = running_portal.wait_for_mail(address)["links"]
    assert links and all(link.startswith(f"{running_portal.base}/") for link in links), links


@pytest.mark.slow
def test_writing_an_email_restarts_nothing_and_requests_keep_succeeding(running_portal):
    base, listening = running_portal.base, running_portal.listener()
    kept_alive = http.client.HTTPConnection("127.0.0.1", running_portal.port, timeout=30)
    kept_alive.request("GET", "/api/health")
    assert kept_alive.getresponse().read() == b'{"status": "ok"}'
    stop, answers, failures = threading.Event(), [], []

    def keep_asking(path):
        while not stop.is_set():
            try:
                answers.append(call(base, "GET", path)[0])
            except OSError as error:  # a reset or a refused connection: a restarting server
                failures.append(repr(error))

    askers = [threading.Thread(target=keep_asking, args=(path,)) for path in ("/api/health", "/", "/connexion")]
    for asker in askers:
        asker.start()
    try:
        address = "nadia.benali@ac-poitiers.fr"
        assert call(base, "POST", "/api/registrations", {"email": address})[0] == 202
        running_portal.wait_for_mail(address)
        # Chalice's reloader restarted within a second of a file written under the project.
        asked, deadline = len(answers), time.monotonic() + 2
        while time.monotonic() < deadline or len(answers) < asked + 100:
            assert not failures, failures[:3]
            time.sleep(0.05)
    finally:
        stop.set()
        for asker in askers:
            asker.join()
    assert failures == [] and set(answers) == {200}
    kept_alive.request("GET", "/api/health")  # the same connection, still open
    assert kept_alive.getresponse().status == 200
    kept_alive.close()
    assert running_portal.listener() == listening and running_portal.children() == []


@pytest.mark.slow
def test_a_hundred_clients_at_once_are_all_answered(running_portal):
    count = 100
    start, statuses, errors = threading.Barrier(count), [], []

    def ask():
        start.wait()
        try:
            # A connection a full backlog drops is retried after 1, 3, 7 s…: `chalice local`'s
            # backlog of 5 left some of 100 waiting 15 s or more, or reset.
            with urllib.request.urlopen(f"{running_portal.base}/api/health", timeout=10) as response:
                statuses.append(response.status)
        except OSError as error:
            errors.append(repr(error))

    clients = [threading.Thread(target=ask) for _ in range(count)]
    for client_thread in clients:
        client_thread.start()
    for client_thread in clients:
        client_thread.join()
    assert errors == [] and statuses == [200] * count
    if shutil.which("ss"):  # the listen backlog, as the kernel reports it
        [line] = subprocess.run(
            ["ss", "-Hltn", f"sport = :{running_portal.port}"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        assert int(line.split()[2]) >= count


def raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.slow
def test_no_query_string_or_body_reaches_the_output(running_portal):
    """Tokens travel in fragments, never sent; a mistaken ?password= must still not be printed."""
    secret = "Passw0rd-qs-7f3a9c"
    port = running_portal.port
    assert call(running_portal.base, "GET", f"/connexion?email=x&password={secret}")[0] == 200
    call(
        running_portal.base,
        "POST",
        f"/api/sessions?password={secret}",
        {"email": "x@ac-poitiers.fr", "password": secret},
    )
    # Request lines that Python's HTTP server refuses, which it prints whole by default.
    raw_request(port, f"GET /connexion?email=x&password={secret} x HTTP/1.1\r\nHost: a\r\n\r\n".encode())
    raw_request(port, f"GET /connexion?password={secret} HTTP/1.1\r\nHost: a\r\nBad header {secret}\r\n\r\n".encode())
    raw_request(port, f"GET /connexion?password={secret} HTTP/9.9\r\n\r\n".encode())
    raw_request(port, f"G\x01T /connexion?password={secret}\r\n\r\n".encode())
    assert call(running_portal.base, "GET", "/api/health")[0] == 200  # and the log line of that one is written
    time.sleep(0.5)
    output = running_portal.output()
    assert secret not in output and "password=" not in output
    assert '"route": "/{slug}"' in output  # the request log still says which route answered


SECURITY_HEADER_NAMES = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("OPTIONS", "/api/sessions"),
        ("OPTIONS", "/api/health"),
        ("GET", "/api/x"),
        ("POST", "/api/x"),
        ("GET", "/api/me/x/y"),
        ("GET", "/nulle-part"),
        ("POST", "/nulle-part"),
        ("GET", "/nulle/part"),
    ],
)
def test_every_answer_carries_the_security_headers(running_portal, method, path):
    """The gateway's own answers too (a CORS preflight, a route it does not know), as in AWS,
    where CloudFront's response headers policy adds them (infra/aws/edge.py)."""
    connection = http.client.HTTPConnection("127.0.0.1", running_portal.port, timeout=30)
    headers = {"Origin": running_portal.base, "Access-Control-Request-Method": "POST"} if method == "OPTIONS" else {}
    connection.request(method, path, body=b"{}" if method == "POST" else None, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    for name in SECURITY_HEADER_NAMES:
        assert response.getheader(name), (method, path, name, response.getheaders())
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
    if path.startswith("/api/") and method != "OPTIONS":
        assert response.status == 404
        error = json.loads(body)["error"]
        assert error["code"] == "not_found" and error["message"] and error["request_id"]
        assert response.getheader("Content-Type").startswith("application/json")
    elif method != "OPTIONS":
        assert response.status in (404, 405)


@pytest.mark.slow
def test_head_on_a_page_sends_the_headers_and_no_body(running_portal):
    connection = http.client.HTTPConnection("127.0.0.1", running_portal.port, timeout=30)
    for path in ("/", "/connexion"):
        connection.request("HEAD", path)
        response = connection.getresponse()
        assert response.status == 200 and response.read() == b""
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.getheader("Content-Security-Policy")
    connection.request("GET", "/api/health")  # the same connection: no stray body in the way
    assert connection.getresponse().read() == b'{"status": "ok"}'
    connection.close()


@pytest.mark.slow
def test_make_run_stops_on_ctrl_c_even_started_in_the_background(running_portal):
    process = running_portal.process
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 0
    output = running_portal.output()
    assert "électeurs créés      40" in output and "Stopped." in output
    # The secrets of the journey above never reached the terminal's log lines.
    assert "Bravo2026ok" not in output


def run_until_exit(*args, timeout: float = 60) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    return subprocess.run(
        [sys.executable, "-m", "infra.local", "--no-demo", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
@pytest.mark.parametrize("option, what", [("--port", "portal"), ("--aws-port", "local AWS")])
def test_a_busy_port_stops_it_saying_which(option, what, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        ports = {"--port": str(free_port()), "--aws-port": str(free_port()), option: str(busy)}
        result = run_until_exit(*[x for pair in ports.items() for x in pair], "--outbox", str(tmp_path))
    assert result.returncode == 2
    assert f"Port {busy} ({what}) is already in use by another program" in result.stderr
    assert f"choose another port ({option} N)" in result.stderr
    assert "is ready" not in result.stdout + result.stderr


def wait_until_free(port: int, timeout: float = 10) -> float:
    """Seconds until `port` can be listened on again."""
    started = time.monotonic()
    while True:
        try:
            listening_socket("127.0.0.1", port, "probe").close()
            return time.monotonic() - started
        except PortBusy:
            assert time.monotonic() - started < timeout, f"port {port} still taken after {timeout} s"
            time.sleep(0.05)


@pytest.mark.slow
def test_killing_it_frees_both_ports_nothing_left_behind(tmp_path):
    stack = Stack(tmp_path)
    os.kill(stack.process.pid, signal.SIGKILL)  # the process alone, not its group
    stack.process.wait(timeout=10)
    freed = max(wait_until_free(stack.port), wait_until_free(stack.aws_port))
    print(f"ports free {freed:.2f} s after SIGKILL")
    with pytest.raises(ProcessLookupError):
        os.killpg(stack.process.pid, 0)  # no process of its group survived


@pytest.fixture(scope="module")
def reloading_portal(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("reloading"), extra_args=["--reload"])
    yield stack
    stack.kill()


@pytest.mark.slow
def test_with_reload_changed_code_is_loaded_in_the_same_server(reloading_portal):
    stack = reloading_portal
    stack.wait_for_output("Code reload is on")
    listening = stack.listener()
    app_py = ROOT / "app.py"
    saved = app_py.stat()
    try:
        os.utime(app_py, ns=(saved.st_atime_ns, saved.st_mtime_ns + 1_000_000_000))
        stack.wait_for_output("Code reloaded (app.py)")
    finally:
        os.utime(app_py, ns=(saved.st_atime_ns, saved.st_mtime_ns))
    assert call(stack.base, "GET", "/api/health")[0] == 200
    assert stack.listener() == listening and stack.children() == []


@pytest.mark.slow
def test_sigterm_stops_it_cleanly(reloading_portal):
    process = reloading_portal.process
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert reloading_portal.output().rstrip().endswith("Stopped.")
    wait_until_free(reloading_portal.port)
