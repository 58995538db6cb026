import { properties } from './accessors';
import {
  Fail,
  JsonObject,
  jsonEquals,
  requireArray,
  requireIntArray,
  requireLong,
  requireNonBlankString,
  requireObject,
  requireString,
  requireStringMap,
} from './json-values';
import { compareLong, longKey } from './long';
import { Long } from './types';
import type { TableMetadataDraft } from './update-draft';

/** Commit updates to the table's location, properties and statistics files. */

type StatisticsKey = 'statistics' | 'partition-statistics';

// ---- location and properties ---------------------------------------------------------------------

export function setLocation(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const location = requireNonBlankString(update.location, 'location', fail);
  if (draft.metadata.location === location) return;
  draft.doc.location = location;
  draft.markChanged();
}

export function setProperties(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const updates = requireStringMap(update.updates, 'updates', fail);
  const current = properties(draft.metadata);
  for (const key of Object.keys(updates)) {
    if (current[key] === updates[key] && Object.prototype.hasOwnProperty.call(current, key)) continue;
    draft.own<Record<string, string>>('properties', () => ({}))[key] = updates[key];
    draft.markChanged();
  }
}

export function removeProperties(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const removals = requireArray(update.removals, 'removals', fail).map((key) =>
    requireString(key, 'removals entry', fail),
  );
  const current = properties(draft.metadata);
  for (const key of removals) {
    if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
    delete draft.own<Record<string, string>>('properties', () => ({}))[key];
    draft.markChanged();
  }
}

// ---- statistics ----------------------------------------------------------------------------------

export function setStatistics(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const file = requireObject(update.statistics, 'statistics', fail);
  const snapshotId = requireLong(file['snapshot-id'], 'statistics snapshot-id', fail);
  requireString(file['statistics-path'], 'statistics-path', fail);
  requireLong(file['file-size-in-bytes'], 'file-size-in-bytes', fail);
  requireLong(file['file-footer-size-in-bytes'], 'file-footer-size-in-bytes', fail);
  for (const blob of requireArray(file['blob-metadata'], 'blob-metadata', fail)) {
    const b = requireObject(blob, 'blob-metadata entry', fail);
    requireString(b.type, 'blob type', fail);
    requireLong(b['snapshot-id'], 'blob snapshot-id', fail);
    requireLong(b['sequence-number'], 'blob sequence-number', fail);
    requireIntArray(b.fields, 'blob fields', fail);
  }
  if (update['snapshot-id'] !== undefined && update['snapshot-id'] !== null) {
    const deprecated = requireLong(update['snapshot-id'], 'snapshot-id', fail);
    if (compareLong(deprecated, snapshotId) !== 0) {
      throw fail(`snapshot-id ${longKey(deprecated)} does not match the statistics file's ${longKey(snapshotId)}`);
    }
  }
  upsertStatistics(draft, 'statistics', snapshotId, file);
}

export function setPartitionStatistics(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const file = requireObject(update['partition-statistics'], 'partition-statistics', fail);
  const snapshotId = requireLong(file['snapshot-id'], 'partition-statistics snapshot-id', fail);
  requireString(file['statistics-path'], 'statistics-path', fail);
  requireLong(file['file-size-in-bytes'], 'file-size-in-bytes', fail);
  upsertStatistics(draft, 'partition-statistics', snapshotId, file);
}

function upsertStatistics(draft: TableMetadataDraft, key: StatisticsKey, snapshotId: Long, file: JsonObject): void {
  const files = (draft.metadata[key] ?? []) as JsonObject[];
  const at = files.findIndex((f) => compareLong(f['snapshot-id'] as Long, snapshotId) === 0);
  if (at >= 0 && jsonEquals(files[at], file)) return;
  const owned = draft.own<JsonObject[]>(key, () => []);
  if (at >= 0) owned[at] = file;
  else owned.push(file);
  draft.markChanged();
}

export function removeStatistics(
  draft: TableMetadataDraft,
  key: StatisticsKey,
  update: JsonObject,
  fail: Fail,
): void {
  const snapshotId = requireLong(update['snapshot-id'], 'snapshot-id', fail);
  const files = (draft.metadata[key] ?? []) as JsonObject[];
  if (!files.some((f) => compareLong(f['snapshot-id'] as Long, snapshotId) === 0)) return;
  draft.replace(key, files.filter((f) => compareLong(f['snapshot-id'] as Long, snapshotId) !== 0));
  draft.markChanged();
}
