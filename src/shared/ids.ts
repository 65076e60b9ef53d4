import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A secret with 256 bits of randomness, URL-safe (sessions, one-time codes). */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

// Ids are made on the gateway's hot path (one per request); asking the system for a few bytes
// each time costs more than the rest of the id, so random bytes are drawn from a pool.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolAt = 0;

function pooledBytes(count: number): Buffer {
  if (count > POOL_SIZE) return randomBytes(count);
  if (poolAt + count > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  poolAt += count;
  return pool.subarray(poolAt - count, poolAt);
}

/** An opaque identifier: lowercase base32 so it fits DNS-1123 names; 80 random bits. */
export function randomId(bytes = 10): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const buf = pooledBytes(bytes);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** SHA-256 hex: how secrets are stored and how tokens are keyed in caches. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Constant-time comparison of two strings (hashes, verifiers). */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
