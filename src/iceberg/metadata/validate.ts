import { normalizeSnapshotId } from './accessors';
import { InvalidTableMetadataError } from './errors';
import {
  Fail,
  JsonObject,
  requireArray,
  requireInt,
  requireLong,
  requireNonBlankString,
  requireObject,
  requireString,
  requireStringMap,
} from './json-values';
import { compareLong, isLong, longEquals, longKey } from './long';
import { checkPartitionFields, checkSchema, checkSortFields, highestPartitionFieldId } from './schema';
import { FormatVersion, Long, MAX_FORMAT_VERSION, PartitionSpec, Schema, TableMetadata } from './types';

/**
 * Validation of a table metadata document read from a file (load, register, commit base) and of every
 * document this catalog writes. Rules follow the Iceberg table spec and what Java's
 * `TableMetadataParser` requires, since Spark, Trino and Flink read these files with it.
 *
 * Files written by Pangolin v0.4.0 break some of those rules; contract §7.4 requires reading them anyway
 * and repairing them (`allowLegacy`, the default):
 *   - a schema without `"type": "struct"` gets it;
 *   - `current-partition-spec-id` becomes `default-spec-id`;
 *   - a missing v2 `last-partition-id` becomes the highest partition field id (999 when none);
 *   - `"properties": null` becomes `{}`;
 *   - a `last-sequence-number` below the snapshots' highest sequence number (v0.4.0 stored a snapshot id
 *     there) becomes that highest sequence number.
 * With `allowLegacy: false` each of these is an error instead. Standard v1 documents (a single `schema`
 * and `partition-spec`) are normal Iceberg and are always completed to the form Java writes (`schemas`,
 * `partition-specs`, `last-partition-id`).
 */

export interface ValidateOptions {
  allowLegacy?: boolean;
}

export interface NormalizedTableMetadata {
  metadata: TableMetadata;
  /** What was repaired or completed; empty when the document was returned unchanged. */
  repairs: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const failMetadata: Fail = (message) => new InvalidTableMetadataError(message);

/** Validates a parsed document; returns it (repaired if needed) typed as TableMetadata. */
export function validateTableMetadata(doc: unknown, options: ValidateOptions = {}): TableMetadata {
  return normalizeTableMetadata(doc, options).metadata;
}

/**
 * Validates a parsed document and reports the repairs made. The input is never modified; when nothing is
 * repaired the very same object is returned.
 */
export function normalizeTableMetadata(
  doc: unknown,
  options: ValidateOptions = {},
  fail: Fail = failMetadata,
): NormalizedTableMetadata {
  const allowLegacy = options.allowLegacy ?? true;
  const input = requireObject(doc, 'table metadata', fail);
  const repairs: string[] = [];
  let out: JsonObject = input;
  const set = (key: string, value: unknown, repair: string): void => {
    if (out === input) out = { ...input };
    out[key] = value;
    repairs.push(repair);
  };
  const legacy = (repair: string): void => {
    if (!allowLegacy) throw fail(repair);
  };

  const version = input['format-version'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_FORMAT_VERSION) {
    throw fail(`unsupported format-version ${JSON.stringify(version ?? null)} (supported: 1 to ${MAX_FORMAT_VERSION})`);
  }
  const formatVersion = version as FormatVersion;

  const uuid = requireString(input['table-uuid'], 'table-uuid', fail);
  if (!UUID.test(uuid)) throw fail(`table-uuid '${uuid}' is not a UUID`);
  requireNonBlankString(input.location, 'location', fail);
  requireLong(input['last-updated-ms'], 'last-updated-ms', fail);
  const lastColumnId = requireInt(input['last-column-id'], 'last-column-id', fail);

  // Schemas.
  let schemas: Schema[];
  if (input.schemas !== undefined) {
    const raw = requireArray(input.schemas, 'schemas', fail);
    if (raw.length === 0) throw fail('schemas must not be empty');
    let repaired = false;
    schemas = raw.map((item, i) => {
      const schema = requireObject(item, `schemas[${i}]`, fail);
      if (schema.type === undefined) {
        legacy(`schemas[${i}] has no "type": "struct"`);
        repaired = true;
        return { type: 'struct', ...schema } as Schema;
      }
      return schema as Schema;
    });
    if (repaired) set('schemas', schemas, 'added "type": "struct" to schemas');
    requireInt(input['current-schema-id'], 'current-schema-id', fail);
  } else if (formatVersion === 1) {
    if (input.schema === undefined) throw fail('schema is required when schemas is absent');
    let schema = requireObject(input.schema, 'schema', fail);
    if (schema.type === undefined) {
      legacy('schema has no "type": "struct"');
      schema = { type: 'struct', ...schema };
      set('schema', schema, 'added "type": "struct" to schema');
    }
    const schemaId = schema['schema-id'] === undefined ? 0 : requireInt(schema['schema-id'], 'schema-id', fail);
    schemas = [{ ...schema, 'schema-id': schemaId } as Schema];
    set('schemas', schemas, 'completed v1 schema as schemas');
    if (input['current-schema-id'] === undefined) set('current-schema-id', schemaId, 'set current-schema-id');
  } else {
    throw fail(`schemas is required in format version ${formatVersion}`);
  }
  const schemaIds = new Set<number>();
  for (const [i, schema] of schemas.entries()) {
    const id = requireInt(schema['schema-id'], `schemas[${i}] schema-id`, fail);
    if (schemaIds.has(id)) throw fail(`schema id ${id} is used twice`);
    schemaIds.add(id);
    checkSchema(schema, `schema ${id}`, fail, { formatVersion, strictIdentifierFields: false });
  }
  const currentSchemaId = out['current-schema-id'] as number;
  requireInt(currentSchemaId, 'current-schema-id', fail);
  if (!schemaIds.has(currentSchemaId)) throw fail(`current-schema-id ${currentSchemaId} is not among the schemas`);
  if (formatVersion === 1 && input.schema !== undefined) requireObject(out.schema, 'schema', fail);

  // Partition specs.
  let specs: PartitionSpec[];
  if (input['partition-specs'] !== undefined) {
    const raw = requireArray(input['partition-specs'], 'partition-specs', fail);
    if (raw.length === 0) throw fail('partition-specs must not be empty');
    specs = raw.map((item, i) => {
      const spec = requireObject(item, `partition-specs[${i}]`, fail);
      requireInt(spec['spec-id'], `partition-specs[${i}] spec-id`, fail);
      const fields = checkPartitionFields(spec.fields, `partition spec ${String(spec['spec-id'])}`, fail, {
        assignFieldIdsFrom: formatVersion === 1 ? 1000 : undefined,
      });
      const unchanged = fields.every((field, j) => field === (spec.fields as unknown[])[j]);
      return unchanged ? (spec as PartitionSpec) : ({ ...spec, fields } as PartitionSpec);
    });
    if (specs.some((spec, i) => spec !== raw[i])) set('partition-specs', specs, 'assigned v1 partition field ids');
    if (input['default-spec-id'] === undefined) {
      if (input['current-partition-spec-id'] === undefined) throw fail('default-spec-id is required');
      legacy('current-partition-spec-id is used instead of default-spec-id');
      const id = requireInt(input['current-partition-spec-id'], 'current-partition-spec-id', fail);
      out = renameKey(out === input ? { ...input } : out, 'current-partition-spec-id', 'default-spec-id', id);
      repairs.push('renamed current-partition-spec-id to default-spec-id');
    }
  } else if (formatVersion === 1) {
    if (input['partition-spec'] === undefined) throw fail('partition-spec is required when partition-specs is absent');
    const fields = checkPartitionFields(input['partition-spec'], 'partition-spec', fail, { assignFieldIdsFrom: 1000 });
    specs = [{ 'spec-id': 0, fields }];
    set('partition-specs', specs, 'completed v1 partition-spec as partition-specs');
    if (input['default-spec-id'] === undefined) set('default-spec-id', 0, 'set default-spec-id');
  } else {
    throw fail(`partition-specs is required in format version ${formatVersion}`);
  }
  const specIds = new Set<number>();
  for (const spec of specs) {
    if (specIds.has(spec['spec-id'])) throw fail(`partition spec id ${spec['spec-id']} is used twice`);
    specIds.add(spec['spec-id']);
  }
  const defaultSpecId = requireInt(out['default-spec-id'], 'default-spec-id', fail);
  if (!specIds.has(defaultSpecId)) throw fail(`default-spec-id ${defaultSpecId} is not among the partition specs`);

  if (input['last-partition-id'] === undefined) {
    if (formatVersion > 1) legacy(`last-partition-id is required in format version ${formatVersion}`);
    set('last-partition-id', highestPartitionFieldId(specs), 'computed last-partition-id');
  } else {
    requireInt(input['last-partition-id'], 'last-partition-id', fail);
  }

  // Sort orders.
  if (input['sort-orders'] !== undefined) {
    const orders = requireArray(input['sort-orders'], 'sort-orders', fail);
    if (orders.length === 0) throw fail('sort-orders must not be empty');
    const orderIds = new Set<number>();
    for (const [i, item] of orders.entries()) {
      const order = requireObject(item, `sort-orders[${i}]`, fail);
      const id = requireInt(order['order-id'], `sort-orders[${i}] order-id`, fail);
      if (orderIds.has(id)) throw fail(`sort order id ${id} is used twice`);
      orderIds.add(id);
      checkSortFields(order.fields, `sort order ${id}`, fail);
    }
    const defaultOrderId = requireInt(input['default-sort-order-id'], 'default-sort-order-id', fail);
    if (!orderIds.has(defaultOrderId)) {
      throw fail(`default-sort-order-id ${defaultOrderId} is not among the sort orders`);
    }
  } else if (formatVersion > 1) {
    throw fail(`sort-orders is required in format version ${formatVersion}`);
  } else if (input['default-sort-order-id'] !== undefined && input['default-sort-order-id'] !== 0) {
    throw fail('default-sort-order-id refers to a sort order but sort-orders is absent');
  }

  // Properties.
  if (input.properties === null) {
    legacy('properties is null');
    set('properties', {}, 'replaced null properties with {}');
  } else if (input.properties !== undefined) {
    requireStringMap(input.properties, 'properties', fail);
  }

  // Snapshots.
  const snapshotSequenceNumbers = new Map<string, unknown>();
  let highestSequenceNumber: Long = 0;
  if (input.snapshots !== undefined) {
    for (const [i, item] of requireArray(input.snapshots, 'snapshots', fail).entries()) {
      const snapshot = requireObject(item, `snapshots[${i}]`, fail);
      const id = requireLong(snapshot['snapshot-id'], `snapshots[${i}] snapshot-id`, fail);
      const key = longKey(id);
      if (snapshotSequenceNumbers.has(key)) throw fail(`snapshot id ${key} is used twice`);
      requireLong(snapshot['timestamp-ms'], `snapshot ${key} timestamp-ms`, fail);
      const parent = snapshot['parent-snapshot-id'];
      if (parent !== undefined && parent !== null) requireLong(parent, `snapshot ${key} parent-snapshot-id`, fail);
      const sequenceNumber = snapshot['sequence-number'];
      if (sequenceNumber !== undefined) {
        requireLong(sequenceNumber, `snapshot ${key} sequence-number`, fail);
        if (compareLong(sequenceNumber as Long, highestSequenceNumber) > 0) {
          highestSequenceNumber = sequenceNumber as Long;
        }
      }
      if (snapshot['manifest-list'] !== undefined) {
        requireString(snapshot['manifest-list'], `snapshot ${key} manifest-list`, fail);
      } else if (formatVersion > 1 || snapshot.manifests === undefined) {
        throw fail(`snapshot ${key} has no manifest-list`);
      }
      if (snapshot.summary !== undefined) requireObject(snapshot.summary, `snapshot ${key} summary`, fail);
      snapshotSequenceNumbers.set(key, sequenceNumber);
    }
  }
  const snapshotExists = (id: unknown): boolean => isLong(id) && snapshotSequenceNumbers.has(longKey(id));

  const rawCurrent = input['current-snapshot-id'];
  if (rawCurrent !== undefined && rawCurrent !== null) requireLong(rawCurrent, 'current-snapshot-id', fail);
  const current = normalizeSnapshotId(rawCurrent);
  if (current !== null && !snapshotExists(current)) {
    throw fail(`current-snapshot-id ${longKey(current)} is not among the snapshots`);
  }

  // Refs.
  if (input.refs !== undefined) {
    const refs = requireObject(input.refs, 'refs', fail);
    for (const name of Object.keys(refs)) {
      const ref = requireObject(refs[name], `ref '${name}'`, fail);
      const id = requireLong(ref['snapshot-id'], `ref '${name}' snapshot-id`, fail);
      if (!snapshotExists(id)) throw fail(`ref '${name}' points at unknown snapshot ${longKey(id)}`);
      if (ref.type !== 'branch' && ref.type !== 'tag') throw fail(`ref '${name}' type must be "branch" or "tag"`);
    }
    const main = refs.main as JsonObject | undefined;
    if (main && current !== null && !longEquals(main['snapshot-id'] as Long, current)) {
      throw fail('current-snapshot-id does not match the main branch');
    }
    if (main && current === null) {
      legacy('the main branch exists but current-snapshot-id is not set');
      set('current-snapshot-id', main['snapshot-id'], 'set current-snapshot-id from the main branch');
    }
  }
  // A missing `refs` with a current snapshot means main points at it (Java's reader does the same); it is
  // left as is here and written out by the first commit that changes refs (see updates.ts).

  // Sequence numbers.
  if (formatVersion > 1) {
    const last = input['last-sequence-number'];
    if (last === undefined) throw fail(`last-sequence-number is required in format version ${formatVersion}`);
    requireLong(last, 'last-sequence-number', fail);
    // v0.4.0 stored the latest snapshot id here. Real sequence numbers never come near 2^40, random
    // snapshot ids almost always do, so only such a value is treated as a misplaced id and lowered.
    const misplacedSnapshotId =
      snapshotExists(last) && compareLong(last as Long, 2 ** 40) > 0 && compareLong(last as Long, highestSequenceNumber) > 0;
    if (compareLong(last as Long, highestSequenceNumber) < 0 || misplacedSnapshotId) {
      legacy('last-sequence-number is inconsistent with the snapshots');
      set('last-sequence-number', highestSequenceNumber, 'recomputed last-sequence-number');
    }
  } else if (input['last-sequence-number'] !== undefined) {
    requireLong(input['last-sequence-number'], 'last-sequence-number', fail);
  }
  if (formatVersion >= 3) requireLong(input['next-row-id'], 'next-row-id', fail);

  // Logs and statistics.
  if (input['snapshot-log'] !== undefined) {
    for (const item of requireArray(input['snapshot-log'], 'snapshot-log', fail)) {
      const entry = requireObject(item, 'snapshot-log entry', fail);
      requireLong(entry['snapshot-id'], 'snapshot-log snapshot-id', fail);
      requireLong(entry['timestamp-ms'], 'snapshot-log timestamp-ms', fail);
    }
  }
  if (input['metadata-log'] !== undefined) {
    for (const item of requireArray(input['metadata-log'], 'metadata-log', fail)) {
      const entry = requireObject(item, 'metadata-log entry', fail);
      requireString(entry['metadata-file'], 'metadata-log metadata-file', fail);
      requireLong(entry['timestamp-ms'], 'metadata-log timestamp-ms', fail);
    }
  }
  for (const key of ['statistics', 'partition-statistics']) {
    if (input[key] === undefined) continue;
    for (const item of requireArray(input[key], key, fail)) {
      const entry = requireObject(item, `${key} entry`, fail);
      requireLong(entry['snapshot-id'], `${key} snapshot-id`, fail);
      requireString(entry['statistics-path'], `${key} statistics-path`, fail);
    }
  }

  if (lastColumnId < 0) throw fail('last-column-id must not be negative');
  return { metadata: out as TableMetadata, repairs };
}

/** A copy of `obj` with `from` replaced, in place, by `to` = value. */
function renameKey(obj: JsonObject, from: string, to: string, value: unknown): JsonObject {
  const renamed: JsonObject = {};
  for (const key of Object.keys(obj)) {
    if (key === from) renamed[to] = value;
    else if (key !== to) renamed[key] = obj[key];
  }
  return renamed;
}
