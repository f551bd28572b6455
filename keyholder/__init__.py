"""The key holders' tool (`python -m keyholder`): what the président, the secrétaire and each
délégué run on their own computer, offline, during the key ceremony, the seal and the count.

It imports only the EV1 library (`chalicelib.crypto`) and the standard library: no AWS, no
network, nothing of the portal. The portal, or a USB stick, only carries its files.

- `keyfile`: the passphrase-protected key file (Argon2id, then SecretBox);
- `commands`: init, shares, check, seal, decrypt, show;
- `texts`: every French sentence the tool prints, in one place for proof-reading.
"""
