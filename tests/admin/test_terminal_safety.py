"""Text from voters (claims, names, workplaces) and from files reaches the administrators'
terminal only as inert text: no escape sequence runs, no line is forged (issue 13, finding 9)."""

import io
import unicodedata
from types import SimpleNamespace

from chalicelib.admin import cli, render
from tests.api.conftest import LISTED, portal  # noqa: F401  (the same small election on moto)
from tests.conftest import NOW

ATTACK = "Bonjour\x1b[2J\r\nligne forgée\u202eexe.txt\x9b31m\x7f"


def interpreted(output: str) -> list[str]:
    """The characters of `output` a terminal would act on, other than the line ends."""
    return [
        c
        for c in output
        if c != "\n" and (unicodedata.category(c) == "Cc" or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069")
    ]


def test_a_claim_that_tries_to_drive_the_terminal_is_printed_inert(portal, test_stage_config):  # noqa: F811
    answer = portal.post(
        "/api/public-claims",
        {
            "last_name": "Nguyen\x1b]0;titre\x07",
            "first_name": "Léa\u2066",
            "email": "lea.nguyen@ac-poitiers.fr",
            "workplace": "Lycée\rJean Macé",
            "message": ATTACK,
        },
    )
    assert answer.status_code == 202, answer.body
    out = io.StringIO()
    assert cli.main(["--stage", "test", "claims", "list"], out=out, config_path=test_stage_config) == 0
    output = out.getvalue()
    assert interpreted(output) == []
    lines = output.splitlines()
    assert len(lines) == 2  # the claim's heading and its message: nothing forged
    assert not any(line.startswith("ligne forgée") for line in lines)
    assert "Bonjour\\x1b[2J\\r\\nligne forgée\\u202eexe.txt\\x9b31m\\x7f" in lines[1]
    assert "Nguyen\\x1b]0;titre\\x07" in lines[0] and "Lycée\\rJean Macé" in lines[0] and "Léa\\u2066" in lines[0]


def test_every_field_of_a_voters_file_is_printed_inert():
    evil = "x\x1b[31m\nforgé\u202d"
    voter = SimpleNamespace(
        first_name=evil,
        last_name=evil,
        voter_id=evil,
        email=evil,
        removed_email=None,
        academy=evil,
        department=evil,
        workplace=evil,
        code_delivery=evil,
        imported_at=NOW,
        updated_at=NOW,
        removed_at=None,
    )
    ballot = SimpleNamespace(ballot_id=evil, label=evil)
    delivery = SimpleNamespace(
        last_event=evil,
        bounce_type=evil,
        bounce_subtype=evil,
        last_event_at=NOW,
        deliveries=1,
        bounces=0,
        complaints=0,
    )
    entry = SimpleNamespace(requested_at=NOW, kind=evil, status=evil)
    campaign = SimpleNamespace(requested_at=NOW, campaign_id=evil, kind=evil, status=evil, reference=evil)
    phase = SimpleNamespace(value="voting_open")
    found = SimpleNamespace(
        voter=voter,
        account=None,
        ballots=[(ballot, phase)],
        delivery=delivery,
        recent_mail=[entry],
        campaigns=[campaign],
    )
    out = io.StringIO()
    render.voter_file(found, out)
    output = out.getvalue()
    assert interpreted(output) == []
    assert not any(line.startswith("forgé") for line in output.splitlines())
    assert output.count("x\\x1b[31m\\nforgé\\u202d") >= 12


def test_safe_leaves_ordinary_french_text_alone():
    text = "Lycée Jean-Macé, Niort — « Mme Ève N'Guyen » 12\u00a0%"
    assert render.safe(text) == text
    assert render.safe(None) == ""
    assert render.safe("a\tb\x00c\x85d\u2028e") == "a\\tb\\x00c\\x85d\\u2028e"
