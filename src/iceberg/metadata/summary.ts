import { currentSnapshotId, lastSequenceNumber } from './accessors';
import { longKey } from './long';
import type { TableMetadata } from './types';

/** The few scalars the service needs about a metadata document (commit audit, asset row, responses). */
export interface TableMetadataSummary {
  formatVersion: number;
  tableUuid: string;
  location: string;
  /** Decimal text (64-bit), or null when the table has no current snapshot. */
  currentSnapshotId: string | null;
  /** Decimal text (64-bit); "0" for v1 tables. */
  lastSequenceNumber: string;
}

export function summarizeTableMetadata(metadata: TableMetadata): TableMetadataSummary {
  const current = currentSnapshotId(metadata);
  return {
    formatVersion: metadata['format-version'],
    tableUuid: metadata['table-uuid'],
    location: metadata.location,
    currentSnapshotId: current === null ? null : longKey(current),
    lastSequenceNumber: longKey(lastSequenceNumber(metadata)),
  };
}
