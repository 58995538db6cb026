import { ValidationError } from '../errors';

const MAX_NAME_LENGTH = 255;

/**
 * Names of tenants, warehouses and catalogs. They are addressed as one URL path segment (a catalog name is
 * also the Iceberg `{prefix}`), so a name must be non-empty, fit a segment (no `/`) and carry no control
 * characters (U+001F is the namespace separator on Iceberg routes).
 */
export function validateResourceName(resource: 'tenant' | 'warehouse' | 'catalog', name: string): void {
  if (name.trim() === '') throw new ValidationError(`The ${resource} name must not be empty`);
  if (name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`The ${resource} name must be at most ${MAX_NAME_LENGTH} characters`);
  }
  if (name.includes('/')) throw new ValidationError(`The ${resource} name must not contain '/'`);
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new ValidationError(`The ${resource} name must not contain control characters`);
  }
}
