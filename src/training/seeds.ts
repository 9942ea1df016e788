import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

/**
 * One run seed fans out into many independent streams (layer initialisers, per-epoch shuffles,
 * per-step dropout masks). Deriving each from a hash of (seed, purpose...) means a stream depends
 * only on its own coordinates, never on how many random numbers were drawn before it — which is
 * what lets a resumed run reproduce an uninterrupted one exactly.
 */
export function deriveSeed(seed: number, ...parts: Array<string | number>): number {
  const h = createHash('sha256').update([seed, ...parts].join('\u0000')).digest();
  // 31 bits: positive, exact in a double, and accepted by every tfjs seed argument.
  return h.readUInt32BE(0) & 0x7fffffff;
}

/** A seeded Fisher–Yates permutation of 0..n-1 (same seed → same order on every machine). */
export function seededPermutation(n: number, seed: number): Uint32Array {
  const rng = seedrandom.alea(String(seed));
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** n seeded fair coin flips as 0/1 bytes (same seed → same flips on every machine). */
export function seededCoinFlips(n: number, seed: number): Uint8Array {
  const rng = seedrandom.alea(String(seed));
  const flips = new Uint8Array(n);
  for (let i = 0; i < n; i++) flips[i] = rng() < 0.5 ? 1 : 0;
  return flips;
}

/** Checks a user-supplied seed: a non-negative safe integer. */
export function isValidSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
