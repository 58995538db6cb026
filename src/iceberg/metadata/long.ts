import type { Long } from './types';

/**
 * 64-bit integers of Iceberg metadata. The lossless JSON parser yields a JS number for safe integers and a
 * bigint otherwise; every Long this module creates follows the same canonical rule, so two equal values
 * always have the same representation. The helpers below still compare by value, so a non-canonical input
 * (a bigint holding a small value) cannot cause a false mismatch.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True for an integer (number or bigint) within the signed 64-bit range. */
export function isLong(value: unknown): value is Long {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  return false;
}

/** Canonical form: a number when it is a safe integer, else a bigint. */
export function toLong(value: bigint | number): Long {
  if (typeof value === 'number') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

export function longToBigInt(value: Long): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

export function longEquals(a: Long, b: Long): boolean {
  if (typeof a === typeof b) return a === b;
  return longToBigInt(a) === longToBigInt(b);
}

export function compareLong(a: Long, b: Long): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = longToBigInt(a);
  const y = longToBigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function maxLong(a: Long, b: Long): Long {
  return compareLong(a, b) >= 0 ? a : b;
}

export function addLong(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return toLong(longToBigInt(a) + longToBigInt(b));
}

/** Decimal text of the value; a stable map key for snapshot ids. */
export function longKey(value: Long): string {
  return value.toString();
}
