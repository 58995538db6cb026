import { isLong, longEquals } from './long';
import type {
  Long,
  PartitionStatisticsFile,
  Snapshot,
  SnapshotLogEntry,
  SnapshotRef,
  SortOrder,
  StatisticsFile,
  TableMetadata,
} from './types';

/**
 * Reads of validated table metadata with the spec's defaults for keys a writer may omit (v1 files have no
 * sequence numbers or sort orders; minimal files have no snapshots, refs or logs).
 */

export const MAIN_BRANCH = 'main';
export const UNSORTED_ORDER_ID = 0;

export function sortOrders(metadata: TableMetadata): SortOrder[] {
  return metadata['sort-orders'] ?? [{ 'order-id': UNSORTED_ORDER_ID, fields: [] }];
}

export function defaultSortOrderId(metadata: TableMetadata): number {
  return metadata['default-sort-order-id'] ?? UNSORTED_ORDER_ID;
}

export function snapshots(metadata: TableMetadata): Snapshot[] {
  return metadata.snapshots ?? [];
}

/** Refs by name. A document without `refs` has an implicit `main` at the current snapshot (as Java reads it). */
export function refs(metadata: TableMetadata): Record<string, SnapshotRef> {
  if (metadata.refs) return metadata.refs;
  const current = currentSnapshotId(metadata);
  return current === null ? {} : { [MAIN_BRANCH]: { 'snapshot-id': current, type: 'branch' } };
}

export function snapshotLog(metadata: TableMetadata): SnapshotLogEntry[] {
  return metadata['snapshot-log'] ?? [];
}

export function statistics(metadata: TableMetadata): StatisticsFile[] {
  return metadata.statistics ?? [];
}

export function partitionStatistics(metadata: TableMetadata): PartitionStatisticsFile[] {
  return metadata['partition-statistics'] ?? [];
}

export function properties(metadata: TableMetadata): Record<string, string> {
  return metadata.properties ?? {};
}

/** v1 tables have no sequence numbers: everything is sequence number 0. */
export function lastSequenceNumber(metadata: TableMetadata): Long {
  return metadata['last-sequence-number'] ?? 0;
}

/** The current snapshot id, or null when there is none (written as null, -1 or left out). */
export function currentSnapshotId(metadata: TableMetadata): Long | null {
  return normalizeSnapshotId(metadata['current-snapshot-id']);
}

export function normalizeSnapshotId(id: unknown): Long | null {
  if (!isLong(id) || longEquals(id, -1)) return null;
  return id;
}

/**
 * The snapshot a ref points at. `main` without a `refs` entry resolves to `current-snapshot-id`, as older
 * writers (Pangolin v0.4.0 among them) kept no refs.
 */
export function refSnapshotId(metadata: TableMetadata, refName: string): Long | null {
  const ref = refs(metadata)[refName];
  if (ref) return ref['snapshot-id'];
  if (refName === MAIN_BRANCH) return currentSnapshotId(metadata);
  return null;
}

/** `current-snapshot-id` for "no snapshot": v1 readers expect -1, later versions write null. */
export function noSnapshotId(formatVersion: number): -1 | null {
  return formatVersion === 1 ? -1 : null;
}
