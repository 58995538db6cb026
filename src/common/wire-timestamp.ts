/**
 * Timestamps on the management API wire (contract §0.2): RFC 3339 in UTC with the shortest fraction of 0, 3,
 * 6 or 9 digits. A Date carries milliseconds, so that is none or 3 digits.
 */

/** A typed timestamp (a datetime field of a model): `Z` suffix. */
export function timestampZ(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * A pre-formatted timestamp string (login and token expiries, the merge-operation summary): the same instant
 * and fraction with a `+00:00` suffix. Token expiries come out as whole seconds because they are (JWT `exp`).
 */
export function timestampOffset(date: Date): string {
  return timestampZ(date).replace(/Z$/, '+00:00');
}
