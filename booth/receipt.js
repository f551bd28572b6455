// The voter's receipt ρ (VOTING.md §7) and its short code (chalicelib/crypto/ballots.py's
// receipt and short_receipt).

import { bytesToHex, framedDigest, hex32, utf8 } from "./group.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // no I, L, O, U

/** ρ in lowercase hex: SHA-256 over the ballot's decoded bytes (never the choice). The
 * ballot's fields must be well-formed hex (verifyBallot checks the rest). */
export function receipt(ballot) {
  if (typeof ballot.scrutin !== "string") throw new TypeError("the ballot's scrutin is a string");
  const parts = [hex32(ballot.election, "election"), utf8(ballot.scrutin), hex32(ballot.nonce, "nonce")];
  for (const { a, b } of ballot.choices) parts.push(hex32(a, "a"), hex32(b, "b"));
  for (const proof of ballot.proofs) for (const name of ["c0", "c1", "s0", "s1"]) parts.push(hex32(proof[name], name));
  parts.push(hex32(ballot.sum_proof.c, "c"), hex32(ballot.sum_proof.s, "s"));
  return bytesToHex(framedDigest("sha256", "receipt", ...parts));
}

/** Crockford's base32 of these bytes, most significant bits first, without padding. */
export function crockfordBase32(bytes) {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}

/** What the voter reads first: the receipt's first 10 Crockford characters, "XXXXX-XXXXX". */
export function shortReceipt(rhoHex) {
  const code = crockfordBase32(hex32(rhoHex, "receipt")).slice(0, 10);
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
