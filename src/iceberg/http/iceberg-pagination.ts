import { ValidationError } from '../../common/errors';
import type { Pagination } from '../../persistence/models';

/**
 * Pagination of the Iceberg list endpoints (contract iceberg-rest §5.1): the spec's `pageToken`/`pageSize`
 * and Pangolin's `limit`/`offset` are both accepted. Without any of them everything is returned and no
 * `next-page-token` is sent (an implicit cap would truncate clients that do not page). When the client
 * pages, `next-page-token` is the opaque token of the next page, or null on the last page.
 */
export interface IcebergPageRequest {
  /** What to ask the port for; `limit` is one more than the page size so "more rows" can be detected. */
  query: Pagination;
  /** Rows to return at most; undefined means every row. */
  pageSize?: number;
  offset: number;
  /** The client asked for spec paging (pageToken or pageSize): answer with `next-page-token`. */
  tokenPaging: boolean;
}

export interface IcebergPage<T> {
  items: T[];
  /** Present only when the client asked for token paging. */
  nextPageToken?: string | null;
}

const TOKEN_PREFIX = 'o:';

export function parseIcebergPageRequest(query: Record<string, unknown>): IcebergPageRequest {
  const pageToken = singleValue(query, 'pageToken');
  const pageSize = optionalCount(query, 'pageSize', 1);
  const limit = optionalCount(query, 'limit', 0);
  const offsetParam = optionalCount(query, 'offset', 0);
  const tokenPaging = pageToken !== undefined || pageSize !== undefined;
  const offset = pageToken !== undefined && pageToken !== '' ? decodePageToken(pageToken) : (offsetParam ?? 0);
  const size = pageSize ?? limit;
  return {
    query: size === undefined ? { offset } : { offset, limit: size + 1 },
    pageSize: size,
    offset,
    tokenPaging,
  };
}

/** Trims the extra probe row and computes the next-page token. */
export function toIcebergPage<T>(request: IcebergPageRequest, rows: T[]): IcebergPage<T> {
  const hasMore = request.pageSize !== undefined && rows.length > request.pageSize;
  const items = hasMore ? rows.slice(0, request.pageSize) : rows;
  if (!request.tokenPaging) return { items };
  return { items, nextPageToken: hasMore ? encodePageToken(request.offset + items.length) : null };
}

export function encodePageToken(offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${offset}`, 'utf8').toString('base64url');
}

function decodePageToken(token: string): number {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  const match = /^o:(\d{1,15})$/.exec(decoded);
  if (!match) throw new ValidationError(`Invalid pageToken '${token}'`);
  return Number(match[1]);
}

function singleValue(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`Query parameter ${name} must be given once`);
  return value;
}

function optionalCount(query: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = singleValue(query, name);
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw new ValidationError(`Query parameter ${name} must be an integer >= ${min}, got '${value}'`);
  }
  return Number(value);
}
