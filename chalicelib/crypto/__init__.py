"""EV1, the portal's voting cryptography (`../shared/docs/VOTING.md`): pure, PyNaCl and the
standard library only, so that the key holders' tool and the verifier can import it alone.

- `group`: the prime-order subgroup of edwards25519, its encodings, validation and hashing;
- `ballots`: encrypting a choice with its proofs, verifying a ballot, the receipt.
"""
