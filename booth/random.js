// The booth's randomness (chalicelib/crypto/ballots.py's SystemRandom and TestVectorRandom).
// A source has `scalar()` (a bigint in [1, ℓ)) and `nonce()` (32 bytes); encryptBallot draws,
// in this order: the nonce; r_0…r_{k−1}; for each option i: c_f, s_f, w; the sum proof's w.

import { ORDER, framedDigest, hashToScalar, leToBigint, u32, utf8 } from "./group.js";

/** The browser's CSPRNG: 64 random bytes reduced modulo ℓ (bias below 2^-250), zero redrawn. */
export function systemRandom() {
  const random = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));
  return {
    scalar() {
      for (;;) {
        const k = leToBigint(random(64)) % ORDER;
        if (k !== 0n) return k;
      }
    },
    nonce() {
      return random(32);
    },
  };
}

/** VOTING.md's deterministic draws, for test vectors only: the n-th draw (n = 1, 2, …) is the
 * scalar H("test-rng", seed, u32(n)), or for a nonce the framed SHA-256 "test-nonce". */
export function testVectorRandom(seed) {
  const seedBytes = typeof seed === "string" ? utf8(seed) : seed;
  let count = 0;
  return {
    scalar() {
      count += 1;
      return hashToScalar("test-rng", seedBytes, u32(count));
    },
    nonce() {
      count += 1;
      return framedDigest("sha256", "test-nonce", seedBytes, u32(count));
    },
  };
}
