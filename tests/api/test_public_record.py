"""The public record on the portal: after `bureau publish`, anyone downloads every file in
pages whose concatenation is the folder's exact bytes, and finds a receipt in its bucket;
before it, nothing; a record is never replaced by another."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from chalice.test import Client

from app import app
from chalicelib.crypto import ballots as ev1
from chalicelib.services import public_record
from chalicelib.store import public_record as store
from tests.admin.test_bureau_ceremony import admin, bureau, keyholder  # noqa: F401
from tests.admin.test_bureau_close import closed, published, sealed, verifier  # noqa: F401
from tests.admin.test_bureau_seal import ready  # noqa: F401


@pytest.fixture
def client(chalice_project):
    with Client(app, **chalice_project) as client:
        yield client


def download(client, election_id: str, name: str, pages: int) -> bytes:
    path = f"/api/elections/{election_id}/record/{name}"
    data = b""
    for page in range(pages):
        response = client.http.get(f"{path}?page={page}")
        assert response.status_code == 200, response.body
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.body).hexdigest()}"'
        data += response.body
    return data


def test_the_portal_serves_the_record_a_stranger_verifies(client, published, tmp_path, monkeypatch):
    folder = published
    election_id = str(uuid.uuid4())  # the same record again, in pages of 3,000 bytes
    monkeypatch.setattr(store, "PAGE_BYTES", 3000)
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert public_record.put_on_portal(election_id, folder, names).pages > len(names)
    response = client.http.get(f"/api/elections/{election_id}/record/index.json")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    index = json.loads(response.body)
    assert sorted(f["name"] for f in index["files"]) == names
    copy = tmp_path / "downloaded"
    for entry in index["files"]:
        data = download(client, election_id, entry["name"], entry["pages"])
        assert data == (folder / entry["name"]).read_bytes() and hashlib.sha256(data).hexdigest() == entry["sha256"]
        (copy / entry["name"]).parent.mkdir(parents=True, exist_ok=True)
        (copy / entry["name"]).write_bytes(data)
    status, report = verifier(copy)
    assert status == 0, report
    page = client.http.get(f"/api/elections/{election_id}/record/ballots/CSA-MEN.jsonl")
    assert page.headers["Content-Type"].startswith("application/x-ndjson")

    # Every receipt is in its bucket, with its scrutin; the bucket is all the server sees.
    assert index["receipts"] == {"count": 10, "prefix_length": 1}
    phi = hashlib.sha256((folder / "election.json").read_bytes()).digest()
    for line in (folder / "ballots" / "CAPN-CE.jsonl").read_bytes().splitlines():
        rho = ev1.receipt_of_published(json.loads(line), phi)
        prefix = ev1.crockford_base32(rho)[:1]
        bucket = json.loads(client.http.get(f"/api/elections/{election_id}/record/receipts/{prefix}").body)
        assert bucket["prefix"] == prefix and [rho.hex(), "CAPN-CE"] in bucket["receipts"]
    assert client.http.get(f"/api/elections/{election_id}/record/receipts/U").status_code == 404  # not Crockford
    assert client.http.get(f"/api/elections/{election_id}/record/receipts/00").status_code == 404  # wrong length


def test_nothing_is_served_before_the_publication_nor_outside_the_record(client, closed):
    election_id = closed[0]
    for path in ("index.json", "election.json", "ballots/CSA-MEN.jsonl", "partials/adm-1.json", "receipts/0"):
        response = client.http.get(f"/api/elections/{election_id}/record/{path}")
        assert response.status_code == 404 and json.loads(response.body)["error"]["code"] == "record_not_published"
    # Pages written but no index yet (a publish under way): still nothing.
    store.put_pages([(store.page_key(election_id, "election.json", 0), "{}")])
    response = client.http.get(f"/api/elections/{election_id}/record/election.json")
    assert json.loads(response.body)["error"]["code"] == "record_not_published"


def test_unknown_files_and_pages_are_404(client, published):
    election_id = json.loads((published / "election.json").read_bytes())["uuid"]
    base = f"/api/elections/{election_id}/record"
    for path in ("seal-manifest.json", "ballots/NOPE.jsonl", "partials/del-9.json", "election.json?page=1",
                 "election.json?page=-1", "election.json?page=x", "partials/..%2Fresult.json"):  # fmt: skip
        response = client.http.get(f"{base}/{path}")
        assert response.status_code == 404, path
        assert json.loads(response.body)["error"]["code"] == "record_file_not_found", path
    response = client.http.get("/api/elections/not-an-id/record/index.json")
    assert json.loads(response.body)["error"]["code"] == "record_not_published"


def test_a_second_publish_changes_nothing_and_a_different_record_is_refused(admin, published, tmp_path):
    election_id = json.loads((published / "election.json").read_bytes())["uuid"]
    before = store.get(store.index_key(election_id))
    status, output = admin("bureau", "publish", election_id, str(tmp_path / "again"))
    assert status == 0 and "il y était déjà, identique" in output, output
    assert store.get(store.index_key(election_id)) == before
    (published / "tally.json").write_bytes(b"{}")
    with pytest.raises(public_record.RecordChanged):
        public_record.put_on_portal(election_id, published, ["election.json", "tally.json"])
    assert store.get(store.index_key(election_id)) == before


def test_pages_cut_after_a_line_or_before_a_character(tmp_path: Path):
    path = tmp_path / "f"
    path.write_bytes(b"aaaa\nbbbb\ncc\n")
    assert list(public_record.pages(path, limit=6)) == ["aaaa\n", "bbbb\n", "cc\n"]
    path.write_bytes("ééééé".encode())  # 10 bytes, no line end
    assert list(public_record.pages(path, limit=3)) == ["é", "é", "é", "é", "é"]
    path.write_bytes(b"")
    assert list(public_record.pages(path)) == []


def test_buckets_hold_about_a_hundred_receipts():
    assert [public_record.prefix_length(n) for n in (0, 300, 3_199, 3_200, 102_400, 1_100_000, 4_400_000)] == [
        1, 1, 1, 1, 2, 2, 3,
    ]  # fmt: skip
    assert len(list(public_record.all_buckets(2))) == 1024
