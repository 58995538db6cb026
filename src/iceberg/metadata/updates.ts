import { UNSORTED_ORDER_ID, properties, sortOrders } from './accessors';
import { InvalidTableUpdateError, UnknownTableChangeError } from './errors';
import { Fail, JsonObject, isObject } from './json-values';
import { maxLong } from './long';
import { Long, TABLE_UPDATE_ACTIONS, TableMetadata, TableUpdateAction } from './types';
import { ApplyUpdatesContext, TableMetadataDraft } from './update-draft';
import { assignUuid, upgradeFormatVersion } from './update-identity';
import {
  removeProperties,
  removeStatistics,
  setLocation,
  setPartitionStatistics,
  setProperties,
  setStatistics,
} from './update-properties';
import {
  addSchema,
  addSortOrder,
  addSpec,
  removePartitionSpecs,
  removeSchemas,
  setCurrentSchema,
  setDefaultSortOrder,
  setDefaultSpec,
} from './update-schemas';
import { addSnapshot, removeSnapshotRef, removeSnapshots, setSnapshotRef } from './update-snapshots';
import { normalizeTableMetadata } from './validate';

/**
 * Applies commit updates (spec `TableUpdate`) with the semantics of Java's `TableMetadata.Builder`, the
 * reference the REST spec points at, as refined by contract §8.5:
 *   - ids a client sends are kept; an identical schema / spec / sort order is reused rather than added
 *     twice, and -1 in set-current-schema / set-default-spec / set-default-sort-order means "the one added
 *     (or reused) last in this commit";
 *   - add-snapshot never moves a ref or current-snapshot-id (clients follow it with set-snapshot-ref);
 *   - setting the `main` branch moves current-snapshot-id and appends to the snapshot log;
 *   - each change that alters nothing (same property value, same ref, ...) is a no-op, and a commit made
 *     only of no-ops returns the input unchanged with `changed: false`, so no new file needs writing.
 *
 * The function is pure: the input document is never modified. Top-level arrays and maps are copied only
 * when an update touches them, and snapshots themselves are never copied, so a commit to a document with
 * tens of thousands of snapshots costs little beyond the parse and serialize around it.
 *
 * This module dispatches each action and completes the result; the actions live in update-identity,
 * update-schemas, update-snapshots and update-properties, on the copy-on-write draft of update-draft.
 */

export type { ApplyUpdatesContext } from './update-draft';

export interface AppliedUpdates {
  metadata: TableMetadata;
  /** False when every update was a no-op: `metadata` is then the input object itself. */
  changed: boolean;
}

/** Table property bounding `metadata-log` (Java `TableProperties.METADATA_PREVIOUS_VERSIONS_MAX`). */
export const PREVIOUS_VERSIONS_MAX_PROPERTY = 'write.metadata.previous-versions-max';
export const PREVIOUS_VERSIONS_MAX_DEFAULT = 100;

export function applyUpdates(
  metadata: TableMetadata | null,
  updates: unknown[],
  ctx: ApplyUpdatesContext,
): TableMetadata {
  return applyTableUpdates(metadata, updates, ctx).metadata;
}

/**
 * Applies `updates` to `metadata` (null: a create transaction, starting from empty metadata) and validates
 * the result. Throws InvalidTableUpdateError (400) for an update that cannot be applied and
 * UnknownTableChangeError (400) for an unknown action.
 */
export function applyTableUpdates(
  metadata: TableMetadata | null,
  updates: unknown[],
  ctx: ApplyUpdatesContext,
): AppliedUpdates {
  const draft = new TableMetadataDraft(metadata, ctx);
  for (const update of updates) applyUpdate(draft, update);
  return build(draft);
}

function applyUpdate(draft: TableMetadataDraft, raw: unknown): void {
  if (!isObject(raw)) throw new InvalidTableUpdateError('update', 'each update must be an object');
  const action = raw.action;
  if (typeof action !== 'string') throw new InvalidTableUpdateError('update', 'an update has no "action"');
  if (!(TABLE_UPDATE_ACTIONS as readonly string[]).includes(action)) {
    throw new UnknownTableChangeError('update', action);
  }
  const fail: Fail = (message) => new InvalidTableUpdateError(action, message);
  switch (action as TableUpdateAction) {
    case 'assign-uuid':
      return assignUuid(draft, raw, fail);
    case 'upgrade-format-version':
      return upgradeFormatVersion(draft, raw, fail);
    case 'add-schema':
      return addSchema(draft, raw, fail);
    case 'set-current-schema':
      return setCurrentSchema(draft, raw, fail);
    case 'add-spec':
      return addSpec(draft, raw, fail);
    case 'set-default-spec':
      return setDefaultSpec(draft, raw, fail);
    case 'add-sort-order':
      return addSortOrder(draft, raw, fail);
    case 'set-default-sort-order':
      return setDefaultSortOrder(draft, raw, fail);
    case 'add-snapshot':
      return addSnapshot(draft, raw, fail);
    case 'set-snapshot-ref':
      return setSnapshotRef(draft, raw, fail);
    case 'remove-snapshots':
      return removeSnapshots(draft, raw, fail);
    case 'remove-snapshot-ref':
      return removeSnapshotRef(draft, raw, fail);
    case 'set-location':
      return setLocation(draft, raw, fail);
    case 'set-properties':
      return setProperties(draft, raw, fail);
    case 'remove-properties':
      return removeProperties(draft, raw, fail);
    case 'set-statistics':
      return setStatistics(draft, raw, fail);
    case 'remove-statistics':
      return removeStatistics(draft, 'statistics', raw, fail);
    case 'set-partition-statistics':
      return setPartitionStatistics(draft, raw, fail);
    case 'remove-partition-statistics':
      return removeStatistics(draft, 'partition-statistics', raw, fail);
    case 'remove-partition-specs':
      return removePartitionSpecs(draft, raw, fail);
    case 'remove-schemas':
      return removeSchemas(draft, raw, fail);
    case 'add-encryption-key':
    case 'remove-encryption-key':
      throw fail('table encryption keys are not supported by this catalog');
    case 'enable-row-lineage':
      if (draft.formatVersion < 3) throw fail('row lineage needs table format version 3');
      return; // always on in v3
  }
}

function build(draft: TableMetadataDraft): AppliedUpdates {
  const { base, ctx, doc } = draft;
  if (!draft.hasChanges && !draft.creating) return { metadata: base!, changed: false };
  if (draft.creating) completeCreatedTable(draft);
  if (draft.formatVersion === 1) writeV1Fields(draft);

  const previousUpdatedMs = base?.['last-updated-ms'] ?? ctx.nowMs;
  let lastUpdated: Long = maxLong(ctx.nowMs, previousUpdatedMs);
  if (draft.addedSnapshotTimestamp !== undefined) lastUpdated = maxLong(lastUpdated, draft.addedSnapshotTimestamp);
  doc['last-updated-ms'] = lastUpdated;

  if (base !== null && ctx.previousMetadataLocation) {
    const log = draft.own<JsonObject[]>('metadata-log', () => []);
    log.push({ 'timestamp-ms': previousUpdatedMs, 'metadata-file': ctx.previousMetadataLocation });
  }
  const maxEntries = previousVersionsMax(properties(draft.metadata));
  const log = draft.metadata['metadata-log'];
  if (log && log.length > maxEntries) draft.own<JsonObject[]>('metadata-log', () => []).splice(0, log.length - maxEntries);

  const fail: Fail = (message) =>
    new InvalidTableUpdateError('commit', `the resulting table metadata is invalid: ${message}`);
  const { metadata } = normalizeTableMetadata(doc, { allowLegacy: false }, fail);
  return { metadata, changed: true };
}

/** A create transaction may leave out the unpartitioned spec and unsorted order; Java adds them too. */
function completeCreatedTable(draft: TableMetadataDraft): void {
  const { doc, metadata } = draft;
  if (metadata['current-schema-id'] === -1 && draft.lastAddedSchemaId !== undefined) {
    doc['current-schema-id'] = draft.lastAddedSchemaId;
  }
  if (metadata['partition-specs'].length === 0) {
    doc['partition-specs'] = [{ 'spec-id': 0, fields: [] }];
  }
  if (metadata['default-spec-id'] === -1) {
    doc['default-spec-id'] = draft.lastAddedSpecId ?? metadata['partition-specs'][0]['spec-id'];
  }
  if (sortOrders(metadata).length === 0) {
    doc['sort-orders'] = [{ 'order-id': UNSORTED_ORDER_ID, fields: [] }];
  }
  if (metadata['default-sort-order-id'] === -1) {
    doc['default-sort-order-id'] = draft.lastAddedSortOrderId ?? UNSORTED_ORDER_ID;
  }
  if (draft.formatVersion === 1) {
    delete doc['last-sequence-number'];
    doc['current-snapshot-id'] ??= -1;
  }
  if (draft.formatVersion >= 3 && doc['next-row-id'] === undefined) doc['next-row-id'] = 0;
}

/** v1 writers keep the current schema in `schema` and the default spec's fields in `partition-spec`. */
function writeV1Fields(draft: TableMetadataDraft): void {
  const metadata = draft.metadata;
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (schema) draft.doc.schema = schema;
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id']);
  if (spec) draft.doc['partition-spec'] = spec.fields;
}

function previousVersionsMax(props: Record<string, string>): number {
  const raw = props[PREVIOUS_VERSIONS_MAX_PROPERTY];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return PREVIOUS_VERSIONS_MAX_DEFAULT;
  return Math.max(1, Number(raw));
}
