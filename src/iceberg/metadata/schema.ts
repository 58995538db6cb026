import {
  Fail,
  JsonObject,
  isObject,
  jsonEquals,
  requireArray,
  requireBoolean,
  requireInt,
  requireIntArray,
  requireNonBlankString,
  requireObject,
  requireString,
} from './json-values';
import type {
  FormatVersion,
  IcebergType,
  PartitionField,
  PartitionSpec,
  Schema,
  SortField,
  SortOrder,
  StructType,
} from './types';

/**
 * Schemas, partition specs and sort orders: structural validation and the helpers the builder needs
 * (highest field id, "same schema / spec / order" for id reuse). Validation never rewrites what a client
 * sent; the only leniency, `integer` for `int`, is applied by `normalizeRequestedSchema` on request input.
 */

const PRIMITIVES = new Set([
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'string',
  'uuid',
  'binary',
]);
const V3_PRIMITIVES = new Set(['timestamp_ns', 'timestamptz_ns', 'variant', 'unknown', 'geometry', 'geography']);
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;
const FIXED = /^fixed\[\s*(\d+)\s*\]$/;
const GEO = /^(geometry|geography)\s*\(.*\)$/;

/**
 * How deeply struct, list and map types may nest. Far beyond any real table; the checks and copies of a
 * schema recurse once per level, so an unbounded depth (10,000 nested lists) would overflow the stack.
 */
export const MAX_TYPE_NESTING_DEPTH = 100;

/**
 * Refuses a schema whose types nest deeper than MAX_TYPE_NESTING_DEPTH. Iterative, so it is safe at any
 * depth; every entry point that walks a schema (normalizeRequestedSchema, checkSchema) calls it first.
 */
export function checkTypeNesting(schema: JsonObject, what: string, fail: Fail): void {
  const pending: Array<{ type: unknown; depth: number }> = [{ type: schema, depth: 0 }];
  while (pending.length > 0) {
    const { type, depth } = pending.pop()!;
    if (!isObject(type)) continue;
    if (depth > MAX_TYPE_NESTING_DEPTH) {
      throw fail(`${what} nests types deeper than ${MAX_TYPE_NESTING_DEPTH} levels`);
    }
    const next = depth + 1;
    if (type.type === 'list') {
      pending.push({ type: type.element, depth: next });
    } else if (type.type === 'map') {
      pending.push({ type: type.key, depth: next }, { type: type.value, depth: next });
    } else if (Array.isArray(type.fields)) {
      for (const field of type.fields) if (isObject(field)) pending.push({ type: field.type, depth: next });
    }
  }
}

export interface SchemaCheckOptions {
  formatVersion: FormatVersion;
  /** Identifier fields must be required primitives (checked on schemas a client adds, not on files read). */
  strictIdentifierFields: boolean;
}

/**
 * Checks one schema (`type: struct`, fields, unique field ids and sibling names, known types, identifier
 * field ids) and returns its field ids.
 */
export function checkSchema(schema: JsonObject, what: string, fail: Fail, options: SchemaCheckOptions): Set<number> {
  if (schema.type !== 'struct') throw fail(`${what} must have "type": "struct"`);
  checkTypeNesting(schema, what, fail);
  const ids = new Map<number, { type: IcebergType; required: boolean; nestedInCollection: boolean }>();
  checkStruct(schema, what, fail, options.formatVersion, ids, false);
  const identifierFieldIds = schema['identifier-field-ids'];
  if (identifierFieldIds !== undefined) {
    for (const id of requireIntArray(identifierFieldIds, `${what} identifier-field-ids`, fail)) {
      const field = ids.get(id);
      if (!field) throw fail(`${what} identifier field id ${id} does not exist`);
      if (options.strictIdentifierFields) {
        if (typeof field.type !== 'string') throw fail(`${what} identifier field ${id} must be a primitive type`);
        if (!field.required) throw fail(`${what} identifier field ${id} must be required`);
        if (field.nestedInCollection) throw fail(`${what} identifier field ${id} cannot be nested in a list or map`);
        if (field.type === 'float' || field.type === 'double') {
          throw fail(`${what} identifier field ${id} cannot be of type ${field.type}`);
        }
      }
    }
  }
  return new Set(ids.keys());
}

function checkStruct(
  struct: JsonObject,
  what: string,
  fail: Fail,
  formatVersion: FormatVersion,
  ids: Map<number, { type: IcebergType; required: boolean; nestedInCollection: boolean }>,
  inCollection: boolean,
): void {
  const fields = requireArray(struct.fields, `${what} fields`, fail);
  const names = new Set<string>();
  for (const raw of fields) {
    const field = requireObject(raw, `${what} field`, fail);
    const id = requireInt(field.id, `${what} field id`, fail);
    const name = requireString(field.name, `${what} field ${id} name`, fail);
    if (names.has(name)) throw fail(`${what} has two fields named '${name}'`);
    names.add(name);
    const required = requireBoolean(field.required, `${what} field '${name}' required`, fail);
    if (field.doc !== undefined && field.doc !== null) requireString(field.doc, `${what} field '${name}' doc`, fail);
    addId(ids, id, { type: field.type as IcebergType, required, nestedInCollection: inCollection }, what, fail);
    checkType(field.type, `${what} field '${name}'`, fail, formatVersion, ids, inCollection);
  }
}

function addId(
  ids: Map<number, { type: IcebergType; required: boolean; nestedInCollection: boolean }>,
  id: number,
  info: { type: IcebergType; required: boolean; nestedInCollection: boolean },
  what: string,
  fail: Fail,
): void {
  if (ids.has(id)) throw fail(`${what} uses field id ${id} twice`);
  ids.set(id, info);
}

function checkType(
  type: unknown,
  what: string,
  fail: Fail,
  formatVersion: FormatVersion,
  ids: Map<number, { type: IcebergType; required: boolean; nestedInCollection: boolean }>,
  inCollection: boolean,
): void {
  if (typeof type === 'string') {
    checkPrimitive(type, what, fail, formatVersion);
    return;
  }
  const nested = requireObject(type, `${what} type`, fail);
  switch (nested.type) {
    case 'struct':
      checkStruct(nested, what, fail, formatVersion, ids, inCollection);
      return;
    case 'list': {
      const elementId = requireInt(nested['element-id'], `${what} element-id`, fail);
      const required = requireBoolean(nested['element-required'], `${what} element-required`, fail);
      addId(ids, elementId, { type: nested.element as IcebergType, required, nestedInCollection: true }, what, fail);
      checkType(nested.element, `${what} element`, fail, formatVersion, ids, true);
      return;
    }
    case 'map': {
      const keyId = requireInt(nested['key-id'], `${what} key-id`, fail);
      const valueId = requireInt(nested['value-id'], `${what} value-id`, fail);
      const valueRequired = requireBoolean(nested['value-required'], `${what} value-required`, fail);
      addId(ids, keyId, { type: nested.key as IcebergType, required: true, nestedInCollection: true }, what, fail);
      addId(ids, valueId, { type: nested.value as IcebergType, required: valueRequired, nestedInCollection: true }, what, fail);
      checkType(nested.key, `${what} key`, fail, formatVersion, ids, true);
      checkType(nested.value, `${what} value`, fail, formatVersion, ids, true);
      return;
    }
    default:
      throw fail(`${what} has an unknown type ${JSON.stringify(nested.type ?? null)}`);
  }
}

function checkPrimitive(type: string, what: string, fail: Fail, formatVersion: FormatVersion): void {
  if (PRIMITIVES.has(type)) return;
  const decimal = DECIMAL.exec(type);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > 38 || scale > precision) throw fail(`${what} has an invalid type '${type}'`);
    return;
  }
  const fixed = FIXED.exec(type);
  if (fixed) {
    if (Number(fixed[1]) < 1) throw fail(`${what} has an invalid type '${type}'`);
    return;
  }
  if (V3_PRIMITIVES.has(type) || GEO.test(type)) {
    if (formatVersion >= 3) return;
    throw fail(`${what} has type '${type}', which needs table format version 3`);
  }
  throw fail(`${what} has an unknown type '${type}'`);
}

/** Highest field id anywhere in the schema (nested struct, list and map ids included); 0 when none. */
export function highestFieldId(struct: StructType | JsonObject): number {
  let highest = 0;
  const visitType = (type: unknown): void => {
    if (!isObject(type)) return;
    if (type.type === 'struct') visitStruct(type);
    else if (type.type === 'list') {
      highest = Math.max(highest, numberOr(type['element-id'], 0));
      visitType(type.element);
    } else if (type.type === 'map') {
      highest = Math.max(highest, numberOr(type['key-id'], 0), numberOr(type['value-id'], 0));
      visitType(type.key);
      visitType(type.value);
    }
  };
  const visitStruct = (s: JsonObject): void => {
    if (!Array.isArray(s.fields)) return;
    for (const field of s.fields) {
      if (!isObject(field)) continue;
      highest = Math.max(highest, numberOr(field.id, 0));
      visitType(field.type);
    }
  };
  visitStruct(struct as JsonObject);
  return highest;
}

/** All field ids of a schema, nested ones included. */
export function fieldIds(struct: StructType | JsonObject): Set<number> {
  const ids = new Set<number>();
  const visitType = (type: unknown): void => {
    if (!isObject(type)) return;
    if (type.type === 'struct') visitStruct(type);
    else if (type.type === 'list') {
      ids.add(type['element-id'] as number);
      visitType(type.element);
    } else if (type.type === 'map') {
      ids.add(type['key-id'] as number);
      ids.add(type['value-id'] as number);
      visitType(type.key);
      visitType(type.value);
    }
  };
  const visitStruct = (s: JsonObject): void => {
    if (!Array.isArray(s.fields)) return;
    for (const field of s.fields) {
      if (!isObject(field)) continue;
      ids.add(field.id as number);
      visitType(field.type);
    }
  };
  visitStruct(struct as JsonObject);
  return ids;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/**
 * A copy of a schema sent by a client, with the one accepted leniency applied: the type name `integer`
 * (sent by some older tools) becomes the spec's `int`. Everything else is kept exactly as sent.
 */
export function normalizeRequestedSchema(schema: JsonObject, fail: Fail): JsonObject {
  checkTypeNesting(schema, 'schema', fail);
  const copy = structuredClone(schema);
  const fixType = (holder: JsonObject, key: string): void => {
    const type = holder[key];
    if (type === 'integer') holder[key] = 'int';
    else if (isObject(type)) visitNested(type);
  };
  const visitNested = (type: JsonObject): void => {
    if (type.type === 'struct' && Array.isArray(type.fields)) {
      for (const field of type.fields) if (isObject(field)) fixType(field, 'type');
    } else if (type.type === 'list') fixType(type, 'element');
    else if (type.type === 'map') {
      fixType(type, 'key');
      fixType(type, 'value');
    }
  };
  if (Array.isArray(copy.fields)) for (const field of copy.fields) if (isObject(field)) fixType(field, 'type');
  return copy;
}

/** Java's `Schema.sameSchema`: same fields (ids, names, types, required, docs, defaults) and identifier ids. */
export function sameSchema(a: Schema | JsonObject, b: Schema | JsonObject): boolean {
  const idsA = [...((a['identifier-field-ids'] as number[] | undefined) ?? [])].sort((x, y) => x - y);
  const idsB = [...((b['identifier-field-ids'] as number[] | undefined) ?? [])].sort((x, y) => x - y);
  return jsonEquals(a.fields, b.fields) && jsonEquals(idsA, idsB);
}

export interface SpecCheckOptions {
  /** Field ids a partition source may reference; undefined skips the check (files read as they are). */
  sourceIds?: Set<number>;
  /** Next id for fields that come without `field-id`; undefined makes a missing id an error. */
  assignFieldIdsFrom?: number;
}

/** Checks a partition spec's fields; returns the fields, with missing field ids assigned when allowed. */
export function checkPartitionFields(
  rawFields: unknown,
  what: string,
  fail: Fail,
  options: SpecCheckOptions,
): PartitionField[] {
  const fields = requireArray(rawFields, `${what} fields`, fail);
  const names = new Set<string>();
  const ids = new Set<number>();
  let nextId = options.assignFieldIdsFrom;
  const result: PartitionField[] = [];
  for (const raw of fields) {
    const field = requireObject(raw, `${what} field`, fail);
    const name = requireNonBlankString(field.name, `${what} field name`, fail);
    if (names.has(name)) throw fail(`${what} has two fields named '${name}'`);
    names.add(name);
    requireNonBlankString(field.transform, `${what} field '${name}' transform`, fail);
    checkSources(field, `${what} field '${name}'`, fail, options.sourceIds);
    let out = field as PartitionField;
    if (field['field-id'] === undefined) {
      if (nextId === undefined) throw fail(`${what} field '${name}' has no field-id`);
      out = { ...field, 'field-id': nextId++ } as PartitionField;
    } else {
      requireInt(field['field-id'], `${what} field '${name}' field-id`, fail);
    }
    if (ids.has(out['field-id'])) throw fail(`${what} uses partition field id ${out['field-id']} twice`);
    ids.add(out['field-id']);
    result.push(out);
  }
  return result;
}

/** Checks a sort order's fields. */
export function checkSortFields(rawFields: unknown, what: string, fail: Fail, sourceIds?: Set<number>): SortField[] {
  const fields = requireArray(rawFields, `${what} fields`, fail);
  for (const raw of fields) {
    const field = requireObject(raw, `${what} field`, fail);
    requireNonBlankString(field.transform, `${what} field transform`, fail);
    checkSources(field, `${what} field`, fail, sourceIds);
    if (field.direction !== 'asc' && field.direction !== 'desc') {
      throw fail(`${what} field direction must be "asc" or "desc"`);
    }
    if (field['null-order'] !== 'nulls-first' && field['null-order'] !== 'nulls-last') {
      throw fail(`${what} field null-order must be "nulls-first" or "nulls-last"`);
    }
  }
  return fields as SortField[];
}

function checkSources(field: JsonObject, what: string, fail: Fail, sourceIds?: Set<number>): void {
  const sources: number[] = [];
  if (field['source-ids'] !== undefined) sources.push(...requireIntArray(field['source-ids'], `${what} source-ids`, fail));
  if (field['source-id'] !== undefined) sources.push(requireInt(field['source-id'], `${what} source-id`, fail));
  if (sources.length === 0) throw fail(`${what} has no source-id`);
  if (sourceIds) {
    for (const id of sources) {
      if (!sourceIds.has(id)) throw fail(`${what} references source column ${id}, which is not in the schema`);
    }
  }
}

/** Java's `PartitionSpec.compatibleWith`: same fields by source, transform and name (ids not compared). */
export function sameSpec(a: PartitionSpec | { fields: PartitionField[] }, b: { fields: PartitionField[] }): boolean {
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i];
    return (
      f.name === g.name &&
      f.transform === g.transform &&
      jsonEquals(f['source-id'], g['source-id']) &&
      jsonEquals(f['source-ids'], g['source-ids'])
    );
  });
}

export function sameSortOrder(a: SortOrder | { fields: SortField[] }, b: { fields: SortField[] }): boolean {
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i];
    return (
      f.transform === g.transform &&
      f.direction === g.direction &&
      f['null-order'] === g['null-order'] &&
      jsonEquals(f['source-id'], g['source-id']) &&
      jsonEquals(f['source-ids'], g['source-ids'])
    );
  });
}

/** Highest partition field id over all specs, or 999 when there are none (Iceberg's initial value). */
export function highestPartitionFieldId(specs: ReadonlyArray<{ fields: PartitionField[] }>): number {
  let highest = 999;
  for (const spec of specs) for (const field of spec.fields) highest = Math.max(highest, field['field-id']);
  return highest;
}
