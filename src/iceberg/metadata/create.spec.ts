import { ValidationError } from '../../common/errors';
import { buildCreateTableMetadata } from './create';
import { validateTableMetadata } from './validate';
import type { CreateTableRequest } from './types';

const ctx = { location: 's3://warehouse/cat/db/events/', tableUuid: '5d4b2a3c-1e0f-4a9b-8c7d-6e5f4a3b2c1d', nowMs: 1700000000123 };

/** What PyIceberg sends for `create_table(schema, partition_spec, sort_order)`. */
const pyicebergRequest = (): CreateTableRequest => ({
  name: 'events',
  schema: {
    type: 'struct',
    'schema-id': 0,
    'identifier-field-ids': [1],
    fields: [
      { id: 1, name: 'id', type: 'long', required: true, doc: 'primary key' },
      { id: 2, name: 'ts', type: 'timestamptz', required: false },
      {
        id: 3,
        name: 'tags',
        type: { type: 'list', 'element-id': 6, element: 'string', 'element-required': false },
        required: false,
      },
      {
        id: 4,
        name: 'attrs',
        type: { type: 'map', 'key-id': 7, key: 'string', 'value-id': 8, value: 'decimal(10, 2)', 'value-required': true },
        required: false,
      },
      {
        id: 5,
        name: 'location',
        type: { type: 'struct', fields: [{ id: 9, name: 'lat', type: 'double', required: true }] },
        required: false,
      },
    ],
  },
  'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, transform: 'day', name: 'ts_day' }] },
  'write-order': {
    'order-id': 1,
    fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }],
  },
  'stage-create': false,
  properties: { owner: 'etl', 'write.format.default': 'parquet' },
});

describe('buildCreateTableMetadata', () => {
  it('writes a spec-conformant v2 document, keeping the schema, spec and order as sent', () => {
    const request = pyicebergRequest();
    const metadata = buildCreateTableMetadata(request, ctx);
    expect(Object.keys(metadata)).toEqual([
      'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id',
      'current-schema-id', 'schemas', 'default-spec-id', 'partition-specs', 'last-partition-id',
      'default-sort-order-id', 'sort-orders', 'properties', 'current-snapshot-id', 'refs', 'snapshots',
      'statistics', 'partition-statistics', 'snapshot-log', 'metadata-log',
    ]);
    expect(metadata).toMatchObject({
      'format-version': 2,
      'table-uuid': ctx.tableUuid,
      location: 's3://warehouse/cat/db/events',
      'last-sequence-number': 0,
      'last-updated-ms': ctx.nowMs,
      'last-column-id': 9, // nested ids count
      'current-schema-id': 0,
      'default-spec-id': 0,
      'last-partition-id': 1000,
      'default-sort-order-id': 1,
      properties: { owner: 'etl', 'write.format.default': 'parquet' },
      'current-snapshot-id': null,
      refs: {},
      snapshots: [],
      'snapshot-log': [],
      'metadata-log': [],
    });
    const schema = metadata.schemas[0];
    expect(schema).toEqual({ ...(request.schema as object), type: 'struct', 'schema-id': 0 });
    expect(Object.keys(schema).slice(0, 2)).toEqual(['type', 'schema-id']);
    expect(metadata['partition-specs']).toEqual([
      { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, transform: 'day', name: 'ts_day' }] },
    ]);
    expect(metadata['sort-orders']).toEqual([
      { 'order-id': 0, fields: [] },
      { 'order-id': 1, fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
    ]);
    expect(() => validateTableMetadata(metadata, { allowLegacy: false })).not.toThrow();
  });

  it('defaults: empty struct schema, unpartitioned (last-partition-id 999), unsorted, properties {}', () => {
    const metadata = buildCreateTableMetadata({ name: 't' }, ctx);
    expect(metadata.schemas).toEqual([{ type: 'struct', 'schema-id': 0, fields: [] }]);
    expect(metadata['last-column-id']).toBe(0);
    expect(metadata['partition-specs']).toEqual([{ 'spec-id': 0, fields: [] }]);
    expect(metadata['last-partition-id']).toBe(999);
    expect(metadata['sort-orders']).toEqual([{ 'order-id': 0, fields: [] }]);
    expect(metadata['default-sort-order-id']).toBe(0);
    expect(metadata.properties).toEqual({});
  });

  it('assigns missing partition field ids from 1000 up (after the highest given) and a missing order id', () => {
    const metadata = buildCreateTableMetadata(
      {
        schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int', required: true }, { id: 2, name: 'b', type: 'string', required: false }] },
        'partition-spec': {
          fields: [
            { 'source-id': 1, transform: 'bucket[16]', name: 'a_bucket' },
            { 'source-id': 2, transform: 'truncate[4]', name: 'b_trunc', 'field-id': 1003 },
          ],
        },
        'write-order': { fields: [{ 'source-id': 2, transform: 'identity', direction: 'desc', 'null-order': 'nulls-last' }] },
      },
      ctx,
    );
    expect(metadata['partition-specs'][0].fields.map((f) => f['field-id'])).toEqual([1004, 1003]);
    expect(metadata['last-partition-id']).toBe(1004);
    expect(metadata['default-sort-order-id']).toBe(1);
  });

  it('takes the format version from the format-version property and does not store it', () => {
    const v1 = buildCreateTableMetadata({ ...pyicebergRequest(), properties: { 'format-version': '1', a: 'b' } }, ctx);
    expect(v1['format-version']).toBe(1);
    expect(v1.properties).toEqual({ a: 'b' });
    expect(v1['current-snapshot-id']).toBe(-1);
    expect(v1).not.toHaveProperty('last-sequence-number');
    expect(v1.schema).toEqual(v1.schemas[0]);
    expect(v1['partition-spec']).toEqual(v1['partition-specs'][0].fields);

    const v3 = buildCreateTableMetadata({ properties: { 'format-version': '3' } }, ctx);
    expect(v3['format-version']).toBe(3);
    expect(v3['next-row-id']).toBe(0);
  });

  it('accepts `integer` as `int` and keeps every other type name as sent', () => {
    const metadata = buildCreateTableMetadata(
      { schema: { type: 'struct', fields: [{ id: 1, name: 'n', type: 'integer', required: false }, { id: 2, name: 'f', type: 'fixed[16]', required: true }] } },
      ctx,
    );
    expect(metadata.schemas[0].fields.map((f) => f.type)).toEqual(['int', 'fixed[16]']);
  });

  it.each<[string, CreateTableRequest, string]>([
    ['an unsupported format version', { properties: { 'format-version': '4' } }, "unsupported format-version '4'"],
    ['a non-string property', { properties: { a: 1 } }, "value of 'a'"],
    ['an unknown type', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'varchar', required: true }] } }, "unknown type 'varchar'"],
    ['a v3 type in a v2 table', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'variant', required: false }] } }, 'needs table format version 3'],
    ['a duplicate field id', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int', required: true }, { id: 1, name: 'b', type: 'int', required: true }] } }, 'field id 1 twice'],
    ['a nested duplicate field id', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: { type: 'list', 'element-id': 1, element: 'int', 'element-required': true }, required: true }] } }, 'field id 1 twice'],
    ['a partition source that is not a column', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int', required: true }] }, 'partition-spec': { fields: [{ 'source-id': 7, transform: 'identity', name: 'x' }] } }, 'source column 7'],
    ['a sort source that is not a column', { 'write-order': { fields: [{ 'source-id': 7, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] } }, 'source column 7'],
    ['a bad sort direction', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int', required: true }] }, 'write-order': { fields: [{ 'source-id': 1, transform: 'identity', direction: 'up', 'null-order': 'nulls-first' }] } }, 'direction'],
    ['a missing required flag', { schema: { type: 'struct', fields: [{ id: 1, name: 'a', type: 'int' }] } }, 'required must be a boolean'],
    ['an optional identifier field', { schema: { type: 'struct', 'identifier-field-ids': [1], fields: [{ id: 1, name: 'a', type: 'int', required: false }] } }, 'must be required'],
    ['a non-struct schema', { schema: { type: 'list', fields: [] } }, '"type": "struct"'],
  ])('rejects %s with ValidationError', (_label, request, message) => {
    expect(() => buildCreateTableMetadata(request, ctx)).toThrow(ValidationError);
    expect(() => buildCreateTableMetadata(request, ctx)).toThrow(message);
  });
});

describe('type nesting bound', () => {
  /** A struct with one field whose type is `depth` nested lists (or maps / structs, in turn). */
  function nestedSchema(depth: number): CreateTableRequest['schema'] {
    let type: unknown = 'long';
    let id = 2;
    for (let level = 0; level < depth; level++) {
      const kind = level % 3;
      if (kind === 0) type = { type: 'list', 'element-id': id++, element: type, 'element-required': false };
      else if (kind === 1) type = { type: 'map', 'key-id': id++, key: 'string', 'value-id': id++, value: type, 'value-required': false };
      else type = { type: 'struct', fields: [{ id: id++, name: `f${level}`, type, required: false }] };
    }
    return { type: 'struct', fields: [{ id: 1, name: 'deep', type, required: false }] } as CreateTableRequest['schema'];
  }

  it('accepts types nested up to the bound and refuses deeper ones with a ValidationError naming the nesting', () => {
    expect(() => buildCreateTableMetadata({ name: 'ok', schema: nestedSchema(99) }, ctx)).not.toThrow();
    for (const depth of [101, 10_000]) {
      expect(() => buildCreateTableMetadata({ name: 'deep', schema: nestedSchema(depth) }, ctx)).toThrow(ValidationError);
      expect(() => buildCreateTableMetadata({ name: 'deep', schema: nestedSchema(depth) }, ctx)).toThrow(/nests types deeper than 100 levels/);
    }
  });
});
