import { ValidationError } from '../../common/errors';
import { validateNamespaceLevel } from '../../common/http/resource-name';
import { MAIN_BRANCH, NamespacePath } from '../../persistence/models';

/**
 * The one parser for Iceberg path segments (DESIGN §2.2, contract iceberg-rest §1.3). Every route uses it,
 * so a nested namespace is addressed the same way by list, create, load, commit, drop and HEAD.
 *
 * Express has already percent-decoded each segment, so `%1F` arrives as U+001F and `%40` as `@`.
 */

/** Separates namespace levels inside one path segment and in the `parent` query parameter. */
export const NAMESPACE_SEPARATOR = '\u001f';

export interface NamespaceSegment {
  levels: NamespacePath;
  /** Branch named by an `@branch` suffix on the segment, if any. */
  branch?: string;
}

export interface TableSegment {
  name: string;
  /** Branch named by an `@branch` suffix on the segment, if any. */
  branch?: string;
}

/**
 * Splits `name@branch` at the FIRST `@`: names cannot contain `@`, branch names may contain anything
 * (`t@dev/alice@x` is table `t` on branch `dev/alice@x`). An empty branch (`t@`) means no branch.
 */
export function splitBranchSuffix(segment: string): { name: string; branch?: string } {
  const at = segment.indexOf('@');
  if (at < 0) return { name: segment };
  const branch = segment.slice(at + 1);
  return branch === '' ? { name: segment.slice(0, at) } : { name: segment.slice(0, at), branch };
}

/** Namespace levels from a U+001F-joined string; empty levels are dropped; dots are literal. */
export function splitNamespaceLevels(joined: string): NamespacePath {
  const levels = joined.split(NAMESPACE_SEPARATOR).filter((level) => level !== '');
  levels.forEach(validateNamespaceLevel);
  return levels;
}

/** `{namespace}` path segment: levels joined by U+001F, optionally suffixed with `@branch`. */
export function parseNamespaceSegment(segment: string): NamespaceSegment {
  const { name, branch } = splitBranchSuffix(segment);
  const levels = splitNamespaceLevels(name);
  if (levels.length === 0) throw new ValidationError('Namespace must have at least one level');
  return branch === undefined ? { levels } : { levels, branch };
}

/** `{table}` path segment, optionally suffixed with `@branch`. */
export function parseTableSegment(segment: string): TableSegment {
  const { name, branch } = splitBranchSuffix(segment);
  if (name === '') throw new ValidationError('Table name must not be empty');
  return branch === undefined ? { name } : { name, branch };
}

/** The `parent` query parameter of list namespaces: U+001F-joined levels, no branch suffix. */
export function parseParentQuery(parent: string | undefined): NamespacePath | undefined {
  if (parent === undefined || parent === '') return undefined;
  const levels = splitNamespaceLevels(parent);
  if (levels.length === 0) throw new ValidationError('Query parameter parent must name at least one level');
  return levels;
}

/**
 * THE branch resolution order of contract §1.5, for every table-scoped endpoint: table segment `@b`, then
 * namespace segment `@b`, then `?branch=`, then `main`. (Create passes the body name's suffix as `table`.)
 */
export function resolveBranch(sources: { table?: string; namespace?: string; query?: unknown }): string {
  if (sources.table) return sources.table;
  if (sources.namespace) return sources.namespace;
  if (typeof sources.query === 'string' && sources.query !== '') return sources.query;
  return MAIN_BRANCH;
}

/** Human-readable `ns1.ns2.table` for messages and commit messages. */
export function describeTable(namespace: NamespacePath, name: string): string {
  return [...namespace, name].join('.');
}
