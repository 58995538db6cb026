import { ConflictError, ValidationError } from '../../common/errors';
import { parseJsonLossless } from '../../common/lossless-json';
import { fixtureText } from '../../../test/fixtures/iceberg-table-metadata/fixtures';
import { InvalidTableUpdateError, RequirementFailedError, UnknownTableChangeError } from './errors';
import { assertKnownTableChanges, checkRequirements } from './requirements';
import { validateTableMetadata } from './validate';
import type { TableMetadata } from './types';

/** TableMetadataV2Valid: current snapshot 3055729675574597004 (no refs: main is implicit), schema 1, spec 0, order 3. */
const load = (name = 'TableMetadataV2Valid.json'): TableMetadata =>
  validateTableMetadata(parseJsonLossless(fixtureText(name)));

describe('checkRequirements', () => {
  const metadata = load();

  it.each<[string, Record<string, unknown>]>([
    ['assert-table-uuid (case-insensitive)', { type: 'assert-table-uuid', uuid: '9C12D441-03FE-4693-9A96-A0705DDF69C1' }],
    ['assert-ref-snapshot-id on implicit main (64-bit)', { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 3055729675574597004n }],
    ['assert-ref-snapshot-id null for a missing ref', { type: 'assert-ref-snapshot-id', ref: 'audit', 'snapshot-id': null }],
    ['assert-last-assigned-field-id', { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 3 }],
    ['assert-current-schema-id', { type: 'assert-current-schema-id', 'current-schema-id': 1 }],
    ['assert-last-assigned-partition-id', { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 }],
    ['assert-default-spec-id', { type: 'assert-default-spec-id', 'default-spec-id': 0 }],
    ['assert-default-sort-order-id', { type: 'assert-default-sort-order-id', 'default-sort-order-id': 3 }],
  ])('%s holds', (_label, requirement) => {
    expect(() => checkRequirements(metadata, [requirement])).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['assert-create on an existing table', { type: 'assert-create' }, 'already exists'],
    ['assert-table-uuid', { type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000001' }, 'expected table uuid 00000000-0000-0000-0000-000000000001, found 9c12d441'],
    // One above the actual id: indistinguishable from it as a double, so this checks exact 64-bit comparison.
    ['assert-ref-snapshot-id, id off by one', { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 3055729675574597005n }, 'expected snapshot 3055729675574597005, found 3055729675574597004'],
    ['assert-ref-snapshot-id null while main exists', { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }, 'created concurrently'],
    ['assert-ref-snapshot-id on a missing ref', { type: 'assert-ref-snapshot-id', ref: 'audit', 'snapshot-id': 3055729675574597004n }, "ref 'audit' is missing"],
    ['assert-last-assigned-field-id', { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 2 }, 'expected last assigned field id 2, found 3'],
    ['assert-current-schema-id', { type: 'assert-current-schema-id', 'current-schema-id': 0 }, 'expected current schema id 0, found 1'],
    ['assert-last-assigned-partition-id', { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 999 }, 'expected last assigned partition id 999, found 1000'],
    ['assert-default-spec-id', { type: 'assert-default-spec-id', 'default-spec-id': 1 }, 'expected default spec id 1, found 0'],
    ['assert-default-sort-order-id', { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 }, 'expected default sort order id 0, found 3'],
  ])('%s fails with RequirementFailedError (409) naming it', (_label, requirement, message) => {
    const run = () => checkRequirements(metadata, [requirement]);
    expect(run).toThrow(RequirementFailedError);
    expect(run).toThrow(ConflictError);
    expect(run).toThrow(`Requirement failed: ${String(requirement.type)}`);
    expect(run).toThrow(message);
  });

  it('checks refs from the refs map, tags included', () => {
    const withRefs = validateTableMetadata({
      ...metadata,
      refs: {
        main: { 'snapshot-id': 3055729675574597004n, type: 'branch' },
        v1: { 'snapshot-id': 3051729675574597004n, type: 'tag' },
      },
    });
    expect(() => checkRequirements(withRefs, [{ type: 'assert-ref-snapshot-id', ref: 'v1', 'snapshot-id': 3051729675574597004n }])).not.toThrow();
    expect(() => checkRequirements(withRefs, [{ type: 'assert-ref-snapshot-id', ref: 'v1', 'snapshot-id': null }])).toThrow("tag 'v1'");
  });

  it('treats main as absent when the table has no current snapshot', () => {
    const empty = load('TableMetadataV2ValidMinimal.json');
    expect(() => checkRequirements(empty, [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }])).not.toThrow();
  });

  it('on a missing table, only assert-create holds', () => {
    expect(() => checkRequirements(null, [{ type: 'assert-create' }])).not.toThrow();
    expect(() => checkRequirements(null, [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }])).toThrow(
      'the table does not exist',
    );
  });

  it('rejects an unknown requirement type with UnknownTableChangeError (400) naming it', () => {
    const run = () => checkRequirements(metadata, [{ type: 'assert-table-is-cool' }]);
    expect(run).toThrow(UnknownTableChangeError);
    expect(run).toThrow(ValidationError);
    expect(run).toThrow("Unknown table requirement type 'assert-table-is-cool'");
  });

  it('rejects malformed requirements with a 400, not a 409', () => {
    expect(() => checkRequirements(metadata, [{ type: 'assert-current-schema-id' }])).toThrow(InvalidTableUpdateError);
    expect(() => checkRequirements(metadata, ['assert-create'])).toThrow(InvalidTableUpdateError);
    expect(() => checkRequirements(metadata, [{ uuid: 'x' }])).toThrow(InvalidTableUpdateError);
  });
});

describe('assertKnownTableChanges', () => {
  it('names the first unknown requirement or update, before any requirement is evaluated', () => {
    expect(() => assertKnownTableChanges([{ type: 'assert-create' }], [{ action: 'set-properties', updates: {} }])).not.toThrow();
    expect(() => assertKnownTableChanges([{ type: 'assert-create' }], [{ action: 'drop-everything' }])).toThrow(
      "Unknown table update action 'drop-everything'",
    );
    expect(() => assertKnownTableChanges([{ type: 'nope' }], [])).toThrow(UnknownTableChangeError);
  });
});
