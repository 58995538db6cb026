import { ValidationError } from '../common/errors';
import { encodeJsonLossless, parseJsonLossless } from '../common/lossless-json';
import {
  CreateTableContext,
  CreateTableRequest,
  StoredMetadataUnreadableError,
  TableCommitContext,
  TableMetadata,
  TableMetadataSummary,
  applyTableCommit,
  buildCreateTableMetadata,
  normalizeTableMetadata,
  summarizeTableMetadata,
} from '../iceberg/metadata';
import { isObject } from '../iceberg/metadata/json-values';

/**
 * The metadata work of the table endpoints as functions from bytes to bytes plus a small summary: parse,
 * call the Iceberg rules (src/iceberg/metadata), serialize.
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

export type CommitContext = TableCommitContext;

export type MetadataTask =
  | { kind: 'create'; request: Uint8Array; ctx: CreateTableContext }
  | { kind: 'commit'; current: Uint8Array | null; currentLocation: string | null; body: Uint8Array; ctx: CommitContext }
  | { kind: 'validate'; metadata: Uint8Array };

/**
 * Where a task's new document bytes are written (called once, with their exact length). The worker passes
 * shared memory, so the result reaches the main thread without another copy; the default is a buffer of its own.
 */
export type ByteAllocator = (byteLength: number) => Buffer;

export function runMetadataTask(task: MetadataTask, allocate?: ByteAllocator): MetadataTaskResult {
  switch (task.kind) {
    case 'create':
      return createTableTask(task.request, task.ctx, allocate);
    case 'commit':
      return commitTableTask(task.current, task.currentLocation, task.body, task.ctx, allocate);
    case 'validate':
      return validateMetadataTask(task.metadata, allocate);
  }
}

/** Builds the first metadata document from a raw CreateTableRequest body. */
export function createTableTask(requestBody: Uint8Array, ctx: CreateTableContext, allocate?: ByteAllocator): MetadataTaskResult {
  const request = parseJsonLossless(requestBody);
  if (!isObject(request)) throw new ValidationError('The create table request must be a JSON object');
  const metadata = buildCreateTableMetadata(request as CreateTableRequest, ctx);
  return serialized(metadata, true, allocate);
}

/**
 * Runs a commit (raw CommitTableRequest body) against the current metadata bytes (applyTableCommit holds
 * the rules); `current` null means the table does not exist (create transaction). A no-op commit answers
 * the stored bytes themselves.
 */
export function commitTableTask(
  current: Uint8Array | null,
  currentLocation: string | null,
  commitBody: Uint8Array,
  ctx: CommitContext,
  allocate?: ByteAllocator,
): MetadataTaskResult {
  const request = parseJsonLossless(commitBody);
  let stored: { document: unknown; location: string } | null = null;
  if (current !== null) {
    const location = currentLocation ?? '(unknown location)';
    try {
      stored = { document: parseJsonLossless(current), location };
    } catch (err) {
      throw new StoredMetadataUnreadableError(location, (err as Error).message);
    }
  }
  const outcome = applyTableCommit(stored, request, ctx);
  if (outcome.changed) return serialized(outcome.metadata, true, allocate);
  // Nothing changed: the stored bytes are the answer (re-serialized only if they needed a legacy repair).
  return outcome.baseRepaired
    ? serialized(outcome.metadata, false, allocate)
    : { metadataBytes: current!, summary: summary(outcome.metadata, false) };
}

/**
 * Validates a metadata file (register table, or a legacy file on load) and repairs what contract §7.4
 * allows; `changed` tells whether the bytes differ from the input.
 */
export function validateMetadataTask(bytes: Uint8Array, allocate?: ByteAllocator): MetadataTaskResult {
  const { metadata, repairs } = normalizeTableMetadata(parseJsonLossless(bytes));
  if (repairs.length > 0) return serialized(metadata, true, allocate);
  return { metadataBytes: bytes, summary: summary(metadata, false) };
}

function serialized(metadata: TableMetadata, changed: boolean, allocate?: ByteAllocator): MetadataTaskResult {
  return { metadataBytes: encodeJsonLossless(metadata, allocate), summary: summary(metadata, changed) };
}

function summary(metadata: TableMetadata, changed: boolean): MetadataSummary {
  return { ...summarizeTableMetadata(metadata), changed };
}
