import {
  MAIN_BRANCH,
  currentSnapshotId,
  lastSequenceNumber,
  noSnapshotId,
  partitionStatistics,
  refs,
  snapshotLog,
  snapshots,
  statistics,
} from './accessors';
import {
  Fail,
  JsonObject,
  jsonEquals,
  requireArray,
  requireInt,
  requireLong,
  requireNonBlankString,
  requireObject,
  requireString,
} from './json-values';
import { addLong, compareLong, longKey, maxLong } from './long';
import { Long, Snapshot, SnapshotRef } from './types';
import type { TableMetadataDraft } from './update-draft';

/**
 * Commit updates to snapshots and refs. add-snapshot never moves a ref or current-snapshot-id (clients
 * follow it with set-snapshot-ref); setting the `main` branch moves current-snapshot-id and appends to the
 * snapshot log.
 */

export function addSnapshot(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const snapshot = requireObject(update.snapshot, 'snapshot', fail) as Snapshot;
  const id = requireLong(snapshot['snapshot-id'], 'snapshot-id', fail);
  const key = longKey(id);
  const timestamp = requireLong(snapshot['timestamp-ms'], 'timestamp-ms', fail);
  const parent = snapshot['parent-snapshot-id'];
  if (parent !== undefined && parent !== null) requireLong(parent, 'parent-snapshot-id', fail);
  if (snapshot['manifest-list'] !== undefined) requireString(snapshot['manifest-list'], 'manifest-list', fail);
  else if (draft.formatVersion > 1 || snapshot.manifests === undefined) throw fail('snapshot has no manifest-list');
  if (snapshot.summary !== undefined) requireObject(snapshot.summary, 'summary', fail);
  if (snapshot['schema-id'] !== undefined) requireInt(snapshot['schema-id'], 'schema-id', fail);

  const index = draft.snapshotById();
  if (index.has(key)) throw fail(`snapshot ${key} already exists`);

  if (draft.formatVersion > 1) {
    const sequenceNumber =
      snapshot['sequence-number'] === undefined ? 0 : requireLong(snapshot['sequence-number'], 'sequence-number', fail);
    const last = lastSequenceNumber(draft.metadata);
    // Java's builder and PyIceberg exempt snapshots without a parent (the first of a new lineage).
    const hasParent = parent !== undefined && parent !== null;
    if (hasParent && compareLong(sequenceNumber, last) <= 0) {
      throw fail(`sequence number ${longKey(sequenceNumber)} of snapshot ${key} is not greater than the table's last sequence number ${longKey(last)}`);
    }
    draft.doc['last-sequence-number'] = maxLong(last, sequenceNumber);
  }
  if (draft.formatVersion >= 3) {
    const firstRowId = requireLong(snapshot['first-row-id'], 'first-row-id', fail);
    const addedRows = requireLong(snapshot['added-rows'], 'added-rows', fail);
    const nextRowId = (draft.doc['next-row-id'] as Long | undefined) ?? 0;
    if (compareLong(firstRowId, nextRowId) < 0) {
      throw fail(`first-row-id ${longKey(firstRowId)} is behind the table's next-row-id ${longKey(nextRowId)}`);
    }
    if (compareLong(addedRows, 0) < 0) throw fail('added-rows must not be negative');
    draft.doc['next-row-id'] = addLong(nextRowId, addedRows);
  }

  draft.own<Snapshot[]>('snapshots', () => []).push(snapshot);
  index.set(key, snapshot);
  draft.addedSnapshotTimestamp =
    draft.addedSnapshotTimestamp === undefined ? timestamp : maxLong(draft.addedSnapshotTimestamp, timestamp);
  draft.markChanged();
}

export function setSnapshotRef(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const name = requireNonBlankString(update['ref-name'], 'ref-name', fail);
  const type = update.type;
  if (type !== 'branch' && type !== 'tag') throw fail('type must be "branch" or "tag"');
  if (name === MAIN_BRANCH && type !== 'branch') throw fail('main must be a branch');
  const snapshotId = requireLong(update['snapshot-id'], 'snapshot-id', fail);
  const snapshot = draft.snapshotById().get(longKey(snapshotId));
  if (!snapshot) throw fail(`snapshot ${longKey(snapshotId)} does not exist`);

  const ref: SnapshotRef = { 'snapshot-id': snapshot['snapshot-id'], type };
  const positive = (field: string, int: boolean): void => {
    const value = update[field];
    if (value === undefined || value === null) return;
    const checked = int ? requireInt(value, field, fail) : requireLong(value, field, fail);
    if (compareLong(checked, 0) <= 0) throw fail(`${field} must be positive`);
    if (type === 'tag' && field !== 'max-ref-age-ms') throw fail(`a tag cannot have ${field}`);
    ref[field] = checked;
  };
  positive('max-ref-age-ms', false);
  positive('max-snapshot-age-ms', false);
  positive('min-snapshots-to-keep', true);

  const existing = refs(draft.metadata)[name];
  if (existing && jsonEquals(existing, ref)) return;
  draft.ownRefs()[name] = ref;
  if (name === MAIN_BRANCH) {
    draft.doc['current-snapshot-id'] = ref['snapshot-id'];
    const timestamp = draft.addedSnapshotTimestamp ?? draft.ctx.nowMs;
    draft.own<JsonObject[]>('snapshot-log', () => []).push({
      'timestamp-ms': timestamp,
      'snapshot-id': ref['snapshot-id'],
    });
  }
  draft.markChanged();
}

export function removeSnapshotRef(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const name = requireNonBlankString(update['ref-name'], 'ref-name', fail);
  if (refs(draft.metadata)[name] !== undefined) {
    delete draft.ownRefs()[name];
    draft.markChanged();
  }
  if (name === MAIN_BRANCH && currentSnapshotId(draft.metadata) !== null) {
    draft.doc['current-snapshot-id'] = noSnapshotId(draft.formatVersion);
    draft.markChanged();
  }
}

export function removeSnapshots(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const ids = requireArray(update['snapshot-ids'], 'snapshot-ids', fail).map((id) =>
    longKey(requireLong(id, 'snapshot-ids entry', fail)),
  );
  const index = draft.snapshotById();
  const removed = new Set(ids.filter((id) => index.has(id)));
  if (removed.size === 0) return;

  draft.replace('snapshots', snapshots(draft.metadata).filter((s) => !removed.has(longKey(s['snapshot-id']))));
  for (const id of removed) index.delete(id);

  // Refs left pointing at a removed snapshot are dropped (Java's builder does the same).
  const currentRefs = refs(draft.metadata);
  const dangling = Object.keys(currentRefs).filter((name) => removed.has(longKey(currentRefs[name]['snapshot-id'])));
  if (dangling.length > 0) {
    const kept = draft.ownRefs();
    for (const name of dangling) delete kept[name];
  }
  const current = currentSnapshotId(draft.metadata);
  if (current !== null && removed.has(longKey(current))) {
    draft.doc['current-snapshot-id'] = noSnapshotId(draft.formatVersion);
  }

  for (const key of ['statistics', 'partition-statistics'] as const) {
    const files = key === 'statistics' ? statistics(draft.metadata) : partitionStatistics(draft.metadata);
    if (files.some((f) => removed.has(longKey(f['snapshot-id'])))) {
      draft.replace(key, files.filter((f) => !removed.has(longKey(f['snapshot-id']))));
    }
  }

  // A log entry for a removed snapshot invalidates the history before it: keeping the older entries
  // would claim a later snapshot was current during a period it was not (Java's updateSnapshotLog).
  const log = snapshotLog(draft.metadata);
  let firstValid = 0;
  log.forEach((entry, i) => {
    if (!index.has(longKey(entry['snapshot-id']))) firstValid = i + 1;
  });
  if (firstValid > 0) {
    draft.replace('snapshot-log', log.slice(firstValid));
  }
  draft.markChanged();
}
