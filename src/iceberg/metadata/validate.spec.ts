import { parseJsonLossless, stringifyJsonLossless } from '../../common/lossless-json';
import { ValidationError } from '../../common/errors';
import {
  INVALID_FIXTURES,
  LEGACY_FIXTURES,
  VALID_FIXTURES,
  fixtureText,
  generateTableMetadataText,
} from '../../../test/fixtures/iceberg-table-metadata/fixtures';
import { refs } from './accessors';
import { InvalidTableMetadataError } from './errors';
import { normalizeTableMetadata, validateTableMetadata } from './validate';
import type { TableMetadata } from './types';

const parse = (text: string) => parseJsonLossless(text) as Record<string, unknown>;

describe('validateTableMetadata', () => {
  describe.each(VALID_FIXTURES)('valid fixture %s', (name) => {
    it('validates, and v2/v3 documents come back as the very same object', () => {
      const doc = parse(fixtureText(name));
      const { metadata, repairs } = normalizeTableMetadata(doc, { allowLegacy: false });
      if (doc['format-version'] === 1) {
        // v1 keeps the current schema in `schema`; it is completed to the `schemas` form Java writes.
        expect(repairs).toEqual(expect.arrayContaining(['completed v1 schema as schemas']));
        expect(metadata.schemas).toHaveLength(1);
        expect(metadata['partition-specs']).toEqual([{ 'spec-id': 0, fields: (doc as TableMetadata)['partition-spec'] }]);
        expect(metadata['last-partition-id']).toBe(1000);
      } else {
        expect(repairs).toEqual([]);
        expect(metadata).toBe(doc);
      }
      expect(doc).toEqual(parse(fixtureText(name))); // the input is never modified
    });
  });

  it('keeps 64-bit snapshot ids exact through validation and serialization', () => {
    const metadata = validateTableMetadata(parse(fixtureText('TableMetadataV2Valid.json')));
    expect(metadata['current-snapshot-id']).toBe(3055729675574597004n);
    expect(stringifyJsonLossless(metadata)).toContain('"current-snapshot-id":3055729675574597004');
  });

  describe.each(INVALID_FIXTURES)('invalid fixture %s', (name, message) => {
    it.each([true, false])('is rejected with ValidationError (allowLegacy %s)', (allowLegacy) => {
      const doc = parse(fixtureText(name));
      expect(() => validateTableMetadata(doc, { allowLegacy })).toThrow(InvalidTableMetadataError);
      expect(() => validateTableMetadata(doc, { allowLegacy })).toThrow(ValidationError);
      expect(() => validateTableMetadata(doc, { allowLegacy })).toThrow(message);
    });
  });

  describe.each(LEGACY_FIXTURES)('legacy fixture %s', (name) => {
    it('is rejected in strict mode', () => {
      expect(() => validateTableMetadata(parse(fixtureText(name)), { allowLegacy: false })).toThrow(
        InvalidTableMetadataError,
      );
    });

    it('is repaired by default (contract §7.4) into a document strict validation accepts', () => {
      const { metadata, repairs } = normalizeTableMetadata(parse(fixtureText(name)));
      expect(repairs.length).toBeGreaterThan(0);
      expect(() => validateTableMetadata(metadata, { allowLegacy: false })).not.toThrow();
      for (const schema of metadata.schemas) expect(schema.type).toBe('struct');
      expect(metadata['last-partition-id']).toBe(1000);
    });
  });

  it('repairs a document as Pangolin v0.4.0 wrote it', () => {
    const legacy = {
      'format-version': 2,
      'table-uuid': '3f0a8e47-6c3b-4d9e-9a51-3b3b7c1d2e4f',
      location: 's3://warehouse/cat/db/t',
      'last-sequence-number': 7446468398231234001n, // v0.4.0 stored the snapshot id here
      'last-updated-ms': 1700000000000,
      'last-column-id': 2,
      'current-schema-id': 0,
      schemas: [
        {
          'schema-id': 0,
          'identifier-field-ids': [],
          fields: [
            { id: 1, name: 'id', required: false, type: 'long', doc: null },
            { id: 2, name: 'name', required: false, type: 'string', doc: null },
          ],
        },
      ],
      'current-partition-spec-id': 0,
      'partition-specs': [{ 'spec-id': 0, fields: [] }],
      'default-sort-order-id': 0,
      'sort-orders': [{ 'order-id': 0, fields: [] }],
      properties: null,
      'current-snapshot-id': 7446468398231234001n,
      snapshots: [
        {
          'snapshot-id': 7446468398231234001n,
          'sequence-number': 1,
          'timestamp-ms': 1700000000000,
          'manifest-list': 's3://warehouse/cat/db/t/metadata/snap.avro',
          summary: { operation: 'append' },
        },
      ],
      'snapshot-log': [],
      'metadata-log': [],
    };
    const { metadata, repairs } = normalizeTableMetadata(legacy);
    expect(repairs).toHaveLength(5);
    expect(metadata['default-spec-id']).toBe(0);
    expect(metadata).not.toHaveProperty('current-partition-spec-id');
    expect(metadata['last-partition-id']).toBe(999);
    expect(metadata.properties).toEqual({});
    expect(metadata.schemas[0].type).toBe('struct');
    // No `refs`: main is implicit at the current snapshot, as Java reads it.
    expect(refs(metadata)).toEqual({ main: { 'snapshot-id': 7446468398231234001n, type: 'branch' } });
    expect(metadata['last-sequence-number']).toBe(1);
    expect(() => validateTableMetadata(legacy, { allowLegacy: false })).toThrow(InvalidTableMetadataError);
  });

  it.each<[string, (doc: Record<string, unknown>) => void, string]>([
    ['not an object', () => undefined, 'must be an object'],
    ['a bad table uuid', (d) => (d['table-uuid'] = 'nope'), 'is not a UUID'],
    ['no location', (d) => delete d.location, 'location'],
    ['a fractional last-column-id', (d) => (d['last-column-id'] = 1.5), 'last-column-id'],
    ['an unknown current snapshot', (d) => (d['current-snapshot-id'] = 42), 'current-snapshot-id 42'],
    ['a ref to an unknown snapshot', (d) => ((d.refs as Record<string, unknown>).tag1 = { 'snapshot-id': 5, type: 'tag' }), "ref 'tag1'"],
    ['a duplicate snapshot id', (d) => (d.snapshots as unknown[]).push((d.snapshots as unknown[])[0]), 'used twice'],
    ['a default spec that does not exist', (d) => (d['default-spec-id'] = 9), 'default-spec-id 9'],
    ['a default sort order that does not exist', (d) => (d['default-sort-order-id'] = 9), 'default-sort-order-id 9'],
    ['an unknown column type', (d) => (((d.schemas as any[])[0].fields[0].type = 'varchar')), "unknown type 'varchar'"],
    ['a v3 type in v2', (d) => (((d.schemas as any[])[0].fields[0].type = 'timestamp_ns')), 'needs table format version 3'],
    ['a duplicate field id', (d) => (d.schemas as any[])[0].fields.push({ id: 1, name: 'dup', required: false, type: 'int' }), 'field id 1 twice'],
    ['non-string properties', (d) => (d.properties = { a: 1 }), "value of 'a'"],
    ['main ref disagreeing with current-snapshot-id', (d) => ((d.refs as any).main['snapshot-id'] = 7446468398231234001n), 'does not match the main branch'],
    ['a v3 document without next-row-id', (d) => { d['format-version'] = 3; }, 'next-row-id'],
  ])('rejects %s', (_label, mutate, message) => {
    const doc = parse(generateTableMetadataText({ snapshots: 3 }));
    const result = mutate(doc);
    const target = _label === 'not an object' ? result : doc;
    expect(() => validateTableMetadata(target)).toThrow(InvalidTableMetadataError);
    expect(() => validateTableMetadata(target)).toThrow(message);
  });

  it('accepts a generated document with thousands of snapshots unchanged', () => {
    const doc = parse(generateTableMetadataText({ snapshots: 5000 }));
    const { metadata, repairs } = normalizeTableMetadata(doc, { allowLegacy: false });
    expect(repairs).toEqual([]);
    expect(metadata).toBe(doc);
  });
});
