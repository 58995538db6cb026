import { ValidationError } from '../../common/errors';
import { noSnapshotId } from './accessors';
import { Fail, JsonObject, isObject, requireInt, requireObject, requireStringMap } from './json-values';
import {
  checkPartitionFields,
  checkSchema,
  checkSortFields,
  fieldIds,
  highestFieldId,
  highestPartitionFieldId,
  normalizeRequestedSchema,
} from './schema';
import {
  CreateTableRequest,
  DEFAULT_FORMAT_VERSION,
  FormatVersion,
  MAX_FORMAT_VERSION,
  PartitionSpec,
  Schema,
  SortOrder,
  TableMetadata,
} from './types';
import { normalizeTableMetadata } from './validate';

export interface CreateTableContext {
  /** Table location chosen by the service (contract §7.1); a trailing `/` is dropped. */
  location: string;
  tableUuid: string;
  nowMs: number;
}

/** Table property that selects the format version at create; it is consumed, not stored (Java does the same). */
export const FORMAT_VERSION_PROPERTY = 'format-version';

/**
 * The first metadata document of a new table (contract §7.2; Java's `TableMetadata.newTableMetadata` is the
 * reference for the shape).
 *
 * Ids: Java's catalog re-assigns fresh column, partition-field and sort-order ids at create. PyIceberg and
 * Java clients already send fresh ids, and the UI and other tools read the ids they sent back, so this
 * catalog keeps the schema, partition spec and sort order exactly as sent (field ids, `required`, nested
 * types, docs, defaults, unknown keys) and only fills in what is missing: `"type": "struct"`, schema id 0,
 * spec id 0, partition field ids from 1000 up, sort order id 1. It computes `last-column-id` and
 * `last-partition-id` itself and rejects what would make the table unreadable (unknown types, duplicate
 * field ids or names, partition or sort sources that are not columns): ValidationError, HTTP 400.
 * The one leniency is the type name `integer`, stored as the spec's `int`.
 */
export function buildCreateTableMetadata(request: CreateTableRequest, ctx: CreateTableContext): TableMetadata {
  const fail: Fail = (message) => new ValidationError(`Invalid create table request: ${message}`);
  requireObject(request, 'the request body', fail);

  const properties: Record<string, string> =
    request.properties === undefined || request.properties === null
      ? {}
      : { ...requireStringMap(request.properties, 'properties', fail) };
  const formatVersion = takeFormatVersion(properties, fail);

  // Schema: absent means an empty struct (Pangolin v0.4.0 accepted that; the UI relies on it).
  const requestedSchema =
    request.schema === undefined || request.schema === null
      ? { type: 'struct', fields: [] }
      : normalizeRequestedSchema(requireObject(request.schema, 'schema', fail), fail);
  if (requestedSchema.type === undefined) requestedSchema.type = 'struct';
  checkSchema(requestedSchema, 'schema', fail, { formatVersion, strictIdentifierFields: true });
  const schema = withLeadingKeys(requestedSchema, { type: 'struct', 'schema-id': 0 }) as Schema;
  const columns = fieldIds(schema);

  // Partition spec: fields keep their ids; missing ones continue from the highest given (1000 at least).
  let partitionFields: PartitionSpec['fields'] = [];
  let partitionSpecExtras: JsonObject = {};
  if (request['partition-spec'] !== undefined && request['partition-spec'] !== null) {
    const requestedSpec = requireObject(request['partition-spec'], 'partition-spec', fail);
    const given = Array.isArray(requestedSpec.fields)
      ? requestedSpec.fields.filter(isObject).map((f) => f['field-id']).filter((id): id is number => typeof id === 'number')
      : [];
    partitionFields = checkPartitionFields(requestedSpec.fields, 'partition-spec', fail, {
      sourceIds: columns,
      assignFieldIdsFrom: Math.max(999, ...given) + 1,
    });
    partitionSpecExtras = without(requestedSpec, ['spec-id', 'fields']);
  }
  const spec = { 'spec-id': 0, ...partitionSpecExtras, fields: partitionFields } as PartitionSpec;

  // Sort order: unsorted is always order 0; a requested order keeps its id (1 if it has none or claims 0).
  const sortOrdersList: SortOrder[] = [{ 'order-id': 0, fields: [] }];
  let defaultSortOrderId = 0;
  if (request['write-order'] !== undefined && request['write-order'] !== null) {
    const requestedOrder = requireObject(request['write-order'], 'write-order', fail);
    const fields = checkSortFields(requestedOrder.fields, 'write-order', fail, columns);
    if (fields.length > 0) {
      const requestedId =
        requestedOrder['order-id'] === undefined ? 1 : requireInt(requestedOrder['order-id'], 'write-order order-id', fail);
      defaultSortOrderId = requestedId >= 1 ? requestedId : 1;
      sortOrdersList.push({ ...requestedOrder, 'order-id': defaultSortOrderId, fields } as SortOrder);
    }
  }

  const metadata: JsonObject = {
    'format-version': formatVersion,
    'table-uuid': ctx.tableUuid,
    location: ctx.location.replace(/\/+$/, ''),
  };
  if (formatVersion > 1) metadata['last-sequence-number'] = 0;
  Object.assign(metadata, {
    'last-updated-ms': ctx.nowMs,
    'last-column-id': highestFieldId(schema),
    'current-schema-id': 0,
    schemas: [schema],
    'default-spec-id': 0,
    'partition-specs': [spec],
    'last-partition-id': highestPartitionFieldId([spec]),
    'default-sort-order-id': defaultSortOrderId,
    'sort-orders': sortOrdersList,
    properties,
    'current-snapshot-id': noSnapshotId(formatVersion),
    refs: {},
    snapshots: [],
    statistics: [],
    'partition-statistics': [],
    'snapshot-log': [],
    'metadata-log': [],
  });
  if (formatVersion >= 3) metadata['next-row-id'] = 0;
  if (formatVersion === 1) {
    // v1 readers look for the current schema and default spec under these keys.
    metadata.schema = schema;
    metadata['partition-spec'] = spec.fields;
  }

  const failResult: Fail = (message) => new ValidationError(`Invalid create table request: ${message}`);
  return normalizeTableMetadata(metadata, { allowLegacy: false }, failResult).metadata;
}

function takeFormatVersion(properties: Record<string, string>, fail: Fail): FormatVersion {
  const raw = properties[FORMAT_VERSION_PROPERTY];
  if (raw === undefined) return DEFAULT_FORMAT_VERSION;
  delete properties[FORMAT_VERSION_PROPERTY];
  const version = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!(version >= 1 && version <= MAX_FORMAT_VERSION)) {
    throw fail(`unsupported format-version '${raw}' (supported: 1 to ${MAX_FORMAT_VERSION})`);
  }
  return version as FormatVersion;
}

/** A copy of `obj` whose first keys are `leading` (overriding same-named keys), then the rest in order. */
function withLeadingKeys(obj: JsonObject, leading: JsonObject): JsonObject {
  return { ...leading, ...without(obj, Object.keys(leading)) };
}

function without(obj: JsonObject, keys: string[]): JsonObject {
  const copy: JsonObject = {};
  for (const key of Object.keys(obj)) if (!keys.includes(key)) copy[key] = obj[key];
  return copy;
}
