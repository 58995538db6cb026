import { randomUUID } from 'node:crypto';
import { ExpectationFailedError, ValidationError } from '../common/errors';
import {
  METADATA_LOCATION_PROPERTY,
  qualifiedAssetName,
  type Commit,
  type CommitAssetSnapshot,
  type CommitOperation,
  type StringMap,
} from './models';
import type { AssetExpectation, AssetKey, AssetPut, BranchChanges, CommitInfo } from './ports';

/**
 * Rules of UnitOfWorkPort.commitChanges that every adapter applies the same way: an adapter checks the change
 * set with `checkChanges` before it opens a transaction, reads the rows of `keys` and the branch head under
 * its lock, and executes what `planCommit` returns (removals first, then writes, then the commit and head).
 */

/** A change set that passed `checkChanges`: copies of the caller's entries, and every key it names once. */
export interface CheckedChanges {
  readonly puts: readonly AssetPut[];
  readonly deletes: readonly AssetKey[];
  readonly expectations: readonly AssetExpectation[];
  readonly expectedHeadCommitId?: string | null;
  /** Every key a put, delete or expectation names, each once: the rows an adapter reads before planning. */
  readonly keys: readonly AssetKey[];
}

/** What a plan needs of a row as it is on the branch before the change. */
export interface CurrentRow {
  id: string;
  properties: StringMap;
}

/** The branch before the change, as the adapter sees it under its lock. */
export interface BranchBeforeChange {
  name: string;
  /** The head commit id (null = no commit yet). */
  head: string | null;
  /** The row of `key` (undefined = absent); asked only for the keys of CheckedChanges.keys. */
  row(key: AssetKey): CurrentRow | undefined;
}

/** A row the change removes: it exists, and this is its id now. */
export type RemovedRow = AssetKey & { id: string };

/** A row the change writes (inserted, or overwriting the row of its key), its id resolved. */
export type WrittenRow = AssetPut & { id: string };

/**
 * What one commitChanges call does. Executed in this order: remove `removed`, then write `written` (so a
 * rename, which moves an id from one key to another, and a replace work under a per-branch unique id), then
 * append `commit` and move the head to it.
 */
export interface CommitPlan {
  /** In the order of the deletes. */
  removed: RemovedRow[];
  /** In the order of the puts. */
  written: WrittenRow[];
  commit: Commit;
}

/** The identity of an asset row on a branch; levels and name stay apart (`a.b`/`c` is not `a`/`b.c`). */
export function assetRowKey(key: AssetKey): string {
  return JSON.stringify([key.namespace, key.name]);
}

/**
 * Checks the duplicate rule and copies the change set (so nothing the caller changes later reaches a write).
 *
 * The rule: `puts` names a key at most once, and so does `deletes`; otherwise ValidationError. Two puts of one
 * key in one commit are two different states for one row, and a catalog must not guess which table pointer
 * is the truth (last-write-wins would silently drop one); a repeated delete is a caller's mistake too, and
 * one rule for both lists is simpler to state. A key may be in both lists: deletes apply before puts, so that
 * is a replace (the row ends as the put says, with a new id unless the put gives one), which is what rename
 * chains (a -> b, b -> c) and swaps need.
 */
export function checkChanges(changes: BranchChanges): CheckedChanges {
  requireDistinctKeys(changes.puts, 'puts');
  requireDistinctKeys(changes.deletes, 'deletes');
  const keys = new Map<string, AssetKey>();
  for (const key of [...changes.expectations, ...changes.puts, ...changes.deletes]) {
    keys.set(assetRowKey(key), { namespace: [...key.namespace], name: key.name });
  }
  return {
    puts: changes.puts.map((put) => ({ ...put, namespace: [...put.namespace], properties: { ...put.properties } })),
    deletes: changes.deletes.map((key) => ({ namespace: [...key.namespace], name: key.name })),
    expectations: changes.expectations.map((expectation) => ({ ...expectation, namespace: [...expectation.namespace] })),
    ...(changes.expectedHeadCommitId !== undefined ? { expectedHeadCommitId: changes.expectedHeadCommitId } : {}),
    keys: [...keys.values()],
  };
}

function requireDistinctKeys(keys: AssetKey[], list: 'puts' | 'deletes'): void {
  const seen = new Set<string>();
  for (const key of keys) {
    const rowKey = assetRowKey(key);
    if (seen.has(rowKey)) {
      const name = qualifiedAssetName(key.namespace, key.name);
      throw new ValidationError(`Asset '${name}' appears more than once in the ${list} of one change`);
    }
    seen.add(rowKey);
  }
}

/**
 * Decides what one call does against the branch before the change. Throws ExpectationFailedError when the
 * head moved or an expectation fails (both judged before anything changes), and ValidationError when two
 * written rows would share an id. A delete of a missing key removes nothing; a put keeps the row's id unless
 * it gives one or its key is also deleted (then the row is new). The commit's operations are the net effect,
 * so replaying them in order gives the branch after the change: one `Put` per written row (the row as
 * written) in the order of the puts, then one `Delete` per removed row whose key is not written again, in the
 * order of the deletes.
 */
export function planCommit(
  tenantId: string,
  branch: BranchBeforeChange,
  changes: CheckedChanges,
  info: CommitInfo,
): CommitPlan {
  if (changes.expectedHeadCommitId !== undefined && changes.expectedHeadCommitId !== branch.head) {
    throw new ExpectationFailedError(branch.name, 'head-moved');
  }
  for (const expectation of changes.expectations) checkAssetExpectation(expectation, branch.row(expectation));

  const removed: RemovedRow[] = [];
  const deletedKeys = new Set<string>();
  for (const key of changes.deletes) {
    deletedKeys.add(assetRowKey(key));
    const row = branch.row(key);
    if (row) removed.push({ namespace: key.namespace, name: key.name, id: row.id });
  }

  const written: WrittenRow[] = [];
  const writtenIds = new Set<string>();
  for (const put of changes.puts) {
    const kept = deletedKeys.has(assetRowKey(put)) ? undefined : branch.row(put)?.id;
    const id = put.id ?? kept ?? randomUUID();
    if (writtenIds.has(id)) {
      const name = qualifiedAssetName(put.namespace, put.name);
      throw new ValidationError(`Asset '${name}' would share the id '${id}' with another asset of the same change`);
    }
    writtenIds.add(id);
    written.push({ ...put, id });
  }

  const writtenKeys = new Set(written.map(assetRowKey));
  const operations: CommitOperation[] = [
    ...written.map((row) => ({ Put: { asset: commitSnapshot(row) } })),
    ...removed
      .filter((key) => !writtenKeys.has(assetRowKey(key)))
      .map((key) => ({ Delete: { name: qualifiedAssetName(key.namespace, key.name) } })),
  ];
  return { removed, written, commit: newCommit(tenantId, branch.head, info, operations) };
}

/** The row as a commit's `Put` records it: a copy, so the commit never aliases a row an adapter stores. */
function commitSnapshot(row: WrittenRow): CommitAssetSnapshot {
  return {
    id: row.id,
    name: row.name,
    namespace: [...row.namespace],
    kind: row.kind,
    location: row.location,
    properties: { ...row.properties },
  };
}

/**
 * Checks one expectation against the row as it is now (undefined = absent), so every adapter fails with the
 * same ExpectationFailedError (name, failure).
 */
function checkAssetExpectation(expectation: AssetExpectation, row: { properties: StringMap } | undefined): void {
  const name = qualifiedAssetName(expectation.namespace, expectation.name);
  if (expectation.state === 'absent') {
    if (row) throw new ExpectationFailedError(name, 'exists');
    return;
  }
  if (!row) throw new ExpectationFailedError(name, 'missing');
  if (expectation.metadataLocation !== undefined) {
    const current = row.properties[METADATA_LOCATION_PROPERTY] ?? null;
    if (current !== expectation.metadataLocation) throw new ExpectationFailedError(name, 'location-mismatch');
  }
}

/** The commit a unit of work appends: a new id, the branch head as parent, `info.timestamp` or now. */
function newCommit(tenantId: string, parentId: string | null, info: CommitInfo, operations: CommitOperation[]): Commit {
  return {
    id: randomUUID(),
    tenantId,
    parentId,
    timestamp: info.timestamp ?? Date.now(),
    author: info.author,
    message: info.message,
    operations,
  };
}
