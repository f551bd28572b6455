// The group of EV1 (VOTING.md, "Group and encodings"): the prime-order subgroup of
// edwards25519, its encodings, strict validation of received elements, and the hashes.
// The same as chalicelib/crypto/group.py, byte for byte.
//
// Points are noble's extended points; scalars are bigints modulo ℓ. Every point and scalar
// that comes from outside goes through `pointFromHex` / `scalarFromHex` before any arithmetic.
// Multiplication is never clamped: `mul` reduces modulo ℓ and answers the identity for a zero
// scalar or the identity point itself (noble's `multiply` refuses 0, libsodium's noclamp too).

import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

export const Point = ed25519.Point;
export const G = Point.BASE;
export const IDENTITY = Point.ZERO;
export const ORDER = Point.Fn.ORDER; // ℓ = 2^252 + 27742317777372353535851937790883648493
const DOMAIN = utf8("EV1-2026");
const HEX64 = /^[0-9a-f]{64}$/;

/** A point or scalar that is not a canonical element of the group; `what` names the field. */
export class InvalidElement extends Error {
  constructor(what) {
    super(what);
    this.name = "InvalidElement";
    this.what = what;
  }
}

export function utf8(text) {
  return new TextEncoder().encode(text);
}

export function bytesToHex(bytes) {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** 64 lowercase hex characters (what the record writes) to 32 bytes, or InvalidElement. */
export function hex32(value, what) {
  if (typeof value !== "string" || !HEX64.test(value)) throw new InvalidElement(what);
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function reduce(k) {
  const r = k % ORDER;
  return r < 0n ? r + ORDER : r;
}

/** k·P for a secret k (taken modulo ℓ): noble's constant-time multiplication. */
export function mul(k, P) {
  const r = reduce(k);
  if (r === 0n || P.is0()) return IDENTITY;
  return P.multiply(r);
}

/** k·P for a public k (a proof's published scalars, verification): variable time, faster. */
export function mulPublic(k, P) {
  const r = reduce(k);
  if (r === 0n || P.is0()) return IDENTITY;
  return P.multiplyUnsafe(r);
}

/** A received point: canonical encoding, on the curve, in the prime-order subgroup, not of
 * small order and not the identity (libsodium's crypto_core_ed25519_is_valid_point). */
export function pointFromHex(value, what = "point") {
  const bytes = hex32(value, what);
  let P;
  try {
    P = Point.fromBytes(bytes); // RFC 8032 strict: y < p, no "negative zero" x
  } catch {
    throw new InvalidElement(what);
  }
  if (P.is0() || !P.isTorsionFree() || P.isSmallOrder()) throw new InvalidElement(what);
  if (P.toHex() !== value) throw new InvalidElement(what); // canonical: it encodes back to itself
  return P;
}

/** A received scalar: 64 lowercase hex characters, little-endian, below ℓ. */
export function scalarFromHex(value, what = "scalar") {
  const k = leToBigint(hex32(value, what));
  if (k >= ORDER) throw new InvalidElement(what);
  return k;
}

export function leToBigint(bytes) {
  let k = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) k = (k << 8n) | BigInt(bytes[i]);
  return k;
}

/** 32 bytes little-endian of k mod ℓ. */
export function scalarBytes(k) {
  let r = reduce(k);
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(r & 0xffn);
    r >>= 8n;
  }
  return bytes;
}

export function scalarHex(k) {
  return bytesToHex(scalarBytes(k));
}

export function u32(i) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, i, false);
  return bytes;
}

function toBytes(part) {
  if (part instanceof Point) return part.toBytes();
  if (typeof part === "string") return utf8(part);
  if (part instanceof Uint8Array) return part;
  throw new TypeError("a hash input is bytes, a string or a point");
}

/** frame(DOMAIN) ‖ frame(label) ‖ frame(part)… with frame(x) = u32_be(len(x)) ‖ x. */
function framed(label, parts) {
  const pieces = [DOMAIN, utf8(label), ...parts.map(toBytes)];
  const total = pieces.reduce((n, piece) => n + 4 + piece.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(u32(piece.length), at);
    out.set(piece, at + 4);
    at += 4 + piece.length;
  }
  return out;
}

/** H(label, x1…xn): SHA-512 of the framed inputs, little-endian, modulo ℓ. */
export function hashToScalar(label, ...parts) {
  return leToBigint(sha512(framed(label, parts))) % ORDER;
}

/** SHA-256 or SHA-512 of the framed inputs. */
export function framedDigest(algorithm, label, ...parts) {
  const hash = { sha256, sha512 }[algorithm];
  if (!hash) throw new TypeError("sha256 or sha512");
  return hash(framed(label, parts));
}

export { sha256 };
