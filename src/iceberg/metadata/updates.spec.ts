import { ValidationError } from '../../common/errors';
import { parseJsonLossless, stringifyJsonLossless } from '../../common/lossless-json';
import {
  fixtureText,
  generateTableMetadataText,
  generatedSnapshotId,
} from '../../../test/fixtures/iceberg-table-metadata/fixtures';
import { currentSnapshotId, refs } from './accessors';
import { InvalidTableUpdateError, UnknownTableChangeError } from './errors';
import { applyTableUpdates, applyUpdates } from './updates';
import { validateTableMetadata } from './validate';
import type { Snapshot, TableMetadata } from './types';

const NOW = 1800000000000;
const PREVIOUS = 's3://bucket/test/location/metadata/00003-4b1f1b5e-3c59-4bd5-b7e0-6ce3a0f2a1b7.metadata.json';
const ctx = { nowMs: NOW, previousMetadataLocation: PREVIOUS };

const load = (name: string): TableMetadata => validateTableMetadata(parseJsonLossless(fixtureText(name)));
const v2 = () => load('TableMetadataV2Valid.json');

/** A snapshot as PyIceberg's append sends it; ids above 2^53. */
function appendSnapshot(id: bigint, parent: bigint | null, sequenceNumber: number, extra: Record<string, unknown> = {}): Snapshot {
  return {
    'snapshot-id': id,
    ...(parent === null ? {} : { 'parent-snapshot-id': parent }),
    'sequence-number': sequenceNumber,
    'timestamp-ms': NOW - 5,
    'manifest-list': `s3://bucket/test/location/metadata/snap-${id}.avro`,
    summary: { operation: 'append', 'added-records': '10' },
    'schema-id': 1,
    ...extra,
  };
}

function expectInvalid(metadata: TableMetadata | null, updates: unknown[], message: string): void {
  const run = () => applyUpdates(metadata, updates, ctx);
  expect(run).toThrow(InvalidTableUpdateError);
  expect(run).toThrow(ValidationError);
  expect(run).toThrow(message);
}

describe('applyUpdates', () => {
  describe('append (add-snapshot + set-snapshot-ref main)', () => {
    it('adds the snapshot, moves main, logs it and keeps 64-bit ids exact', () => {
      const base = v2();
      const before = structuredClone(base);
      const id = 7446468398231234001n;
      const result = applyUpdates(
        base,
        [
          { action: 'add-snapshot', snapshot: appendSnapshot(id, 3055729675574597004n, 35) },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
        ],
        ctx,
      );
      expect(result.snapshots).toHaveLength(3);
      expect(result['current-snapshot-id']).toBe(id);
      expect(result.refs).toEqual({ main: { 'snapshot-id': id, type: 'branch' } });
      expect(result['last-sequence-number']).toBe(35);
      expect(result['snapshot-log']!.at(-1)).toEqual({ 'timestamp-ms': NOW - 5, 'snapshot-id': id });
      expect(result['last-updated-ms']).toBe(NOW);
      expect(result['metadata-log']).toEqual([{ 'timestamp-ms': 1602638573590, 'metadata-file': PREVIOUS }]);
      expect(base).toEqual(before); // pure: the input is untouched

      const text = stringifyJsonLossless(result);
      expect(text).toContain('"current-snapshot-id":7446468398231234001');
      expect(text).toContain('"parent-snapshot-id":3055729675574597004');
      expect(validateTableMetadata(parseJsonLossless(text), { allowLegacy: false })).toEqual(result);
    });

    it('add-snapshot alone moves no ref and not current-snapshot-id', () => {
      const result = applyUpdates(v2(), [{ action: 'add-snapshot', snapshot: appendSnapshot(42n ** 11n, 3055729675574597004n, 35) }], ctx);
      expect(result['current-snapshot-id']).toBe(3055729675574597004n);
      expect(result).not.toHaveProperty('refs');
      expect(result['snapshot-log']).toHaveLength(2);
    });

    it('rejects a sequence number that does not increase, except for a snapshot without parent', () => {
      expectInvalid(v2(), [{ action: 'add-snapshot', snapshot: appendSnapshot(1n, 3055729675574597004n, 34) }], 'is not greater than');
      const parentless = applyUpdates(v2(), [{ action: 'add-snapshot', snapshot: appendSnapshot(1n, null, 3) }], ctx);
      expect(parentless['last-sequence-number']).toBe(34);
      expect(parentless.snapshots!.at(-1)!['sequence-number']).toBe(3); // kept as sent
    });

    it('rejects a duplicate snapshot id and a malformed snapshot', () => {
      expectInvalid(v2(), [{ action: 'add-snapshot', snapshot: appendSnapshot(3055729675574597004n, null, 40) }], 'already exists');
      expectInvalid(v2(), [{ action: 'add-snapshot', snapshot: { 'snapshot-id': 'x' } }], 'snapshot-id must be a 64-bit integer');
      expectInvalid(v2(), [{ action: 'add-snapshot', snapshot: { 'snapshot-id': 5, 'timestamp-ms': 1 } }], 'manifest-list');
    });

    it('keeps unknown snapshot fields as sent', () => {
      const snapshot = appendSnapshot(99n, 3055729675574597004n, 40, { 'custom-field': { nested: [1, 2] } });
      const result = applyUpdates(v2(), [{ action: 'add-snapshot', snapshot }], ctx);
      expect(result.snapshots!.at(-1)).toEqual(snapshot);
    });
  });

  describe('refs', () => {
    it('rejects a ref to an unknown snapshot and a tag with branch retention settings', () => {
      expectInvalid(v2(), [{ action: 'set-snapshot-ref', 'ref-name': 'x', type: 'branch', 'snapshot-id': 3055729675574597005n }], 'snapshot 3055729675574597005 does not exist');
      expectInvalid(v2(), [{ action: 'set-snapshot-ref', 'ref-name': 'x', type: 'tag', 'snapshot-id': 3055729675574597004n, 'min-snapshots-to-keep': 2 }], 'a tag cannot have min-snapshots-to-keep');
      expectInvalid(v2(), [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'tag', 'snapshot-id': 3055729675574597004n }], 'main must be a branch');
    });

    it('keeps retention settings, and setting the same ref again is a no-op', () => {
      const ref = { 'ref-name': 'audit', type: 'branch', 'snapshot-id': 3051729675574597004n, 'max-ref-age-ms': 86400000, 'min-snapshots-to-keep': 3 };
      const once = applyUpdates(v2(), [{ action: 'set-snapshot-ref', ...ref }], ctx);
      expect(once.refs!.audit).toEqual({ 'snapshot-id': 3051729675574597004n, type: 'branch', 'max-ref-age-ms': 86400000, 'min-snapshots-to-keep': 3 });
      // A document without refs has an implicit main, which is written out with the first ref change.
      expect(once.refs!.main).toEqual({ 'snapshot-id': 3055729675574597004n, type: 'branch' });
      expect(once['current-snapshot-id']).toBe(3055729675574597004n); // not main: current unchanged
      const again = applyTableUpdates(once, [{ action: 'set-snapshot-ref', ...ref }], ctx);
      expect(again.changed).toBe(false);
      expect(again.metadata).toBe(once);
    });

    it('remove-snapshot-ref of main clears the current snapshot (null in v2)', () => {
      const result = applyUpdates(v2(), [{ action: 'remove-snapshot-ref', 'ref-name': 'main' }], ctx);
      expect(result['current-snapshot-id']).toBeNull();
      expect(result.refs).toEqual({});
      expect(applyTableUpdates(v2(), [{ action: 'remove-snapshot-ref', 'ref-name': 'nope' }], ctx).changed).toBe(false);
    });

    it('remove-snapshots drops the snapshots, refs left dangling, their statistics and older log entries', () => {
      const base = load('TableMetadataStatisticsFiles.json');
      const withHistory = applyUpdates(
        base,
        [
          { action: 'add-snapshot', snapshot: appendSnapshot(8000000000000000001n, 3055729675574597004n, 35) },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 8000000000000000001n },
          { action: 'set-snapshot-ref', 'ref-name': 'old', type: 'tag', 'snapshot-id': 3055729675574597004n },
        ],
        ctx,
      );
      const result = applyUpdates(withHistory, [{ action: 'remove-snapshots', 'snapshot-ids': [3055729675574597004n, 123] }], ctx);
      expect(result.snapshots!.map((s) => s['snapshot-id'])).toEqual([8000000000000000001n]);
      expect(Object.keys(refs(result))).toEqual(['main']);
      expect(result.statistics).toEqual([]);
      expect(result['snapshot-log']).toEqual([{ 'timestamp-ms': NOW - 5, 'snapshot-id': 8000000000000000001n }]);

      const removeCurrent = applyUpdates(withHistory, [{ action: 'remove-snapshots', 'snapshot-ids': [8000000000000000001n] }], ctx);
      expect(currentSnapshotId(removeCurrent)).toBeNull();
      expect(refs(removeCurrent)).not.toHaveProperty('main');
    });
  });

  describe('schema evolution', () => {
    const evolved = {
      type: 'struct',
      'schema-id': 2,
      fields: [
        { id: 1, name: 'x', required: true, type: 'long' },
        { id: 2, name: 'y', required: true, type: 'long', doc: 'comment' },
        { id: 3, name: 'z', required: true, type: 'long' },
        { id: 4, name: 'pt', required: false, type: { type: 'struct', fields: [{ id: 5, name: 'lat', required: true, type: 'double' }] } },
      ],
    };

    it('add-schema + set-current-schema(-1) adds it and raises last-column-id to the nested maximum', () => {
      const result = applyUpdates(v2(), [{ action: 'add-schema', schema: evolved }, { action: 'set-current-schema', 'schema-id': -1 }], ctx);
      expect(result.schemas.map((s) => s['schema-id'])).toEqual([0, 1, 2]);
      expect(result['current-schema-id']).toBe(2);
      expect(result['last-column-id']).toBe(5);
      // A second evolution builds on the new last-column-id (v0.4.0 never updated it).
      const again = applyUpdates(result, [
        { action: 'add-schema', schema: { ...evolved, 'schema-id': 3, fields: [...evolved.fields, { id: 6, name: 'w', required: false, type: 'string' }] }, 'last-column-id': 6 },
        { action: 'set-current-schema', 'schema-id': -1 },
      ], ctx);
      expect(again['last-column-id']).toBe(6);
      expect(again['current-schema-id']).toBe(3);
    });

    it('reuses an identical schema, and picks a fresh id when the sent one is taken', () => {
      const base = v2();
      const same = applyTableUpdates(base, [{ action: 'add-schema', schema: { ...base.schemas[1], 'schema-id': 7 } }, { action: 'set-current-schema', 'schema-id': -1 }], ctx);
      expect(same.changed).toBe(false);
      const taken = applyUpdates(base, [{ action: 'add-schema', schema: { ...evolved, 'schema-id': 0 } }], ctx);
      expect(taken.schemas.at(-1)!['schema-id']).toBe(2);
    });

    it('rejects -1 without an added schema, unknown ids, invalid schemas and removing the current schema', () => {
      expectInvalid(v2(), [{ action: 'set-current-schema', 'schema-id': -1 }], 'needs a schema added in the same commit');
      expectInvalid(v2(), [{ action: 'set-current-schema', 'schema-id': 9 }], 'schema 9 does not exist');
      expectInvalid(v2(), [{ action: 'add-schema', schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'text' }] } }], "unknown type 'text'");
      expectInvalid(v2(), [{ action: 'remove-schemas', 'schema-ids': [1] }], 'is the current schema');
      expect(applyUpdates(v2(), [{ action: 'remove-schemas', 'schema-ids': [0] }], ctx).schemas.map((s) => s['schema-id'])).toEqual([1]);
    });
  });

  describe('partition specs and sort orders', () => {
    it('add-spec + set-default-spec(-1) assigns missing field ids above last-partition-id', () => {
      const result = applyUpdates(v2(), [
        { action: 'add-spec', spec: { fields: [{ name: 'x', transform: 'identity', 'source-id': 1, 'field-id': 1000 }, { name: 'y_bucket', transform: 'bucket[8]', 'source-id': 2 }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
      ], ctx);
      expect(result['partition-specs'][1]).toEqual({
        'spec-id': 1,
        fields: [{ name: 'x', transform: 'identity', 'source-id': 1, 'field-id': 1000 }, { name: 'y_bucket', transform: 'bucket[8]', 'source-id': 2, 'field-id': 1001 }],
      });
      expect(result['default-spec-id']).toBe(1);
      expect(result['last-partition-id']).toBe(1001);
    });

    it('reuses an identical spec; rejects unknown sources, unknown ids and removing the default spec', () => {
      const same = applyTableUpdates(v2(), [{ action: 'add-spec', spec: { fields: [{ name: 'x', transform: 'identity', 'source-id': 1, 'field-id': 1000 }] } }, { action: 'set-default-spec', 'spec-id': -1 }], ctx);
      expect(same.changed).toBe(false);
      expectInvalid(v2(), [{ action: 'add-spec', spec: { fields: [{ name: 'q', transform: 'identity', 'source-id': 42 }] } }], 'source column 42');
      expectInvalid(v2(), [{ action: 'set-default-spec', 'spec-id': 5 }], 'partition spec 5 does not exist');
      expectInvalid(v2(), [{ action: 'remove-partition-specs', 'spec-ids': [0] }], 'is the default spec');
    });

    it('add-sort-order + set-default-sort-order(-1); the unsorted order is always 0', () => {
      const order = { 'order-id': 3, fields: [{ transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' }] };
      const result = applyUpdates(v2(), [{ action: 'add-sort-order', 'sort-order': order }, { action: 'set-default-sort-order', 'sort-order-id': -1 }], ctx);
      expect(result['sort-orders']!.at(-1)).toEqual({ ...order, 'order-id': 4 });
      expect(result['default-sort-order-id']).toBe(4);
      const unsorted = applyUpdates(v2(), [{ action: 'add-sort-order', 'sort-order': { 'order-id': 5, fields: [] } }, { action: 'set-default-sort-order', 'sort-order-id': -1 }], ctx);
      expect(unsorted['sort-orders']!.map((o) => o['order-id'])).toEqual([3, 0]);
      expect(unsorted['default-sort-order-id']).toBe(0);
      expectInvalid(v2(), [{ action: 'set-default-sort-order', 'sort-order-id': 9 }], 'sort order 9 does not exist');
    });

    it('keeps a free id a client sends, otherwise takes the next one; a sorted order never gets id 0', () => {
      const specFields = (name: string) => ({ fields: [{ name, transform: 'identity', 'source-id': 2 }] });
      const addSpec = (spec: object) => applyUpdates(v2(), [{ action: 'add-spec', spec }], ctx)['partition-specs'].at(-1)!['spec-id'];
      expect(addSpec({ ...specFields('a'), 'spec-id': 7 })).toBe(7);
      expect(addSpec({ ...specFields('b'), 'spec-id': 0 })).toBe(1);
      expect(addSpec({ ...specFields('c'), 'spec-id': -2 })).toBe(1);

      const evolved = { ...v2().schemas[1], fields: [...v2().schemas[1].fields, { id: 4, name: 'n', required: false, type: 'long' }] };
      const addSchema = (schemaId: unknown) =>
        applyUpdates(v2(), [{ action: 'add-schema', schema: { ...evolved, 'schema-id': schemaId } }], ctx).schemas.at(-1)!['schema-id'];
      expect(addSchema(5)).toBe(5);
      expect(addSchema(1.5)).toBe(2);

      const order = (orderId: number) => ({ 'order-id': orderId, fields: [{ transform: 'identity', 'source-id': 2, direction: 'asc', 'null-order': 'nulls-first' }] });
      const addOrder = (orderId: number) =>
        applyUpdates(v2(), [{ action: 'add-sort-order', 'sort-order': order(orderId) }], ctx)['sort-orders']!.at(-1)!['order-id'];
      expect(addOrder(2)).toBe(2);
      expect(addOrder(0)).toBe(4);
    });
  });

  describe('properties, location, uuid, statistics', () => {
    it('merges and removes properties; unchanged values are a no-op', () => {
      const result = applyUpdates(v2(), [{ action: 'set-properties', updates: { a: '1', b: '2' } }, { action: 'remove-properties', removals: ['b', 'absent'] }], ctx);
      expect(result.properties).toEqual({ a: '1' });
      const noop = applyTableUpdates(result, [{ action: 'set-properties', updates: { a: '1' } }, { action: 'remove-properties', removals: ['b'] }], ctx);
      expect(noop).toEqual({ metadata: result, changed: false });
      expectInvalid(v2(), [{ action: 'set-properties', updates: { a: 1 } }], "value of 'a' must be a string");
    });

    it('bounds metadata-log by write.metadata.previous-versions-max', () => {
      let metadata = applyUpdates(v2(), [{ action: 'set-properties', updates: { 'write.metadata.previous-versions-max': '2' } }], ctx);
      for (let i = 0; i < 4; i++) {
        metadata = applyUpdates(metadata, [{ action: 'set-properties', updates: { n: String(i) } }], { nowMs: NOW + i, previousMetadataLocation: `s3://m/0000${i}.metadata.json` });
      }
      expect(metadata['metadata-log']!.map((e) => e['metadata-file'])).toEqual(['s3://m/00002.metadata.json', 's3://m/00003.metadata.json']);
    });

    it('never moves last-updated-ms backwards', () => {
      const result = applyUpdates(v2(), [{ action: 'set-location', location: 's3://new/place' }], { nowMs: 5, previousMetadataLocation: null });
      expect(result['last-updated-ms']).toBe(1602638573590);
      expect(result.location).toBe('s3://new/place');
      expect(result['metadata-log']).toEqual([]);
      expectInvalid(v2(), [{ action: 'set-location', location: '  ' }], 'location must be a non-empty string');
    });

    it('assign-uuid: same uuid is a no-op, another uuid is refused on an existing table', () => {
      expect(applyTableUpdates(v2(), [{ action: 'assign-uuid', uuid: '9C12D441-03FE-4693-9A96-A0705DDF69C1' }], ctx).changed).toBe(false);
      expectInvalid(v2(), [{ action: 'assign-uuid', uuid: '11111111-2222-3333-4444-555555555555' }], 'cannot be changed');
    });

    it('upserts and removes statistics and partition statistics by snapshot id', () => {
      const stats = { 'snapshot-id': 3055729675574597004n, 'statistics-path': 's3://a/b/new.puffin', 'file-size-in-bytes': 10, 'file-footer-size-in-bytes': 2, 'blob-metadata': [] };
      const set = applyUpdates(load('TableMetadataStatisticsFiles.json'), [{ action: 'set-statistics', 'snapshot-id': 3055729675574597004n, statistics: stats }], ctx);
      expect(set.statistics).toEqual([stats]);
      expect(applyUpdates(set, [{ action: 'remove-statistics', 'snapshot-id': 3055729675574597004n }], ctx).statistics).toEqual([]);
      const part = { 'snapshot-id': 3055729675574597004n, 'statistics-path': 's3://a/b/p.parquet', 'file-size-in-bytes': 43 };
      const withPart = applyUpdates(v2(), [{ action: 'set-partition-statistics', 'partition-statistics': part }], ctx);
      expect(withPart['partition-statistics']).toEqual([part]);
      expect(applyUpdates(withPart, [{ action: 'remove-partition-statistics', 'snapshot-id': 3055729675574597004n }], ctx)['partition-statistics']).toEqual([]);
      expectInvalid(v2(), [{ action: 'set-statistics', 'snapshot-id': 1, statistics: stats }], 'does not match');
    });
  });

  describe('format versions', () => {
    it('upgrades v1 to v2: sequence numbers and sort orders appear, v1-only keys go, -1 becomes null', () => {
      const v1 = load('TableMetadataV1Valid.json');
      const result = applyUpdates(v1, [{ action: 'upgrade-format-version', 'format-version': 2 }], ctx);
      expect(result['format-version']).toBe(2);
      expect(result['last-sequence-number']).toBe(0);
      expect(result['sort-orders']).toEqual([{ 'order-id': 0, fields: [] }]);
      expect(result).not.toHaveProperty('schema');
      expect(result).not.toHaveProperty('partition-spec');
      expect(result['current-snapshot-id']).toBeNull();
    });

    it('keeps the v1 single-schema keys in step on a v1 commit', () => {
      const v1 = load('TableMetadataV1Valid.json');
      const result = applyUpdates(v1, [
        { action: 'add-schema', schema: { type: 'struct', fields: [...v1.schemas[0].fields, { id: 4, name: 'w', required: false, type: 'string' }] } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ], ctx);
      expect(result.schema).toEqual(result.schemas[1]);
      expect(result).not.toHaveProperty('last-sequence-number');
    });

    it('refuses downgrades and versions above 3; v3 tracks row lineage', () => {
      expectInvalid(v2(), [{ action: 'upgrade-format-version', 'format-version': 1 }], 'cannot downgrade');
      expectInvalid(v2(), [{ action: 'upgrade-format-version', 'format-version': 4 }], 'format version 4 is not supported');
      expectInvalid(v2(), [{ action: 'enable-row-lineage' }], 'needs table format version 3');
      const v3 = applyUpdates(v2(), [{ action: 'upgrade-format-version', 'format-version': 3 }, { action: 'enable-row-lineage' }], ctx);
      expect(v3['next-row-id']).toBe(0);
      expectInvalid(v3, [{ action: 'add-snapshot', snapshot: appendSnapshot(9n, 3055729675574597004n, 35) }], 'first-row-id');
      const appended = applyUpdates(v3, [{ action: 'add-snapshot', snapshot: appendSnapshot(9n, 3055729675574597004n, 35, { 'first-row-id': 0, 'added-rows': 250 }) }], ctx);
      expect(appended['next-row-id']).toBe(250);
      expectInvalid(appended, [{ action: 'add-snapshot', snapshot: appendSnapshot(10n, 9n, 36, { 'first-row-id': 100, 'added-rows': 1 }) }], 'is behind the table');
    });
  });

  it('rejects unknown actions (UnknownTableChangeError) and encryption keys (400)', () => {
    expect(() => applyUpdates(v2(), [{ action: 'set-current-view-version', 'view-version-id': 1 }], ctx)).toThrow(UnknownTableChangeError);
    expect(() => applyUpdates(v2(), [{ action: 'set-current-view-version' }], ctx)).toThrow("Unknown table update action 'set-current-view-version'");
    expectInvalid(v2(), [{ action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k', 'encrypted-key-metadata': 'AA==' } }], 'encryption keys are not supported');
    expectInvalid(v2(), [{ nope: true }], 'has no "action"');
  });

  it('a create transaction (PyIceberg create_table_transaction) builds a valid table from nothing', () => {
    const uuid = '0f3e7c1a-2b4d-4e6f-8a9b-1c2d3e4f5a6b';
    const result = applyTableUpdates(
      null,
      [
        { action: 'assign-uuid', uuid },
        { action: 'upgrade-format-version', 'format-version': 2 },
        { action: 'add-schema', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }, { id: 2, name: 'ts', required: false, type: 'timestamptz' }] }, 'last-column-id': 2 },
        { action: 'set-current-schema', 'schema-id': -1 },
        { action: 'add-spec', spec: { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, transform: 'day', name: 'ts_day' }] } },
        { action: 'set-default-spec', 'spec-id': -1 },
        { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
        { action: 'set-default-sort-order', 'sort-order-id': -1 },
        { action: 'set-location', location: 's3://warehouse/db/t' },
        { action: 'set-properties', updates: { owner: 'me' } },
      ],
      { nowMs: NOW, previousMetadataLocation: null },
    );
    expect(result.changed).toBe(true);
    expect(result.metadata).toMatchObject({
      'format-version': 2,
      'table-uuid': uuid,
      location: 's3://warehouse/db/t',
      'last-column-id': 2,
      'current-schema-id': 0,
      'default-spec-id': 0,
      'last-partition-id': 1000,
      'default-sort-order-id': 0,
      properties: { owner: 'me' },
      'current-snapshot-id': null,
      'metadata-log': [],
    });
    expect(() => applyUpdates(null, [{ action: 'set-location', location: 's3://x' }], { nowMs: NOW, previousMetadataLocation: null })).toThrow('resulting table metadata is invalid');
  });

  it('commits to a document with 20000 snapshots without touching the rest of it', () => {
    const text = generateTableMetadataText({ snapshots: 20000 });
    const base = validateTableMetadata(parseJsonLossless(text), { allowLegacy: false });
    const parent = generatedSnapshotId(19999);
    const id = 9223372036854775807n;
    const result = applyUpdates(base, [
      { action: 'add-snapshot', snapshot: appendSnapshot(id, parent, 20001) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ], ctx);
    const out = stringifyJsonLossless(result);
    // Everything up to the end of the old snapshot list is byte-identical; the new snapshot follows.
    const oldSnapshots = text.slice(text.indexOf('"snapshots":['), text.indexOf('],"statistics"'));
    expect(out).toContain(oldSnapshots + ',{"snapshot-id":9223372036854775807,"parent-snapshot-id":' + parent.toString());
    expect(out).toContain('"current-snapshot-id":9223372036854775807,');
    expect(out).toContain('"refs":{"main":{"snapshot-id":9223372036854775807,"type":"branch"}}');
    expect(out).toContain('"last-sequence-number":20001,');
    const reparsed = validateTableMetadata(parseJsonLossless(out), { allowLegacy: false });
    expect(reparsed.snapshots![12345]['snapshot-id']).toBe(generatedSnapshotId(12345));
  });
});
