import { NotFoundError, ValidationError } from '../errors';
import { catalogName, validateNamespaceLevel } from './resource-name';
import type { NamespacePath } from '../../persistence/models';
import type { CatalogsPort } from '../../persistence/ports';

/**
 * Helpers shared by the branch, commit, tag, merge and asset endpoints: the required `?catalog=` query
 * parameter, catalog existence, and the dot-joined names of the management API (DESIGN §2.2).
 */

/** The `catalog` query parameter, required on branch and tag routes (contract management §1.3.2). */
export function requireCatalogQuery(query: Record<string, unknown> | undefined): string {
  const value = query?.catalog;
  if (value === undefined) throw new ValidationError('Failed to deserialize query string: missing field `catalog`');
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError('Failed to deserialize query string: catalog: expected one non-empty string');
  }
  return catalogName(value);
}

export async function requireCatalogExists(catalogs: CatalogsPort, tenantId: string, name: string): Promise<void> {
  if (!(await catalogs.getCatalog(tenantId, catalogName(name)))) throw new NotFoundError('catalog', name);
}

/**
 * A qualified asset name `ns1.ns2.asset` (contract management §1.4.4): the last dot-separated part is the
 * asset, the rest the namespace. A name without a dot, or with an empty part, is malformed.
 */
export function parseQualifiedAssetName(qualified: string): { namespace: NamespacePath; name: string } {
  const parts = qualified.split('.');
  if (parts.length < 2 || parts.some((part) => part === '')) {
    throw new ValidationError(
      `Malformed asset name '${qualified}': expected '<namespace>.<asset>' with dot-separated namespace levels`,
    );
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] };
}

/** A dot-joined namespace path segment (`a.b` is `["a","b"]`, contract management §3). */
export function parseDottedNamespace(segment: string): NamespacePath {
  const levels = segment.split('.');
  if (levels.some((level) => level === '')) {
    throw new ValidationError(`Malformed namespace '${segment}': levels are separated by single dots and must not be empty`);
  }
  levels.forEach(validateNamespaceLevel);
  return levels;
}

/** A branch, tag or asset name: non-empty, at most 255 characters, no control characters. */
export function validateName(what: 'branch' | 'tag' | 'asset', name: string): void {
  if (name.trim() === '') throw new ValidationError(`The ${what} name must not be empty`);
  if (name.length > 255) throw new ValidationError(`The ${what} name must be at most 255 characters`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new ValidationError(`The ${what} name must not contain control characters`);
}
