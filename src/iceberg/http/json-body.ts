import { ValidationError } from '../../common/errors';
import { validateNamespaceLevel } from '../../common/http/resource-name';
import { parseJsonLossless } from '../../common/lossless-json';
import type { NamespacePath, StringMap } from '../../persistence/models';

/**
 * Decoding of the small Iceberg request bodies (namespaces, rename, register) on the main thread. They are
 * parsed losslessly like every Iceberg body; the validators below accept exactly the JSON types the spec
 * allows and answer 400 (BadRequestException) otherwise. Unknown fields are ignored (contract §2.4).
 */
export type JsonObject = Record<string, unknown>;

/** The body as a JSON object; an empty body is `{}` only when `emptyAllowed`. */
export function parseJsonObjectBody(rawBody: unknown, options: { emptyAllowed?: boolean } = {}): JsonObject {
  const body = requireRawBody(rawBody);
  if (body.length === 0 || body.toString('utf8').trim() === '') {
    if (options.emptyAllowed) return {};
    throw new ValidationError('A JSON request body is required');
  }
  // Malformed JSON or invalid UTF-8 is a ValidationError (400) naming the problem.
  const value = parseJsonLossless(body);
  if (!isJsonObject(value)) throw new ValidationError('Request body must be a JSON object');
  return value;
}

/**
 * The bytes the Iceberg raw-body parser attached. No body gives an empty buffer; a body another parser
 * consumed (a form body, i.e. a non-JSON media type) is refused as 400.
 */
export function requireRawBody(rawBody: unknown): Buffer {
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody === undefined || rawBody === null) return Buffer.alloc(0);
  throw new ValidationError('Request body must be JSON (Content-Type: application/json)');
}

/** The raw bytes of a body that must not be empty (table create and commit: parsed off the main thread). */
export function nonEmptyBody(rawBody: unknown): Buffer {
  const body = requireRawBody(rawBody);
  if (body.length === 0) throw new ValidationError('A JSON request body is required');
  return body;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A lone UTF-16 surrogate: valid in JSON text (`"\ud800"`), but not Unicode. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses text that is not valid Unicode before it can reach a store: PostgreSQL rejects a lone surrogate
 * in jsonb and silently replaces it in text columns, so such a name would fail (5xx) or be corrupted.
 */
export function assertWellFormedText(value: string, what: string): string {
  if (LONE_SURROGATE.test(value)) throw new ValidationError(`${what} contains a lone UTF-16 surrogate (not valid Unicode)`);
  return value;
}

export function requiredString(obj: JsonObject, field: string, context = 'request'): string {
  const value = obj[field];
  if (typeof value !== 'string') throw new ValidationError(`Field '${field}' of the ${context} must be a string`);
  return assertWellFormedText(value, `Field '${field}' of the ${context}`);
}

export function optionalString(obj: JsonObject, field: string, context = 'request'): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`Field '${field}' of the ${context} must be a string`);
  return assertWellFormedText(value, `Field '${field}' of the ${context}`);
}

export function optionalBoolean(obj: JsonObject, field: string, context = 'request'): boolean | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(`Field '${field}' of the ${context} must be a boolean`);
  return value;
}

/** A namespace as a non-empty array of non-empty strings without U+001F. */
export function requiredNamespace(obj: JsonObject, field: string, context = 'request'): NamespacePath {
  const value = obj[field];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ValidationError(`Field '${field}' of the ${context} must be a non-empty array of strings`);
  }
  for (const level of value) {
    if (typeof level !== 'string' || level === '') {
      throw new ValidationError(`Field '${field}' of the ${context} must contain non-empty strings only`);
    }
    if (level.includes('\u001f')) {
      throw new ValidationError(`Namespace levels must not contain the unit separator (U+001F)`);
    }
    validateNamespaceLevel(level);
    assertWellFormedText(level, `Field '${field}' of the ${context}`);
  }
  return value as string[];
}

/** A string-to-string map; absent or null gives `{}`. */
export function optionalStringMap(obj: JsonObject, field: string, context = 'request'): StringMap {
  const value = obj[field];
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw new ValidationError(`Field '${field}' of the ${context} must be an object of strings`);
  const entries: [string, string][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new ValidationError(`Property '${key}' in '${field}' of the ${context} must be a string`);
    }
    assertWellFormedText(key, `A key in '${field}' of the ${context}`);
    entries.push([key, assertWellFormedText(v, `Property '${key}' in '${field}' of the ${context}`)]);
  }
  // fromEntries defines each key as an own property: a property named `__proto__` stays a plain key.
  return Object.fromEntries(entries);
}

export function optionalStringArray(obj: JsonObject, field: string, context = 'request'): string[] {
  const value = obj[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ValidationError(`Field '${field}' of the ${context} must be an array of strings`);
  }
  for (const item of value as string[]) assertWellFormedText(item, `Field '${field}' of the ${context}`);
  return value as string[];
}

/** `{"namespace": [...], "name": "..."}` (TableIdentifier). */
export function requiredTableIdentifier(obj: JsonObject, field: string): { namespace: NamespacePath; name: string } {
  const value = obj[field];
  if (!isJsonObject(value)) throw new ValidationError(`Field '${field}' must be a table identifier object`);
  const namespace = requiredNamespace(value, 'namespace', `'${field}' identifier`);
  const name = requiredString(value, 'name', `'${field}' identifier`);
  if (name === '') throw new ValidationError(`Field '${field}.name' must not be empty`);
  return { namespace, name };
}
