import { ValidationError } from '../common/errors';
import { parseJsonLossless, stringifyJsonLossless } from '../common/lossless-json';
import {
  CreateTableContext,
  CreateTableRequest,
  StoredMetadataUnreadableError,
  TableMetadata,
  TableMetadataSummary,
  applyTableUpdates,
  assertKnownTableChanges,
  buildCreateTableMetadata,
  checkRequirements,
  normalizeTableMetadata,
  summarizeTableMetadata,
} from '../iceberg/metadata';
import { isObject } from '../iceberg/metadata/json-values';

/**
 * The metadata work of the table endpoints as pure functions from bytes to bytes plus a small summary.
 * The worker pool runs exactly these, either in a worker thread or inline for small inputs, so both paths
 * give byte-identical results. Nothing here does I/O.
 */

export interface MetadataSummary extends TableMetadataSummary {
  /** False when the result is the input document unchanged (a no-op commit, a file needing no repair). */
  changed: boolean;
}

export interface MetadataTaskResult {
  metadataBytes: Uint8Array;
  summary: MetadataSummary;
}

export interface CommitContext {
  nowMs: number;
  /** Table uuid for a create transaction (no current metadata) whose updates carry no assign-uuid. */
  tableUuid?: string;
}

export type MetadataTask =
  | { kind: 'create'; request: Uint8Array; ctx: CreateTableContext }
  | { kind: 'commit'; current: Uint8Array | null; currentLocation: string | null; body: Uint8Array; ctx: CommitContext }
  | { kind: 'validate'; metadata: Uint8Array };

export function runMetadataTask(task: MetadataTask): MetadataTaskResult {
  switch (task.kind) {
    case 'create':
      return createTableTask(task.request, task.ctx);
    case 'commit':
      return commitTableTask(task.current, task.currentLocation, task.body, task.ctx);
    case 'validate':
      return validateMetadataTask(task.metadata);
  }
}

/** Builds the first metadata document from a raw CreateTableRequest body. */
export function createTableTask(requestBody: Uint8Array, ctx: CreateTableContext): MetadataTaskResult {
  const request = parseJsonLossless(requestBody);
  if (!isObject(request)) throw new ValidationError('The create table request must be a JSON object');
  const metadata = buildCreateTableMetadata(request as CreateTableRequest, ctx);
  return serialized(metadata, true);
}

/**
 * Runs a commit (raw CommitTableRequest body) against the current metadata bytes: unknown changes are
 * rejected first (400), then every requirement is checked (409), then the updates are applied and the
 * result validated (400). `current` null means the table does not exist (create transaction).
 */
export function commitTableTask(
  current: Uint8Array | null,
  currentLocation: string | null,
  commitBody: Uint8Array,
  ctx: CommitContext,
): MetadataTaskResult {
  const body = parseJsonLossless(commitBody);
  if (!isObject(body)) throw new ValidationError('The commit request must be a JSON object');
  const { requirements, updates } = body;
  if (!Array.isArray(requirements)) throw new ValidationError('The commit request has no "requirements" array');
  if (!Array.isArray(updates)) throw new ValidationError('The commit request has no "updates" array');
  assertKnownTableChanges(requirements, updates);

  let base: TableMetadata | null = null;
  let repaired = false;
  if (current !== null) {
    const location = currentLocation ?? '(unknown location)';
    try {
      const normalized = normalizeTableMetadata(parseJsonLossless(current));
      base = normalized.metadata;
      repaired = normalized.repairs.length > 0;
    } catch (err) {
      throw new StoredMetadataUnreadableError(location, (err as Error).message);
    }
  }

  checkRequirements(base, requirements);
  const applied = applyTableUpdates(base, updates, {
    nowMs: ctx.nowMs,
    previousMetadataLocation: currentLocation,
    tableUuid: ctx.tableUuid,
  });
  if (applied.changed || base === null) return serialized(applied.metadata, true);
  // Nothing changed: the stored bytes are the answer (re-serialized only if they needed a legacy repair).
  return repaired ? serialized(base, false) : { metadataBytes: current!, summary: summary(base, false) };
}

/**
 * Validates a metadata file (register table, or a legacy file on load) and repairs what contract §7.4
 * allows; `changed` tells whether the bytes differ from the input.
 */
export function validateMetadataTask(bytes: Uint8Array): MetadataTaskResult {
  const { metadata, repairs } = normalizeTableMetadata(parseJsonLossless(bytes));
  if (repairs.length > 0) return serialized(metadata, true);
  return { metadataBytes: bytes, summary: summary(metadata, false) };
}

function serialized(metadata: TableMetadata, changed: boolean): MetadataTaskResult {
  return { metadataBytes: encodeUtf8(stringifyJsonLossless(metadata)), summary: summary(metadata, changed) };
}

function summary(metadata: TableMetadata, changed: boolean): MetadataSummary {
  return { ...summarizeTableMetadata(metadata), changed };
}

/**
 * UTF-8 bytes in a buffer of their own. Small `Buffer.from(string)` results share Node's allocation pool,
 * and a pooled ArrayBuffer must never be transferred to another thread.
 */
export function encodeUtf8(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  bytes.write(text, 0, 'utf8');
  return bytes;
}
