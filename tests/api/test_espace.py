"""The espace's API: my ballots and their phases, electoral lists, claims, public claims."""

import base64
import io

import pytest

from chalicelib.admin import cli
from chalicelib.services.ballot_import import import_ballots
from chalicelib.services.voter_import import import_voters
from tests.api.conftest import LISTED
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

# CSA-ACA: lists published two days ago, claims open for six more days, candidates later.
OPEN_FOR_CLAIMS = {
    "lists_published_at": "2026-11-27T10:00:00+01:00",
    "claims_close_at": "2026-12-05T17:00:00+01:00",
    "candidates_published_at": "2026-12-10T10:00:00+01:00",
    "voting_opens_at": "2027-01-05T10:00:00+01:00",
    "voting_closes_at": "2027-01-12T17:00:00+01:00",
}
# CAPN: nothing published yet.
UPCOMING = {
    "lists_published_at": "2026-12-01T10:00:00+01:00",
    "claims_close_at": "2026-12-09T17:00:00+01:00",
    "candidates_published_at": "2026-12-15T10:00:00+01:00",
    "voting_opens_at": "2027-01-05T10:00:00+01:00",
    "voting_closes_at": "2027-01-12T17:00:00+01:00",
}


@pytest.fixture
def espace(portal, tmp_path):
    import_ballots(
        write_ballots(
            tmp_path / "b2.json",
            [
                ballot("CSA-MEN"),
                ballot("CSA-ACA", level="academique", **OPEN_FOR_CLAIMS),
                ballot("CAPN", kind="CAP", **UPCOMING),
                ballot("OTHER", level="departemental"),
            ],
        ),
        now=NOW,
    )
    rows = [voter(1, ballots="CSA-MEN|CSA-ACA|CAPN"), voter(2), voter(3, ballots="OTHER")]
    rows += [voter(n, last_name="Martin", first_name="Camille", ballots="CSA-MEN") for n in range(10, 160)]
    rows += [
        voter(n, last_name=name, ballots="CSA-MEN")
        for n, name in [(200, "Lefèvre"), (201, "Le Gall"), (202, "LEGALL"), (203, "Lemaître"), (204, "Dupont")]
    ]
    import_voters(write_voters(tmp_path / "v2.csv", rows), now=NOW, prune=True)
    portal.register_and_activate()
    portal.sign_in()
    return portal


def test_everything_needs_a_session(portal):
    for path in ("/api/me/ballots", "/api/me/claims", "/api/ballots/CSA-MEN/electoral-list"):
        response = portal.client.http.get(path)
        assert response.status_code == 401 and response.json_body["error"]["code"] == "not_authenticated"


def test_my_ballots_with_phase_dates_and_candidate_lists_once_published(espace):
    ballots = {b["id"]: b for b in espace.authed("get", "/api/me/ballots").json_body["ballots"]}
    assert list(ballots) == ["CAPN", "CSA-MEN", "CSA-ACA"]  # national first, then academy
    assert ballots["CSA-MEN"]["phase"] == "voting_open"
    assert ballots["CSA-MEN"]["voting_opens_at"] == "2026-11-29T10:00:00+01:00"
    assert ballots["CSA-MEN"]["candidate_lists"][0]["acronym"] == "FSU"
    assert ballots["CSA-ACA"]["phase"] == "lists_published" and ballots["CSA-ACA"]["candidate_lists"] == []
    assert ballots["CAPN"]["phase"] == "upcoming" and not ballots["CAPN"]["candidate_lists_published"]


def test_candidate_lists_appear_at_their_publication_to_the_second(espace):
    espace.clock.now = NOW.replace(day=10, month=12, hour=8, minute=59, second=59)  # 09:59:59 in Paris
    espace.sign_in()
    aca = [b for b in espace.authed("get", "/api/me/ballots").json_body["ballots"] if b["id"] == "CSA-ACA"][0]
    assert aca["phase"] == "claims_closed" and aca["candidate_lists"] == []
    espace.clock.advance(seconds=1)
    espace.sign_in()
    aca = [b for b in espace.authed("get", "/api/me/ballots").json_body["ballots"] if b["id"] == "CSA-ACA"][0]
    assert aca["phase"] == "candidates_published" and aca["candidate_lists"]


def test_claims_close_to_the_second_across_the_spring_clock_change(espace, tmp_path):
    # Claims close at 17:00 on 28 March 2027, the day clocks go forward: 15:00 UTC, not 16:00.
    spring = {
        "lists_published_at": "2027-03-20T10:00:00+01:00",
        "claims_close_at": "2027-03-28T17:00:00+02:00",
        "candidates_published_at": "2027-04-05T10:00:00+02:00",
        "voting_opens_at": "2027-05-04T10:00:00+02:00",
        "voting_closes_at": "2027-05-11T17:00:00+02:00",
    }
    import_ballots(
        write_ballots(
            tmp_path / "b3.json",
            [
                ballot("CSA-MEN"),
                ballot("CSA-ACA", level="academique", **spring),
                ballot("CAPN", **UPCOMING),
                ballot("OTHER"),
            ],
        ),
        now=NOW,
    )
    espace.clock.now = NOW.replace(year=2027, month=3, day=28, hour=14, minute=59, second=59)
    espace.sign_in()
    assert (
        espace.authed(
            "post", "/api/ballots/CSA-ACA/claims", {"message": "Il manque ma collègue Léa Nguyen."}
        ).status_code
        == 201
    )
    espace.clock.advance(seconds=1)
    response = espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": "Une autre réclamation."})
    assert response.status_code == 403 and response.json_body["error"]["code"] == "claims_closed"


def test_electoral_list_pages_are_sorted_and_show_only_names_and_workplace(espace):
    response = espace.authed("get", "/api/ballots/CSA-MEN/electoral-list")
    assert response.status_code == 200
    page = response.json_body
    assert len(page["voters"]) == 100
    assert set(page["voters"][0]) == {"last_name", "first_name", "workplace"}
    assert [v["last_name"] for v in page["voters"][:5]] == ["Dupont", "Lefèvre", "Le Gall", "LEGALL", "Lemaître"]
    seen = list(page["voters"])
    cursors = []
    while page["next_cursor"]:
        cursors.append(page["next_cursor"])
        page = espace.authed("get", f"/api/ballots/CSA-MEN/electoral-list?cursor={page['next_cursor']}").json_body
        seen += page["voters"]
    assert len(seen) == 2 + 150 + 5 == 157
    assert [v["last_name"] for v in seen].count("Martin") == 150
    for cursor in cursors:  # a cursor names a position, never a voter id or an email
        payload = cursor.partition(".")[0]
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        assert "P000" not in decoded and "@" not in decoded


def test_a_forged_cursor_cannot_probe_the_hidden_voter_ids(espace):
    """Finding 10: a cursor starting between two namesakes by voter id ('MARTIN#CAMILLE#P00000080')
    placed the page by the hidden ids; a binary search over such cursors recovered them."""
    import json

    def forged(name, signature=""):
        payload = base64.urlsafe_b64encode(json.dumps([name, 0]).encode()).decode().rstrip("=")
        return f"{payload}.{signature}" if signature else payload

    first = espace.authed("get", "/api/ballots/CSA-MEN/electoral-list").json_body
    genuine = first["next_cursor"]
    for cursor in (forged("MARTIN#CAMILLE#P00000080"), forged("MARTIN#CAMILLE#"), forged("MARTIN#CAMILLE#", "x" * 22)):
        response = espace.authed("get", f"/api/ballots/CSA-MEN/electoral-list?cursor={cursor}")
        assert (response.status_code, response.json_body["error"]["code"]) == (400, "invalid_cursor"), cursor
    # The genuine cursor's signature does not fit another position either.
    other = forged("MARTIN#CAMILLE#P00000080", genuine.partition(".")[2])
    assert espace.authed("get", f"/api/ballots/CSA-MEN/electoral-list?cursor={other}").status_code == 400
    assert espace.authed("get", f"/api/ballots/CSA-MEN/electoral-list?cursor={genuine}").status_code == 200


def test_search_by_name_prefix_ignores_case_and_accents(espace):
    def names(q):
        return [
            v["last_name"]
            for v in espace.authed("get", f"/api/ballots/CSA-MEN/electoral-list?q={q}").json_body["voters"]
        ]

    assert names("lef") == names("LÉF") == ["Lefèvre"]
    assert names("le%20g") == ["Le Gall", "LEGALL"]
    assert names("lem") == ["Lemaître"]
    assert names("zzz") == []


def test_list_access_rules(espace):
    cases = {
        "/api/ballots/NOPE/electoral-list": (404, "ballot_not_found"),
        "/api/ballots/OTHER/electoral-list": (403, "not_on_list"),
        "/api/ballots/CAPN/electoral-list": (403, "lists_not_published"),
        "/api/ballots/CSA-MEN/electoral-list?cursor=bad": (400, "invalid_cursor"),
    }
    for path, (status, code) in cases.items():
        response = espace.authed("get", path)
        assert (response.status_code, response.json_body["error"]["code"]) == (status, code), path


def test_list_paging_is_rate_limited_per_voter(espace):
    for _ in range(120):
        assert espace.authed("get", "/api/ballots/CSA-ACA/electoral-list").status_code == 200
    response = espace.authed("get", "/api/ballots/CSA-ACA/electoral-list")
    assert response.status_code == 429 and response.json_body["error"]["code"] == "too_many_requests"
    assert int(response.headers["Retry-After"]) > 0
    espace.clock.advance(hours=1)
    espace.sign_in()
    assert espace.authed("get", "/api/ballots/CSA-ACA/electoral-list").status_code == 200


def test_a_claim_is_filed_once_and_seen_with_its_answer(espace, test_stage_config):
    message = "Ma collègue Léa Nguyen, Lycée Jean Macé, n'apparaît pas sur la liste."
    first = espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": message})
    assert first.status_code == 201 and first.json_body["reference"].startswith("REC-")
    again = espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": message})
    assert again.status_code == 200 and again.json_body["reference"] == first.json_body["reference"]
    [claim] = espace.authed("get", "/api/me/claims").json_body["claims"]
    assert (claim["message"], claim["status"], claim["answer"]) == (message, "open", None)

    out = io.StringIO()
    assert cli.main(["--stage", "test", "claims", "list", "--open"], out=out, config_path=test_stage_config) == 0
    assert first.json_body["reference"] in out.getvalue()
    assert (
        cli.main(
            ["--stage", "test", "claims", "answer", first.json_body["reference"], "Ajoutée, merci."],
            out=io.StringIO(),
            config_path=test_stage_config,
        )
        == 0
    )
    [claim] = espace.authed("get", "/api/me/claims").json_body["claims"]
    assert (claim["status"], claim["answer"]) == ("answered", "Ajoutée, merci.")
    espace.new_mail()
    espace.run_worker()
    [mail] = espace.new_mail()
    assert mail.to == LISTED and "Ajoutée, merci." in mail.text and first.json_body["reference"] in mail.subject


def test_claim_rules(espace):
    cases = [
        ("CSA-MEN", {"message": "Trop tard pour ce scrutin."}, 403, "claims_closed"),
        ("CAPN", {"message": "Pas encore publiée."}, 403, "claims_closed"),
        ("OTHER", {"message": "Pas ma liste du tout."}, 403, "not_on_list"),
        ("NOPE", {"message": "Scrutin inconnu ici."}, 404, "ballot_not_found"),
        ("CSA-ACA", {"message": "court"}, 400, "invalid_message"),
        ("CSA-ACA", {"message": "x" * 2001}, 400, "invalid_message"),
        ("CSA-ACA", {"text": "champ manquant"}, 400, "invalid_request"),
    ]
    for ballot_id, body, status, code in cases:
        response = espace.authed("post", f"/api/ballots/{ballot_id}/claims", body)
        assert (response.status_code, response.json_body["error"]["code"]) == (status, code), (ballot_id, body)
    assert espace.authed("get", "/api/me/claims").json_body["claims"] == []


def test_a_message_is_kept_exactly_as_written(espace):
    message = "  Bonjour,\n\nJe m'appelle « Zoé » & <b>je</b> manque.  "
    espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": message})
    assert espace.authed("get", "/api/me/claims").json_body["claims"][0]["message"] == message


def public(portal, **changes):
    body = {
        "last_name": "Nguyen",
        "first_name": "Léa",
        "email": "lea.nguyen@ac-poitiers.fr",
        "workplace": "Lycée Jean Macé, Niort",
        "message": "Je ne trouve pas mon nom sur la liste du CSA.",
    }
    body.update(changes)
    return portal.post("/api/public-claims", body)


def test_a_public_claim_gets_the_same_answer_and_an_acknowledgement(portal, test_stage_config):
    listed = public(portal, email=LISTED, message="Mon adresse est mal orthographiée sur la liste.")
    unknown = public(portal)
    assert listed.status_code == unknown.status_code == 202

    listed_reference, unknown_reference = listed.json_body["reference"], unknown.json_body["reference"]
    # The same answer but for the claim's own reference, which the page shows.
    assert listed.json_body["message"].replace(listed_reference, "R") == unknown.json_body["message"].replace(
        unknown_reference, "R"
    )
    assert listed_reference.startswith("REC-") and listed_reference in listed.json_body["message"]
    portal.run_worker()
    [receipt] = portal.new_mail()  # only the listed address: an official email is not a relay
    assert receipt.to == LISTED and listed_reference in receipt.subject and "bien reçu" in receipt.subject
    out = io.StringIO()
    cli.main(["--stage", "test", "claims", "list"], out=out, config_path=test_stage_config)
    assert "Léa Nguyen <lea.nguyen@ac-poitiers.fr>, Lycée Jean Macé, Niort" in out.getvalue()


def test_a_public_claim_cannot_relay_the_senders_words(portal):
    """Finding 3: the acknowledgement, signed by the official domain, carried the sender's text."""
    bait = "Gagnez un iPhone https://arnaque.example\nCliquez vite"
    public(portal, email=LISTED, first_name=bait[:100], last_name=bait[:100], workplace=bait[:200], message=bait)
    public(portal, email="victime@exemple.fr", first_name=bait[:100], message=bait)
    portal.run_worker()
    [receipt] = portal.new_mail()
    assert receipt.to == LISTED
    assert "arnaque" not in receipt.text and "iPhone" not in receipt.text and "arnaque" not in receipt.subject
    assert receipt.text.startswith("Bonjour Camille,")  # the list's first name, not the sender's


def problems_of(response) -> dict:
    error = response.json_body["error"]
    assert response.status_code == 400 and error["code"] == "invalid_fields"
    return {item["field"]: item["code"] for item in error["fields"]}


def test_every_problem_of_a_public_claim_comes_back_at_once_in_french(portal):
    answer = public(portal, last_name=" ", first_name="x" * 101, email="pas-une-adresse", workplace=7, message="court")
    assert problems_of(answer) == {
        "last_name": "field_required",
        "first_name": "field_too_long",
        "email": "invalid_email",
        "workplace": "field_required",  # not a string: as if empty
        "message": "invalid_message",
    }
    fields = {item["field"]: item for item in answer.json_body["error"]["fields"]}
    assert fields["first_name"]["maximum"] == 100 and "100 caractères" in fields["first_name"]["message"]
    assert fields["message"]["minimum"] == 10 and fields["message"]["maximum"] == 2000
    assert fields["last_name"]["message"] == "Ce champ est obligatoire."
    assert "corrigez les champs" in answer.json_body["error"]["message"]
    assert problems_of(portal.post("/api/public-claims", {})) == dict.fromkeys(
        ["last_name", "first_name", "email", "workplace", "message"], "field_required"
    )
    portal.run_worker()
    assert portal.new_mail() == []  # nothing filed, nothing sent


def test_public_claims_are_checked_and_rate_limited(portal):
    assert problems_of(public(portal, email="pas-une-adresse")) == {"email": "invalid_email"}
    assert problems_of(public(portal, last_name="")) == {"last_name": "field_required"}
    assert problems_of(public(portal, message="court")) == {"message": "invalid_message"}
    for number in range(3):
        assert public(portal, message=f"Signalement numéro {number} pour la même adresse.").status_code == 202
    blocked = public(portal, message="Quatrième signalement pour la même adresse.")
    assert blocked.status_code == 429 and blocked.json_body["error"]["code"] == "too_many_requests"
    for number in range(2):
        public(portal, email=f"autre{number}@ac-poitiers.fr")
    assert public(portal, email="encore@ac-poitiers.fr").status_code == 429  # 6th from this client


def test_ballot_claims_are_limited_per_voter(espace):
    """Finding 10: a signed-in voter could file claims without end (each one a new message)."""
    from chalicelib.services.claims import BALLOT_CLAIMS_PER_VOTER_PER_HOUR

    statuses = [
        espace.authed("post", "/api/ballots/CSA-ACA/claims", {"message": f"Réclamation numéro {n:03d}."}).status_code
        for n in range(BALLOT_CLAIMS_PER_VOTER_PER_HOUR + 3)
    ]
    assert statuses.count(201) == BALLOT_CLAIMS_PER_VOTER_PER_HOUR and statuses[-1] == 429
    assert len(espace.authed("get", "/api/me/claims").json_body["claims"]) == BALLOT_CLAIMS_PER_VOTER_PER_HOUR
