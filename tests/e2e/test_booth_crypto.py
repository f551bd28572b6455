"""EV1 in Chromium: the booth's bundle, served by the local stack under its CSP, reproduces
VOTING.md's test vector byte for byte, refuses every negative case for the reason the server
gives, and ballots cross between the browser and Python in both directions."""

from __future__ import annotations

import json
import statistics
import urllib.request

import pytest

from chalicelib.crypto import ballots
from chalicelib.crypto.group import IDENTITY, G
from chalicelib.web import site
from tests.crypto.test_ev1 import NEGATIVE, PHI, PUBLIC, SECRET, VECTOR, _mutated

pytestmark = pytest.mark.slow

# The portal's CSP, as the pages have it: the bundle needs no change to it.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# VOTING.md's list of negative cases (test_ev1.py has these and a few more; all are run).
VOTING_MD_NEGATIVES = {
    "two ciphertexts swapped",
    "two proofs swapped",
    "a changed nonce",
    "a scalar s + ℓ",
    "c0 + 1",
    "the identity",
    "a + a point of order 8",
    "a small-order point",
    "a non-canonical y ≥ p",
}
TV = {"publicKey": VECTOR["public_key"], "phi": VECTOR["phi"], "scrutin": "TV-1", "options": 3}

# Calls into the module the page imported (window.ev1); an InvalidBallot becomes its reason.
VERIFY = """([ballot, params]) => {
    try { return window.ev1.verifyBallot(ballot, params); }
    catch (error) { return error instanceof window.ev1.InvalidBallot ? 'refused:' + error.reason : 'error:' + error; }
}"""


@pytest.fixture(scope="module")
def booth(browser, stack):
    """A portal page that has imported the bundle from the stack's own URL (so under the CSP the
    stack sends); its `window.ev1` is the module."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(stack.url("connexion"))
    css = page.locator('link[href$="/dsfr/dsfr.min.css"]').get_attribute("href")
    version = css.split("/")[1]
    url = f"static/{version}/{site.BOOTH_BUNDLE}"
    page.evaluate("async (url) => { window.ev1 = await import(new URL(url, document.baseURI).href); }", url)
    page.bundle_url = stack.url(url)
    yield page
    context.close()
    assert problems == []


def test_the_bundle_is_served_as_javascript_under_the_unchanged_csp(booth, stack):
    with urllib.request.urlopen(booth.bundle_url, timeout=30) as response:
        body, headers = response.read(), response.headers
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert body == (site.STATIC / site.BOOTH_BUNDLE).read_bytes()
    with urllib.request.urlopen(stack.url("connexion"), timeout=30) as page:
        assert page.headers["Content-Security-Policy"] == CSP
    # The CSP is in force in that page: a script from anywhere but 'self' is refused.
    refused = booth.evaluate(
        "async () => { try { await import('data:text/javascript,export default 1'); return 'loaded'; }"
        " catch (error) { return 'refused'; } }"
    )
    assert refused == "refused"
    exported = booth.evaluate("Object.keys(window.ev1).sort()")
    assert {"electionFingerprint", "encryptBallot", "verifyBallot", "receipt", "shortReceipt"} <= set(exported)
    assert {"systemRandom", "testVectorRandom", "InvalidBallot"} <= set(exported)


def test_the_vector_is_reproduced_byte_for_byte(booth):
    made = booth.evaluate(
        """(v) => {
            const bytes = new TextEncoder().encode(v.election_json_bytes_utf8);
            const phi = window.ev1.electionFingerprint(bytes);
            const ballot = window.ev1.encryptBallot({
                publicKey: v.public_key, phi, scrutin: v.scrutin, options: v.k, choice: v.choice,
                rng: window.ev1.testVectorRandom(new TextEncoder().encode(v.seed_utf8)),
            });
            const rho = window.ev1.receipt(ballot);
            return { phi, json: JSON.stringify(ballot), rho, short: window.ev1.shortReceipt(rho) };
        }""",
        VECTOR,
    )
    assert made["phi"] == VECTOR["phi"]
    assert made["json"] == json.dumps(VECTOR["ballot"], separators=(",", ":"), ensure_ascii=False)
    assert made["rho"] == VECTOR["receipt"]
    assert made["short"] == ballots.short_receipt(bytes.fromhex(VECTOR["receipt"]))
    assert booth.evaluate(VERIFY, [VECTOR["ballot"], TV]) is True


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_every_negative_case_is_refused_for_the_servers_reason(booth, case):
    assert VOTING_MD_NEGATIVES <= set(NEGATIVE)
    ballot = _mutated(NEGATIVE[case])
    with pytest.raises(ballots.InvalidBallot) as python:
        ballots.verify(ballot, public_key=PUBLIC, phi=PHI, scrutin="TV-1", options=3)
    assert booth.evaluate(VERIFY, [ballot, TV]) == f"refused:{python.value.reason}"


def test_malformed_ballots_are_refused_for_the_servers_reason(booth):
    good = VECTOR["ballot"]
    malformed = [None, [], "x", {**good, "choices": [None] * 3}, {**good, "sum_proof": []}, {**good, "nonce": 7}]
    for ballot in malformed:
        with pytest.raises(ballots.InvalidBallot) as python:
            ballots.verify(ballot, public_key=PUBLIC, phi=PHI, scrutin="TV-1", options=3)
        assert booth.evaluate(VERIFY, [ballot, TV]) == f"refused:{python.value.reason}", ballot
    assert booth.evaluate(VERIFY, [good, {**TV, "options": 4}]) == "refused:options"
    # Stricter than Python, where True == 1: the version is the number 1, not a boolean.
    assert booth.evaluate(VERIFY, [{**good, "v": True}, TV]) == "refused:version_or_group"


SHAPES = [(2, 0), (2, 1), (8, 0), (8, 5), (13, 12), (13, 3)]


def _decrypted(checked) -> list[int]:
    plain = [b - SECRET * a for a, b in checked.pairs]
    return [1 if p == G else 0 if p == IDENTITY else -1 for p in plain]


def test_ballots_made_in_the_browser_verify_in_python_with_the_same_receipt(booth):
    made = booth.evaluate(
        """([params, shapes]) => shapes.map(([options, choice]) => {
            const ballot = window.ev1.encryptBallot({ ...params, scrutin: 'S-1', options, choice });
            return { ballot, receipt: window.ev1.receipt(ballot) };
        })""",
        [TV, SHAPES],
    )
    nonces = set()
    for (options, choice), found in zip(SHAPES, made, strict=True):
        checked = ballots.verify(found["ballot"], public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options)
        assert ballots.receipt(checked, PHI).hex() == found["receipt"]
        assert _decrypted(checked) == [1 if i == choice else 0 for i in range(options)]
        nonces.add(found["ballot"]["nonce"])
    assert len(nonces) == len(SHAPES)  # the system randomness, not the vector's


def test_ballots_made_in_python_verify_in_the_browser_with_the_same_receipt(booth):
    for options, choice in SHAPES:
        ballot = ballots.encrypt(public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options, choice=choice)
        checked = ballots.verify(ballot, public_key=PUBLIC, phi=PHI, scrutin="S-1", options=options)
        params = {**TV, "scrutin": "S-1", "options": options}
        assert booth.evaluate(VERIFY, [ballot, params]) is True
        assert booth.evaluate("(b) => window.ev1.receipt(b)", ballot) == ballots.receipt(checked, PHI).hex()
        assert booth.evaluate(VERIFY, [ballot, {**params, "scrutin": "S-2"}]) == "refused:wrong_scrutin"


def test_how_long_the_browser_takes(booth, capsys):
    """Measured, not asserted: encrypting (and verifying) 8 options in this Chromium."""
    timings = booth.evaluate(
        """(params) => {
            const p = { ...params, scrutin: 'S-1', options: 8 };
            window.ev1.encryptBallot({ ...p, choice: 1 });  // warm up: the key's precomputation
            const encrypt = [], verify = [];
            for (let run = 0; run < 15; run++) {
                let t = performance.now();
                const ballot = window.ev1.encryptBallot({ ...p, choice: run % 8 });
                encrypt.push(performance.now() - t);
                t = performance.now();
                window.ev1.verifyBallot(ballot, p);
                verify.push(performance.now() - t);
            }
            return { encrypt, verify };
        }""",
        TV,
    )
    encrypt, verify = statistics.median(timings["encrypt"]), statistics.median(timings["verify"])
    with capsys.disabled():
        print(f"\nChromium, 8 options: encrypt and prove {encrypt:.1f} ms, verify {verify:.1f} ms (median of 15)")
    assert encrypt > 0 and verify > 0
