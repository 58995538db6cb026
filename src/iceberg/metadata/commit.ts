import { ValidationError } from '../../common/errors';
import { StoredMetadataUnreadableError } from './errors';
import { isObject } from './json-values';
import { assertKnownTableChanges, checkRequirements } from './requirements';
import type { TableMetadata } from './types';
import { applyTableUpdates } from './updates';
import { normalizeTableMetadata } from './validate';

export interface TableCommitContext {
  nowMs: number;
  /** Table uuid for a create transaction (no current metadata) whose updates carry no assign-uuid. */
  tableUuid?: string;
}

export interface TableCommitOutcome {
  metadata: TableMetadata;
  /** The commit changed the table (or created it): a new metadata file is written. */
  changed: boolean;
  /** Nothing changed, but the stored document needed a legacy repair (contract §7.4) to be served. */
  baseRepaired: boolean;
}

/**
 * The commit sequence of one table (contract iceberg-rest §8), on parsed JSON: unknown requirement and
 * update types are rejected first (400), then every requirement is checked against the current metadata
 * (409), then the updates are applied and the result validated (400). `current` null means the table does
 * not exist yet (a create transaction). A stored document that is not valid metadata is a server-side
 * fault (StoredMetadataUnreadableError), never the client's.
 */
export function applyTableCommit(
  current: { document: unknown; location: string } | null,
  request: unknown,
  ctx: TableCommitContext,
): TableCommitOutcome {
  if (!isObject(request)) throw new ValidationError('The commit request must be a JSON object');
  const { requirements, updates } = request;
  if (!Array.isArray(requirements)) throw new ValidationError('The commit request has no "requirements" array');
  if (!Array.isArray(updates)) throw new ValidationError('The commit request has no "updates" array');
  assertKnownTableChanges(requirements, updates);

  let base: TableMetadata | null = null;
  let baseRepaired = false;
  if (current !== null) {
    try {
      const normalized = normalizeTableMetadata(current.document);
      base = normalized.metadata;
      baseRepaired = normalized.repairs.length > 0;
    } catch (err) {
      throw new StoredMetadataUnreadableError(current.location, (err as Error).message);
    }
  }

  checkRequirements(base, requirements);
  const applied = applyTableUpdates(base, updates, {
    nowMs: ctx.nowMs,
    previousMetadataLocation: current?.location ?? null,
    tableUuid: ctx.tableUuid,
  });
  if (applied.changed || base === null) return { metadata: applied.metadata, changed: true, baseRepaired };
  return { metadata: base, changed: false, baseRepaired };
}
