// A ballot for one scrutin (VOTING.md, "A ballot"): k ElGamal ciphertexts of 0 or 1 summing
// to 1, a disjunctive Chaum–Pedersen proof per option and a sum proof. The same as
// chalicelib/crypto/ballots.py's encrypt, decode and verify, byte for byte and check for check.

import {
  G,
  IDENTITY,
  InvalidElement,
  ORDER,
  bytesToHex,
  framedDigest,
  hashToScalar,
  hex32,
  mul,
  mulPublic,
  pointFromHex,
  scalarFromHex,
  scalarHex,
  u32,
} from "./group.js";
import { systemRandom } from "./random.js";

/** A ballot that must be refused; `reason` is the same word as the server's InvalidBallot. */
export class InvalidBallot extends Error {
  constructor(reason) {
    super(reason);
    this.name = "InvalidBallot";
    this.reason = reason;
  }
}

let cachedKey = null; // the election's public key, parsed and validated once, precomputed

function publicKeyPoint(publicKey) {
  if (cachedKey?.hex !== publicKey) {
    const point = pointFromHex(publicKey, "public_key");
    cachedKey = { hex: publicKey, point: point.precompute(6, true) };
  }
  return cachedKey.point;
}

function phiBytes(phi) {
  try {
    return hex32(phi, "election");
  } catch {
    throw new TypeError("phi is the election fingerprint, 64 lowercase hex characters");
  }
}

/** S, the hash every proof of the ballot is bound to. */
function context(phi, scrutin, nonce, pairs) {
  const ciphertexts = new Uint8Array(64 * pairs.length);
  pairs.forEach(([a, b], i) => {
    ciphertexts.set(a.toBytes(), 64 * i);
    ciphertexts.set(b.toBytes(), 64 * i + 32);
  });
  return framedDigest("sha512", "ctx", phi, scrutin, nonce, ciphertexts);
}

const bitChallenge = (S, i, a, b, commitments) => hashToScalar("bit", S, u32(i), a, b, ...commitments);
const mod = (k) => ((k % ORDER) + ORDER) % ORDER;

function sums(pairs) {
  let totalA = IDENTITY;
  let totalB = IDENTITY;
  for (const [a, b] of pairs) {
    totalA = totalA.add(a);
    totalB = totalB.add(b);
  }
  return [totalA, totalB];
}

/**
 * The ballot for `choice` (0 is blank) among `options`, as the JSON object of VOTING.md §6.
 * publicKey: Y in hex (election.json's public_key); phi: the election fingerprint in hex;
 * scrutin: σ; options: k (2 or more); choice: 0…k−1; rng: systemRandom() unless given.
 */
export function encryptBallot({ publicKey, phi, scrutin, options, choice, rng = systemRandom() }) {
  if (!Number.isInteger(options) || !Number.isInteger(choice) || options < 2 || choice < 0 || choice >= options) {
    throw new RangeError("choice out of range");
  }
  if (typeof scrutin !== "string") throw new TypeError("scrutin is a string");
  const Y = publicKeyPoint(publicKey);
  const phiRaw = phiBytes(phi);
  const nonce = rng.nonce();
  const rs = Array.from({ length: options }, () => rng.scalar());
  // m_i·G is G or the identity, always added (so the choice does not change the work done).
  const pairs = rs.map((r, i) => [mul(r, G), mul(r, Y).add(i === choice ? G : IDENTITY)]);
  const S = context(phiRaw, scrutin, nonce, pairs);
  const proofs = pairs.map(([a, b], i) => {
    const m = i === choice ? 1 : 0;
    const f = 1 - m;
    const cF = rng.scalar();
    const sF = rng.scalar();
    const w = rng.scalar();
    const commit = [];
    // The simulated branch, A_f = s_f·G + c_f·a and B_f = s_f·Y + c_f·(b − f·G), computed
    // from what the booth knows (a = r·G, b − f·G = r·Y + (m − f)·G): the same points with
    // three constant-time multiplications by precomputed points instead of four, two of them
    // by points met once. Constant time: which of c0, c1 is simulated is the secret.
    const t = sF + cF * rs[i];
    commit[f] = [mul(t, G), mul(t, Y).add(mul(m === 1 ? cF : -cF, G))];
    commit[m] = [mul(w, G), mul(w, Y)];
    const challenge = bitChallenge(S, i, a, b, [commit[0][0], commit[0][1], commit[1][0], commit[1][1]]);
    const cM = mod(challenge - cF);
    const sM = mod(w - rs[i] * cM);
    const c = [];
    const s = [];
    [c[m], c[f], s[m], s[f]] = [cM, cF, sM, sF];
    return { c0: scalarHex(c[0]), c1: scalarHex(c[1]), s0: scalarHex(s[0]), s1: scalarHex(s[1]) };
  });
  const [totalA, totalB] = sums(pairs);
  const R = mod(rs.reduce((x, y) => x + y, 0n));
  const w = rng.scalar();
  const U = mul(w, G);
  const V = mul(w, Y);
  const c = hashToScalar("sum", S, totalA, totalB.subtract(G), U, V);
  const s = mod(w - R * c);
  return {
    v: 1,
    group: "ed25519",
    election: bytesToHex(phiRaw),
    scrutin,
    nonce: bytesToHex(nonce),
    choices: pairs.map(([a, b]) => ({ a: a.toHex(), b: b.toHex() })),
    proofs,
    sum_proof: { c: scalarHex(c), s: scalarHex(s) },
  };
}

const isObject = (x) => typeof x === "object" && x !== null && !Array.isArray(x);

function field(ballot, name) {
  if (!Object.prototype.hasOwnProperty.call(ballot, name)) throw new InvalidBallot(`missing_${name}`);
  return ballot[name];
}

const get = (object, name) => (Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined);

/** Every field checked for shape and every element validated, in the server's order; no
 * proof checked yet. Returns the decoded ballot, or throws InvalidBallot. */
export function decodeBallot(ballot, { phi, scrutin, options }) {
  if (!isObject(ballot)) throw new InvalidBallot("not_an_object");
  if (field(ballot, "v") !== 1 || field(ballot, "group") !== "ed25519") throw new InvalidBallot("version_or_group");
  if (field(ballot, "election") !== phi) throw new InvalidBallot("wrong_election");
  if (field(ballot, "scrutin") !== scrutin) throw new InvalidBallot("wrong_scrutin");
  const nonceHex = field(ballot, "nonce");
  const choices = field(ballot, "choices");
  const proofs = field(ballot, "proofs");
  const sumProof = field(ballot, "sum_proof");
  let nonce;
  try {
    nonce = hex32(nonceHex, "nonce");
  } catch {
    throw new InvalidBallot("nonce");
  }
  if (!Array.isArray(choices) || !Array.isArray(proofs) || !isObject(sumProof)) throw new InvalidBallot("shape");
  if (choices.length !== options || proofs.length !== options) throw new InvalidBallot("options");
  try {
    const pairs = choices.map((c) => {
      if (!isObject(c)) throw new InvalidElement("shape");
      return [pointFromHex(get(c, "a"), "a"), pointFromHex(get(c, "b"), "b")];
    });
    const decoded = proofs.map((p) => {
      if (!isObject(p)) throw new InvalidElement("shape");
      return ["c0", "c1", "s0", "s1"].map((k) => scalarFromHex(get(p, k), k));
    });
    const total = [scalarFromHex(get(sumProof, "c"), "c"), scalarFromHex(get(sumProof, "s"), "s")];
    return { scrutin, nonce, pairs, proofs: decoded, sumProof: total };
  } catch (error) {
    if (error instanceof InvalidElement) throw new InvalidBallot(`invalid_${error.what}`);
    throw error;
  }
}

/**
 * The ballot checked as the server checks it: shape, every element, every bit proof and the
 * sum proof. Returns true, or throws InvalidBallot (its `reason` is the server's word).
 * publicKey and phi in hex, scrutin σ, options k.
 */
export function verifyBallot(ballot, { publicKey, phi, scrutin, options }) {
  const Y = publicKeyPoint(publicKey);
  const phiRaw = phiBytes(phi);
  const checked = decodeBallot(ballot, { phi, scrutin, options });
  const S = context(phiRaw, scrutin, checked.nonce, checked.pairs);
  checked.pairs.forEach(([a, b], i) => {
    const [c0, c1, s0, s1] = checked.proofs[i];
    const A0 = mulPublic(s0, G).add(mulPublic(c0, a));
    const B0 = mulPublic(s0, Y).add(mulPublic(c0, b));
    const A1 = mulPublic(s1, G).add(mulPublic(c1, a));
    const B1 = mulPublic(s1, Y).add(mulPublic(c1, b.subtract(G)));
    if (mod(c0 + c1) !== bitChallenge(S, i, a, b, [A0, B0, A1, B1])) throw new InvalidBallot("bit_proof");
  });
  const [totalA, totalB] = sums(checked.pairs);
  const [c, s] = checked.sumProof;
  const rest = totalB.subtract(G);
  const U = mulPublic(s, G).add(mulPublic(c, totalA));
  const V = mulPublic(s, Y).add(mulPublic(c, rest));
  if (c !== hashToScalar("sum", S, totalA, rest, U, V)) throw new InvalidBallot("sum_proof");
  return true;
}
