import { ValidationError } from '../common/errors';
import {
  AssetState,
  ConflictDecision,
  parseManualValue,
  parseResolutionStrategy,
  sameContent,
  threeWayMerge,
} from './three-way-merge';

const KEY = 'sales.orders';

function asset(overrides: Partial<AssetState> & { props?: Record<string, string> } = {}): AssetState {
  const { props, ...rest } = overrides;
  return {
    id: 'a1',
    namespace: ['sales'],
    name: 'orders',
    kind: 'ICEBERG_TABLE',
    location: 's3://w/sales/orders',
    properties: props ?? { metadata_location: 's3://w/sales/orders/metadata/v1.json' },
    ...rest,
  };
}

const v1 = asset();
const v2 = asset({ props: { metadata_location: 's3://w/sales/orders/metadata/v2.json' } });
const v3 = asset({ props: { metadata_location: 's3://w/sales/orders/metadata/v3.json' } });

function states(state: AssetState | null): Map<string, AssetState> {
  return state ? new Map([[KEY, state]]) : new Map();
}

function merge(base: AssetState | null, source: AssetState | null, target: AssetState | null, decision?: ConflictDecision) {
  return threeWayMerge(states(base), states(source), states(target), decision ? new Map([[KEY, decision]]) : undefined);
}

describe('threeWayMerge truth table', () => {
  type Expected = 'no-op' | { put: AssetState } | 'delete' | { conflict: string };
  const cases: [string, AssetState | null, AssetState | null, AssetState | null, Expected][] = [
    ['unchanged on both sides', v1, v1, v1, 'no-op'],
    ['changed on source only', v1, v2, v1, { put: v2 }],
    ['changed on target only', v1, v1, v2, 'no-op'],
    ['changed identically on both sides', v1, v2, v2, 'no-op'],
    ['changed differently on both sides (both committed the table)', v1, v2, v3, { conflict: 'SchemaChange' }],
    ['deleted on source only', v1, null, v1, 'delete'],
    ['deleted on target only', v1, v1, null, 'no-op'],
    ['deleted on both sides', v1, null, null, 'no-op'],
    ['deleted on source, changed on target', v1, null, v2, { conflict: 'DeletionConflict' }],
    ['changed on source, deleted on target', v1, v2, null, { conflict: 'DeletionConflict' }],
    ['added on source only', null, v1, null, { put: v1 }],
    ['added on target only', null, null, v1, 'no-op'],
    ['added on both sides with the same content', null, v1, v1, 'no-op'],
    ['added on both sides with different content', null, v1, v2, { conflict: 'SchemaChange' }],
  ];

  it.each(cases)('%s', (_name, base, source, target, expected) => {
    const outcome = merge(base, source, target);
    if (expected === 'no-op') {
      expect(outcome).toEqual({ puts: [], deletes: [], conflicts: [], resolvedKeys: [] });
    } else if (expected === 'delete') {
      expect(outcome.puts).toEqual([]);
      expect(outcome.deletes).toEqual([{ namespace: ['sales'], name: 'orders' }]);
      expect(outcome.conflicts).toEqual([]);
    } else if ('put' in expected) {
      expect(outcome.puts).toEqual([expected.put]);
      expect(outcome.deletes).toEqual([]);
      expect(outcome.conflicts).toEqual([]);
    } else {
      expect(outcome.puts).toEqual([]);
      expect(outcome.deletes).toEqual([]);
      expect(outcome.conflicts).toHaveLength(1);
      expect(Object.keys(outcome.conflicts[0].conflictType)).toEqual([expected.conflict]);
    }
  });

  it('types a deletion conflict with the side that deleted and the side that modified', () => {
    const [sourceDeleted] = merge(v1, null, v2).conflicts;
    expect(sourceDeleted.conflictType).toEqual({
      DeletionConflict: { asset_name: KEY, deleted_in: 'source', modified_in: 'target' },
    });
    expect(sourceDeleted.assetId).toBe('a1');
    const [targetDeleted] = merge(v1, v2, null).conflicts;
    expect(targetDeleted.conflictType).toEqual({
      DeletionConflict: { asset_name: KEY, deleted_in: 'target', modified_in: 'source' },
    });
  });

  it('shows both sides of a schema change', () => {
    const [conflict] = merge(v1, v2, v3).conflicts;
    expect(conflict.conflictType).toEqual({
      SchemaChange: {
        asset_name: KEY,
        source_schema: { kind: 'ICEBERG_TABLE', location: v2.location, metadata_location: v2.properties.metadata_location },
        target_schema: { kind: 'ICEBERG_TABLE', location: v3.location, metadata_location: v3.properties.metadata_location },
      },
    });
    expect(conflict.description).toContain('metadata_location');
  });

  it('a location or kind changed on both sides is a schema change', () => {
    const generic = asset({ kind: 'PARQUET_TABLE', props: {} });
    const moved = merge(generic, { ...generic, location: 's3://a' }, { ...generic, location: 's3://b' });
    expect(Object.keys(moved.conflicts[0].conflictType)).toEqual(['SchemaChange']);
    const retyped = merge(generic, { ...generic, kind: 'CSV_TABLE' }, { ...generic, kind: 'JSON_TABLE' });
    expect(Object.keys(retyped.conflicts[0].conflictType)).toEqual(['SchemaChange']);
  });

  it('properties changed differently on both sides are a metadata conflict naming them', () => {
    const base = asset({ props: { owner: 'ann', tier: 'gold', keep: 'x' } });
    const source = asset({ props: { owner: 'bob', tier: 'silver', keep: 'x' } });
    const target = asset({ props: { owner: 'cid', keep: 'x' } });
    const [conflict] = merge(base, source, target).conflicts;
    expect(conflict.conflictType).toEqual({ MetadataConflict: { asset_name: KEY, conflicting_properties: ['owner', 'tier'] } });
  });

  it('merges changes to different fields of the same asset without a conflict', () => {
    const base = asset({ props: { metadata_location: 'm1', owner: 'ann', tier: 'gold' } });
    const source = asset({ props: { metadata_location: 'm2', owner: 'ann', tier: 'gold' } });
    const target = asset({ props: { metadata_location: 'm1', owner: 'bob', tier: 'gold', added: 'yes' }, id: 'target-id' });
    const outcome = merge(base, source, target);
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.puts).toEqual([
      { ...target, properties: { metadata_location: 'm2', owner: 'bob', tier: 'gold', added: 'yes' } },
    ]);
  });

  it('added on both sides: distinct properties are united, same-key differences conflict', () => {
    const source = asset({ props: { a: '1' } });
    const target = asset({ props: { b: '2' } });
    expect(merge(null, source, target).puts).toEqual([{ ...target, properties: { a: '1', b: '2' } }]);
    const clash = merge(null, asset({ props: { a: '1' } }), asset({ props: { a: '2' } }));
    expect(clash.conflicts[0].conflictType).toEqual({ MetadataConflict: { asset_name: KEY, conflicting_properties: ['a'] } });
  });

  it('ignores ids and property order when comparing', () => {
    expect(sameContent(asset({ id: 'x', props: { a: '1', b: '2' } }), asset({ id: 'y', props: { b: '2', a: '1' } }))).toBe(true);
    expect(sameContent(asset({ props: { a: '1' } }), asset({ props: { a: '1', b: '2' } }))).toBe(false);
    expect(merge(null, asset({ id: 'x' }), asset({ id: 'y' })).puts).toEqual([]);
  });

  it('handles many keys independently and in a stable order', () => {
    const other = (name: string, loc: string): AssetState => ({ ...asset({ name, location: loc }), id: name });
    const base = new Map([['s.a', other('a', '1')], ['s.b', other('b', '1')], ['s.c', other('c', '1')]]);
    const source = new Map([['s.a', other('a', '2')], ['s.c', other('c', '1')], ['s.d', other('d', '1')]]);
    const target = new Map([['s.a', other('a', '1')], ['s.b', other('b', '1')], ['s.c', other('c', '3')]]);
    const outcome = threeWayMerge(base, source, target);
    expect(outcome.puts.map((p) => p.name)).toEqual(['a', 'd']);
    expect(outcome.deletes.map((d) => d.name)).toEqual(['b']);
    expect(outcome.conflicts).toEqual([]);
  });
});

describe('threeWayMerge decisions', () => {
  const cases: [string, AssetState | null, AssetState | null, AssetState | null, ConflictDecision, 'no-op' | 'delete' | AssetState][] = [
    ['TakeSource on a schema change puts the source', v1, v2, v3, { strategy: 'TakeSource' }, v2],
    ['TakeTarget on a schema change keeps the target', v1, v2, v3, { strategy: 'TakeTarget' }, 'no-op'],
    ['TakeSource of a source deletion deletes from the target', v1, null, v2, { strategy: 'TakeSource' }, 'delete'],
    ['TakeTarget of a source deletion keeps the target', v1, null, v2, { strategy: 'TakeTarget' }, 'no-op'],
    ['TakeSource of a target deletion restores the source version', v1, v2, null, { strategy: 'TakeSource' }, v2],
    ['TakeTarget of a target deletion keeps it deleted', v1, v2, null, { strategy: 'TakeTarget' }, 'no-op'],
    ['Manual null deletes', v1, v2, v3, { strategy: 'Manual', manual: null }, 'delete'],
    [
      'Manual value overrides the source version, keeping the target id',
      v1,
      { ...v2, id: 'src' },
      { ...v3, id: 'tgt' },
      { strategy: 'Manual', manual: { properties: { metadata_location: 'chosen' } } },
      { ...v2, id: 'tgt', properties: { metadata_location: 'chosen' } },
    ],
  ];

  it.each(cases)('%s', (_name, base, source, target, decision, expected) => {
    const outcome = merge(base, source, target, decision);
    expect(outcome.conflicts).toEqual([]);
    expect(outcome.resolvedKeys).toEqual([KEY]);
    if (expected === 'no-op') {
      expect(outcome.puts).toEqual([]);
      expect(outcome.deletes).toEqual([]);
    } else if (expected === 'delete') {
      expect(outcome.puts).toEqual([]);
      expect(outcome.deletes).toEqual([{ namespace: ['sales'], name: 'orders' }]);
    } else {
      expect(outcome.puts).toEqual([expected]);
      expect(outcome.deletes).toEqual([]);
    }
  });

  it('a decision for a key without a conflict changes nothing', () => {
    const outcome = merge(v1, v2, v1, { strategy: 'TakeTarget' });
    expect(outcome.puts).toEqual([v2]);
    expect(outcome.resolvedKeys).toEqual([]);
  });

  it('AutoMerge cannot settle a real conflict', () => {
    expect(() => merge(v1, v2, v3, { strategy: 'AutoMerge' })).toThrow(ValidationError);
  });
});

describe('resolution input parsing', () => {
  it.each([
    ['TakeSource', 'TakeSource'],
    ['TakeTarget', 'TakeTarget'],
    ['Manual', 'Manual'],
    ['source', 'TakeSource'],
    ['target', 'TakeTarget'],
    ['manual', 'Manual'],
    ['AutoMerge', 'AutoMerge'],
    ['takesource', undefined],
    ['toString', undefined],
    [3, undefined],
  ])('strategy %p -> %p', (raw, expected) => {
    expect(parseResolutionStrategy(raw)).toBe(expected);
  });

  it('accepts null and partial objects as a manual value', () => {
    expect(parseManualValue(null)).toBeNull();
    expect(parseManualValue({ location: 's3://x', extra: 1 })).toEqual({ location: 's3://x' });
    expect(parseManualValue({ kind: 'VIEW', properties: { a: 'b' } })).toEqual({ kind: 'VIEW', properties: { a: 'b' } });
  });

  it.each([[[]], ['text'], [{}], [{ kind: 'TABLE' }], [{ location: 3 }], [{ properties: { a: 1 } }], [{ properties: null }]])(
    'rejects %p as a manual value',
    (raw) => {
      expect(() => parseManualValue(raw)).toThrow(ValidationError);
    },
  );
});
