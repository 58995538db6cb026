import { ValidationError } from '../errors';
import type { Pagination } from '../../persistence/models';

/**
 * `limit` and `offset` of a list request (contract management §0.4): optional non-negative integers.
 * Absent means every row from 0; `limit=0` is an empty page; anything else (negative, fractional, text,
 * repeated) is a ValidationError (400).
 */
export function parsePagination(query: Record<string, unknown> | undefined): Pagination {
  const page: Pagination = {};
  const limit = parseNonNegativeInteger(query?.limit, 'limit');
  const offset = parseNonNegativeInteger(query?.offset, 'offset');
  if (limit !== undefined) page.limit = limit;
  if (offset !== undefined) page.offset = offset;
  return page;
}

/** The page of an in-memory list (for lists that must be filtered before they are paged). */
export function slicePage<T>(items: T[], page: Pagination): T[] {
  const offset = page.offset ?? 0;
  return page.limit === undefined ? items.slice(offset) : items.slice(offset, offset + page.limit);
}

function parseNonNegativeInteger(raw: unknown, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new ValidationError(
      `Failed to deserialize query string: ${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}
