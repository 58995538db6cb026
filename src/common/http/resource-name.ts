import type { PipeTransform } from '@nestjs/common';
import { ValidationError } from '../errors';

const MAX_NAME_LENGTH = 255;

/**
 * Names of tenants, warehouses and catalogs. They are addressed as one URL path segment (a catalog name is
 * also the Iceberg `{prefix}`), so a name must be non-empty, fit a segment (no `/`, not `.` or `..`, which
 * clients and proxies resolve as path steps) and carry no control characters (U+001F is the namespace
 * separator on Iceberg routes). The same rule refuses, with 400, an address that no such name can match
 * (catalogName).
 */
export function validateResourceName(resource: 'tenant' | 'warehouse' | 'catalog', name: string): void {
  if (name.trim() === '') throw new ValidationError(`The ${resource} name must not be empty`);
  if (name === '.' || name === '..') throw new ValidationError(`The ${resource} name must not be '.' or '..'`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`The ${resource} name must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (name.includes('/')) throw new ValidationError(`The ${resource} name must not contain '/'`);
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ValidationError(`The ${resource} name must not contain control characters`);
  }
}

/** A catalog name addressed by a request (path segment, query parameter): refused with 400 unless valid. */
export function catalogName(name: string): string {
  validateResourceName('catalog', name);
  return name;
}

/** `@Param('name', CatalogNamePipe)`: a catalog name from the path, checked by catalogName. */
export class CatalogNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    return catalogName(value);
  }
}

/**
 * One namespace level, wherever it comes from (Iceberg path segment, `parent` query, request body,
 * management dotted path). NUL cannot be stored by every backend (PostgreSQL text refuses it), so it is
 * refused with 400 before any lookup or write.
 */
export function validateNamespaceLevel(level: string): void {
  if (level.includes('\u0000')) throw new ValidationError('Namespace levels must not contain NUL (U+0000)');
}
