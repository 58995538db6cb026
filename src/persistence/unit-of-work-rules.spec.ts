import { ExpectationFailedError, ValidationError } from '../common/errors';
import { METADATA_LOCATION_PROPERTY, type StringMap } from './models';
import type { AssetKey, AssetPut, BranchChanges } from './ports';
import { assetRowKey, checkChanges, planCommit, type BranchBeforeChange, type CurrentRow } from './unit-of-work-rules';

const INFO = { author: 'alice', message: 'change', timestamp: 1_700_000_000_123 };

function put(namespace: string[], name: string, extra: Partial<AssetPut> = {}): AssetPut {
  return { namespace, name, kind: 'ICEBERG_TABLE', location: `s3://b/${name}`, properties: { k: name }, ...extra };
}

function changes(partial: Partial<BranchChanges>): BranchChanges {
  return { puts: [], deletes: [], expectations: [], ...partial };
}

/** A branch whose rows are `rows` (name in namespace ['ns'] -> id, metadata location) at head `head`. */
function branchWith(rows: Record<string, string>, head: string | null = 'head-1'): BranchBeforeChange {
  const byKey = new Map<string, CurrentRow>();
  for (const [name, id] of Object.entries(rows)) {
    const properties: StringMap = { [METADATA_LOCATION_PROPERTY]: `s3://${name}.json` };
    byKey.set(assetRowKey({ namespace: ['ns'], name }), { id, properties });
  }
  return { name: 'main', head, row: (key: AssetKey) => byKey.get(assetRowKey(key)) };
}

function plan(branch: BranchBeforeChange, partial: Partial<BranchChanges>) {
  return planCommit('tenant-1', branch, checkChanges(changes(partial)), INFO);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('checkChanges', () => {
  it.each([
    ['puts', changes({ puts: [put(['ns'], 'a'), put(['ns'], 'b'), put(['ns'], 'a')] })],
    ['deletes', changes({ deletes: [{ namespace: ['ns'], name: 'a' }, { namespace: ['ns'], name: 'a' }] })],
  ])('a key named twice in %s is a ValidationError naming the asset and the list', (list, invalid) => {
    const error = thrown(() => checkChanges(invalid));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe(`Asset 'ns.a' appears more than once in the ${list} of one change`);
  });

  it('keys are namespace levels and name: `a.b`/`c`, `a`/`b.c` and `b`/`c` are three keys', () => {
    const checked = checkChanges(
      changes({ puts: [put(['a', 'b'], 'c'), put(['a'], 'b.c'), put(['b'], 'c')], deletes: [{ namespace: ['a', 'b'], name: 'x' }] }),
    );
    expect(checked.puts).toHaveLength(3);
    expect(checked.keys).toHaveLength(4);
  });

  it('a key may be both deleted and put; `keys` names every key of puts, deletes and expectations once', () => {
    const checked = checkChanges(
      changes({
        puts: [put(['ns'], 'a'), put(['ns'], 'b')],
        deletes: [{ namespace: ['ns'], name: 'a' }, { namespace: ['ns'], name: 'c' }],
        expectations: [{ namespace: ['ns'], name: 'a', state: 'present' }, { namespace: ['ns'], name: 'd', state: 'absent' }],
      }),
    );
    expect(checked.keys.map((key) => key.name).sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('copies the change set: changing the request afterwards changes nothing checked', () => {
    const request = changes({ puts: [put(['ns'], 'a')], deletes: [{ namespace: ['ns'], name: 'b' }], expectedHeadCommitId: null });
    const checked = checkChanges(request);
    request.puts[0].namespace.push('x');
    request.puts[0].properties.k = 'changed';
    request.deletes[0].namespace.push('x');
    expect(checked.puts[0]).toMatchObject({ namespace: ['ns'], properties: { k: 'a' } });
    expect(checked.deletes[0]).toEqual({ namespace: ['ns'], name: 'b' });
    expect(checked.expectedHeadCommitId).toBeNull();
    expect('expectedHeadCommitId' in checkChanges(changes({}))).toBe(false);
  });
});

describe('planCommit', () => {
  it('the commit: a new id, the head as parent, the given author, message and timestamp', () => {
    const { commit } = plan(branchWith({}, 'head-7'), { puts: [put(['ns'], 'a')] });
    expect(commit).toMatchObject({ tenantId: 'tenant-1', parentId: 'head-7', ...INFO });
    expect(commit.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(plan(branchWith({}, null), {}).commit.parentId).toBeNull();
  });

  it('expectedHeadCommitId other than the head is head-moved, named by the branch', () => {
    expect(thrown(() => plan(branchWith({}, 'head-2'), { expectedHeadCommitId: 'head-1' }))).toMatchObject({
      failure: 'head-moved',
      assetName: 'main',
    });
    expect(thrown(() => plan(branchWith({}, 'head-2'), { expectedHeadCommitId: null }))).toBeInstanceOf(ExpectationFailedError);
    expect(plan(branchWith({}, null), { expectedHeadCommitId: null }).commit.parentId).toBeNull();
  });

  it('expectations are judged against the branch before the change', () => {
    const branch = branchWith({ a: 'id-a' });
    // `a` is deleted and re-put by this change, yet it existed before: `absent` fails, `present` holds.
    const replace = { puts: [put(['ns'], 'a')], deletes: [{ namespace: ['ns'], name: 'a' }] };
    expect(thrown(() => plan(branch, { ...replace, expectations: [{ namespace: ['ns'], name: 'a', state: 'absent' }] }))).toMatchObject({
      failure: 'exists',
      assetName: 'ns.a',
    });
    expect(() => plan(branch, { ...replace, expectations: [{ namespace: ['ns'], name: 'a', state: 'present' }] })).not.toThrow();
    expect(
      thrown(() =>
        plan(branch, { expectations: [{ namespace: ['ns'], name: 'a', state: 'present', metadataLocation: 's3://other.json' }] }),
      ),
    ).toMatchObject({ failure: 'location-mismatch' });
    expect(thrown(() => plan(branch, { expectations: [{ namespace: ['ns'], name: 'b', state: 'present' }] }))).toMatchObject({
      failure: 'missing',
      assetName: 'ns.b',
    });
  });

  it('removes only rows that exist, in the order of the deletes, with their ids', () => {
    const { removed, commit } = plan(branchWith({ a: 'id-a', c: 'id-c' }), {
      deletes: [
        { namespace: ['ns'], name: 'c' },
        { namespace: ['ns'], name: 'b' },
        { namespace: ['ns'], name: 'a' },
      ],
    });
    expect(removed).toEqual([
      { namespace: ['ns'], name: 'c', id: 'id-c' },
      { namespace: ['ns'], name: 'a', id: 'id-a' },
    ]);
    expect(commit.operations).toEqual([{ Delete: { name: 'ns.c' } }, { Delete: { name: 'ns.a' } }]);
  });

  it('ids: a put keeps the existing id, honours a given one, and a new row gets a new UUID', () => {
    const { written } = plan(branchWith({ a: 'id-a', b: 'id-b' }), {
      puts: [put(['ns'], 'a'), put(['ns'], 'b', { id: 'given' }), put(['ns'], 'new')],
    });
    expect(written.map((row) => row.id).slice(0, 2)).toEqual(['id-a', 'given']);
    expect(written[2].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(['id-a', 'id-b', 'given']).not.toContain(written[2].id);
  });

  it('a replace (delete and put of one key): the row is removed first and written again as new; only the Put is recorded', () => {
    const { removed, written, commit } = plan(branchWith({ a: 'id-a' }), {
      puts: [put(['ns'], 'a')],
      deletes: [{ namespace: ['ns'], name: 'a' }],
    });
    expect(removed).toEqual([{ namespace: ['ns'], name: 'a', id: 'id-a' }]);
    expect(written).toHaveLength(1);
    expect(written[0].id).not.toBe('id-a');
    expect(commit.operations).toEqual([{ Put: { asset: { ...put(['ns'], 'a'), id: written[0].id } } }]);
  });

  it('a rename chain a -> b -> c: ids follow, the operations are the net effect (Puts in put order, then Deletes)', () => {
    const { removed, written, commit } = plan(branchWith({ a: 'id-a', b: 'id-b' }), {
      puts: [put(['ns'], 'b', { id: 'id-a' }), put(['ns'], 'c', { id: 'id-b' })],
      deletes: [
        { namespace: ['ns'], name: 'a' },
        { namespace: ['ns'], name: 'b' },
      ],
    });
    expect(removed.map((row) => row.id)).toEqual(['id-a', 'id-b']);
    expect(written.map((row) => [row.name, row.id])).toEqual([
      ['b', 'id-a'],
      ['c', 'id-b'],
    ]);
    expect(commit.operations).toEqual([
      { Put: { asset: { ...put(['ns'], 'b'), id: 'id-a' } } },
      { Put: { asset: { ...put(['ns'], 'c'), id: 'id-b' } } },
      { Delete: { name: 'ns.a' } },
    ]);
  });

  it.each([
    ['two puts give the same id', [put(['ns'], 'x', { id: 'same' }), put(['ns'], 'y', { id: 'same' })]],
    ['a given id is the id another put keeps', [put(['ns'], 'a'), put(['ns'], 'y', { id: 'id-a' })]],
  ])('ValidationError when two written rows would share an id: %s', (_title, puts) => {
    const error = thrown(() => plan(branchWith({ a: 'id-a' }), { puts }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/'ns\.y' would share the id/);
  });

  it('the recorded Put is a copy: it never aliases the written row', () => {
    const { written, commit } = plan(branchWith({}), { puts: [put(['ns'], 'a')] });
    written[0].properties.k = 'changed';
    written[0].namespace.push('changed');
    expect(commit.operations[0]).toEqual({ Put: { asset: expect.objectContaining({ namespace: ['ns'], properties: { k: 'a' } }) } });
  });
});
