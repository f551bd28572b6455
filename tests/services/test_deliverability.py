import io
import json
from datetime import UTC, datetime

from chalicelib.admin import cli
from chalicelib.domain.delivery_events import parse_ses_event
from chalicelib.store.deliverability import DeliveryStatus
from chalicelib.workers.deliverability import record_delivery_events
from tests.conftest import NOW
from tests.services.helpers import ballot, voter, write_ballots, write_voters

BOUNCE = {
    "eventType": "Bounce",
    "mail": {"timestamp": "2026-11-29T09:00:00.000Z", "destination": ["Camille.Nom1@ac-poitiers.fr"]},
    "bounce": {
        "bounceType": "Permanent",
        "bounceSubType": "NoEmail",
        "timestamp": "2026-11-29T09:00:05.000Z",
        "bouncedRecipients": [{"emailAddress": "Camille.Nom1@ac-poitiers.fr"}],
    },
}
COMPLAINT = {
    "notificationType": "Complaint",
    "mail": {},
    "complaint": {
        "timestamp": "2026-11-29T10:00:00Z",
        "complainedRecipients": [{"emailAddress": "camille.nom2@ac-poitiers.fr"}],
    },
}
DELIVERY = {
    "eventType": "Delivery",
    "mail": {},
    "delivery": {
        "timestamp": "2026-11-29T08:00:00Z",
        "recipients": ["camille.nom1@ac-poitiers.fr", "camille.nom2@ac-poitiers.fr"],
    },
}


def test_ses_events_are_read_in_both_formats():
    [bounce] = parse_ses_event(BOUNCE, received_at=NOW)
    assert (bounce.address, bounce.event, bounce.bounce_type, bounce.bounce_subtype) == (
        "camille.nom1@ac-poitiers.fr",
        "bounce",
        "Permanent",
        "NoEmail",
    )
    assert bounce.at == datetime(2026, 11, 29, 9, 0, 5, tzinfo=UTC)
    assert [e.event for e in parse_ses_event(COMPLAINT, received_at=NOW)] == ["complaint"]
    assert len(parse_ses_event(DELIVERY, received_at=NOW)) == 2
    assert parse_ses_event({"eventType": "Open"}, received_at=NOW) == []


def test_the_handler_records_each_address_and_the_help_desk_sees_it(aws, tmp_path, test_stage_config, monkeypatch):
    from chalicelib.services.ballot_import import import_ballots
    from chalicelib.services.voter_import import import_voters

    import_ballots(write_ballots(tmp_path / "b.json", [ballot("CSA-MEN"), ballot("CSA-ACA")]), now=NOW)
    import_voters(write_voters(tmp_path / "v.csv", [voter(1), voter(2)]), now=NOW)
    assert record_delivery_events([json.dumps(DELIVERY), json.dumps(BOUNCE), json.dumps(COMPLAINT)], now=NOW) == 4
    first = DeliveryStatus.get("camille.nom1@ac-poitiers.fr")
    assert (first.last_event, first.bounce_type, first.deliveries, first.bounces) == ("bounce", "Permanent", 1, 1)
    assert DeliveryStatus.get("camille.nom2@ac-poitiers.fr").complaints == 1

    monkeypatch.setattr(cli, "utc_now", lambda: NOW)
    out = io.StringIO()
    cli.main(
        ["--stage", "test", "voter", "show", "camille.nom1@ac-poitiers.fr"], out=out, config_path=test_stage_config
    )
    assert "rejeté (bounce) — Permanent/NoEmail" in out.getvalue()
    out = io.StringIO()
    cli.main(["--stage", "test", "stats"], out=out, config_path=test_stage_config)
    assert "1 adresses en rejet définitif, 1 ayant signalé" in out.getvalue()
