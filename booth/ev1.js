// EV1 in the browser (VOTING.md): the booth's encryption and proofs, their verification, the
// receipt. The entry point esbuild bundles into chalicelib/static/booth/ev1.js (`make static`);
// the same as chalicelib/crypto/ in Python, byte for byte.

import { bytesToHex, sha256 } from "./group.js";

export { InvalidBallot, decodeBallot, encryptBallot, verifyBallot } from "./ballot.js";
export { InvalidElement, ORDER, hashToScalar, pointFromHex, scalarFromHex } from "./group.js";
export { systemRandom, testVectorRandom } from "./random.js";
export { crockfordBase32, receipt, shortReceipt } from "./receipt.js";

/** φ in lowercase hex: the SHA-256 of election.json's exact bytes, as downloaded. */
export function electionFingerprint(bytes) {
  if (bytes instanceof ArrayBuffer) return bytesToHex(sha256(new Uint8Array(bytes)));
  if (bytes instanceof Uint8Array) return bytesToHex(sha256(bytes));
  throw new TypeError("the election's exact bytes (ArrayBuffer or Uint8Array), not a string");
}
