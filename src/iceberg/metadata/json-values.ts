import { isLong } from './long';
import type { Long } from './types';

/**
 * Small readers for open JSON. Each takes a `fail` callback that builds the domain error for its caller
 * (create: ValidationError, commit: InvalidTableUpdateError, load: InvalidTableMetadataError), so the same
 * checks produce the right HTTP status in every flow.
 */
export type Fail = (message: string) => Error;

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, what: string, fail: Fail): JsonObject {
  if (!isObject(value)) throw fail(`${what} must be an object`);
  return value;
}

export function requireArray(value: unknown, what: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) throw fail(`${what} must be an array`);
  return value;
}

export function requireString(value: unknown, what: string, fail: Fail): string {
  if (typeof value !== 'string') throw fail(`${what} must be a string`);
  return value;
}

export function requireNonBlankString(value: unknown, what: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '') throw fail(`${what} must be a non-empty string`);
  return value;
}

export function requireBoolean(value: unknown, what: string, fail: Fail): boolean {
  if (typeof value !== 'boolean') throw fail(`${what} must be a boolean`);
  return value;
}

/** A 32-bit signed integer (field ids, schema ids, spec ids, ...). */
export function requireInt(value: unknown, what: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw fail(`${what} must be an integer`);
  }
  return value;
}

/** A 64-bit signed integer (snapshot ids, sequence numbers, timestamps). */
export function requireLong(value: unknown, what: string, fail: Fail): Long {
  if (!isLong(value)) throw fail(`${what} must be a 64-bit integer`);
  return value;
}

export function requireIntArray(value: unknown, what: string, fail: Fail): number[] {
  const array = requireArray(value, what, fail);
  for (const item of array) requireInt(item, `${what} entry`, fail);
  return array as number[];
}

export function requireStringMap(value: unknown, what: string, fail: Fail): Record<string, string> {
  const map = requireObject(value, what, fail);
  for (const key of Object.keys(map)) {
    if (typeof map[key] !== 'string') throw fail(`${what} value of '${key}' must be a string`);
  }
  return map as Record<string, string>;
}

/** JSON equality that ignores object key order and compares 64-bit integers by value. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    if (!Number.isInteger(a) && typeof a !== 'bigint') return false;
    if (!Number.isInteger(b) && typeof b !== 'bigint') return false;
    return BigInt(a) === BigInt(b);
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEquals(item, other[i]));
  }
  const x = a as JsonObject;
  const y = b as JsonObject;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && jsonEquals(x[k], y[k]));
}
