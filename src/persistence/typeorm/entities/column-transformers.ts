import type { ValueTransformer } from 'typeorm';

/**
 * Column transformers shared by the PostgreSQL and SQLite mappings, so one entity class serves both
 * dialects: JSON is kept as text (exact round trip, key order included, which `jsonb` would not keep) and
 * instants as epoch milliseconds in a bigint (PostgreSQL returns bigint as a string, SQLite as a number).
 */

/** A JSON document in a text column; SQL NULL <-> null. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : value === null ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? null : JSON.parse(value)),
};

/** A bigint that always fits a JS number (epoch milliseconds, counters). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};
