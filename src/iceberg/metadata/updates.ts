import {
  MAIN_BRANCH,
  UNSORTED_ORDER_ID,
  currentSnapshotId,
  defaultSortOrderId,
  lastSequenceNumber,
  noSnapshotId,
  partitionStatistics,
  properties,
  refs,
  snapshotLog,
  snapshots,
  sortOrders,
  statistics,
} from './accessors';
import { InvalidTableUpdateError, UnknownTableChangeError } from './errors';
import {
  Fail,
  JsonObject,
  isObject,
  jsonEquals,
  requireArray,
  requireInt,
  requireIntArray,
  requireLong,
  requireNonBlankString,
  requireObject,
  requireString,
  requireStringMap,
} from './json-values';
import { addLong, compareLong, longKey, maxLong } from './long';
import {
  checkPartitionFields,
  checkSchema,
  checkSortFields,
  fieldIds,
  highestFieldId,
  normalizeRequestedSchema,
  sameSchema,
  sameSortOrder,
  sameSpec,
} from './schema';
import {
  DEFAULT_FORMAT_VERSION,
  FormatVersion,
  Long,
  MAX_FORMAT_VERSION,
  PartitionField,
  PartitionSpec,
  Schema,
  Snapshot,
  SnapshotRef,
  SortField,
  SortOrder,
  TABLE_UPDATE_ACTIONS,
  TableMetadata,
  TableUpdateAction,
} from './types';
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
 */

export interface ApplyUpdatesContext {
  nowMs: number;
  /** Location of the file `metadata` was read from; it goes into `metadata-log`. */
  previousMetadataLocation: string | null;
  /** Table uuid for a create transaction whose updates carry no `assign-uuid`. */
  tableUuid?: string;
}

export interface AppliedUpdates {
  metadata: TableMetadata;
  /** False when every update was a no-op: `metadata` is then the input object itself. */
  changed: boolean;
}

/** Table property bounding `metadata-log` (Java `TableProperties.METADATA_PREVIOUS_VERSIONS_MAX`). */
export const PREVIOUS_VERSIONS_MAX_PROPERTY = 'write.metadata.previous-versions-max';
export const PREVIOUS_VERSIONS_MAX_DEFAULT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  const builder = new TableMetadataBuilder(metadata, ctx);
  for (const update of updates) builder.apply(update);
  return builder.build();
}

class TableMetadataBuilder {
  private readonly doc: JsonObject;
  private readonly copiedKeys = new Set<string>();
  private readonly creating: boolean;
  private changed = false;
  private lastAddedSchemaId: number | undefined;
  private lastAddedSpecId: number | undefined;
  private lastAddedSortOrderId: number | undefined;
  /** Latest timestamp of a snapshot added in this commit. */
  private addedSnapshotTimestamp: Long | undefined;
  private snapshotIndex: Map<string, Snapshot> | undefined;

  constructor(
    private readonly base: TableMetadata | null,
    private readonly ctx: ApplyUpdatesContext,
  ) {
    this.creating = base === null;
    this.doc = base === null ? emptyMetadata(ctx) : { ...base };
  }

  private get metadata(): TableMetadata {
    return this.doc as TableMetadata;
  }

  private get formatVersion(): FormatVersion {
    return this.metadata['format-version'];
  }

  apply(raw: unknown): void {
    if (!isObject(raw)) throw new InvalidTableUpdateError('update', 'each update must be an object');
    const action = raw.action;
    if (typeof action !== 'string') throw new InvalidTableUpdateError('update', 'an update has no "action"');
    if (!(TABLE_UPDATE_ACTIONS as readonly string[]).includes(action)) {
      throw new UnknownTableChangeError('update', action);
    }
    const fail: Fail = (message) => new InvalidTableUpdateError(action, message);
    switch (action as TableUpdateAction) {
      case 'assign-uuid':
        return this.assignUuid(raw, fail);
      case 'upgrade-format-version':
        return this.upgradeFormatVersion(raw, fail);
      case 'add-schema':
        return this.addSchema(raw, fail);
      case 'set-current-schema':
        return this.setCurrentSchema(raw, fail);
      case 'add-spec':
        return this.addSpec(raw, fail);
      case 'set-default-spec':
        return this.setDefaultSpec(raw, fail);
      case 'add-sort-order':
        return this.addSortOrder(raw, fail);
      case 'set-default-sort-order':
        return this.setDefaultSortOrder(raw, fail);
      case 'add-snapshot':
        return this.addSnapshot(raw, fail);
      case 'set-snapshot-ref':
        return this.setSnapshotRef(raw, fail);
      case 'remove-snapshots':
        return this.removeSnapshots(raw, fail);
      case 'remove-snapshot-ref':
        return this.removeSnapshotRef(raw, fail);
      case 'set-location':
        return this.setLocation(raw, fail);
      case 'set-properties':
        return this.setProperties(raw, fail);
      case 'remove-properties':
        return this.removeProperties(raw, fail);
      case 'set-statistics':
        return this.setStatistics(raw, fail);
      case 'remove-statistics':
        return this.removeStatistics('statistics', raw, fail);
      case 'set-partition-statistics':
        return this.setPartitionStatistics(raw, fail);
      case 'remove-partition-statistics':
        return this.removeStatistics('partition-statistics', raw, fail);
      case 'remove-partition-specs':
        return this.removePartitionSpecs(raw, fail);
      case 'remove-schemas':
        return this.removeSchemas(raw, fail);
      case 'add-encryption-key':
      case 'remove-encryption-key':
        throw fail('table encryption keys are not supported by this catalog');
      case 'enable-row-lineage':
        if (this.formatVersion < 3) throw fail('row lineage needs table format version 3');
        return; // always on in v3
    }
  }

  build(): AppliedUpdates {
    if (!this.changed && !this.creating) return { metadata: this.base!, changed: false };
    if (this.creating) this.completeCreatedTable();
    if (this.formatVersion === 1) this.writeV1Fields();

    const previousUpdatedMs = this.base?.['last-updated-ms'] ?? this.ctx.nowMs;
    let lastUpdated: Long = maxLong(this.ctx.nowMs, previousUpdatedMs);
    if (this.addedSnapshotTimestamp !== undefined) lastUpdated = maxLong(lastUpdated, this.addedSnapshotTimestamp);
    this.doc['last-updated-ms'] = lastUpdated;

    if (this.base !== null && this.ctx.previousMetadataLocation) {
      const log = this.own<JsonObject[]>('metadata-log', () => []);
      log.push({ 'timestamp-ms': previousUpdatedMs, 'metadata-file': this.ctx.previousMetadataLocation });
    }
    const maxEntries = previousVersionsMax(properties(this.metadata));
    const log = this.metadata['metadata-log'];
    if (log && log.length > maxEntries) this.own<JsonObject[]>('metadata-log', () => []).splice(0, log.length - maxEntries);

    const fail: Fail = (message) =>
      new InvalidTableUpdateError('commit', `the resulting table metadata is invalid: ${message}`);
    const { metadata } = normalizeTableMetadata(this.doc, { allowLegacy: false }, fail);
    return { metadata, changed: true };
  }

  // ---- helpers -------------------------------------------------------------------------------------

  private markChanged(): void {
    this.changed = true;
  }

  /** The document's value for `key`, copied on first write so the input is never modified. */
  private own<T extends object>(key: string, init: () => T): T {
    if (!this.copiedKeys.has(key)) {
      const current = this.doc[key];
      this.doc[key] =
        current === undefined || current === null
          ? init()
          : Array.isArray(current)
            ? [...current]
            : { ...(current as object) };
      this.copiedKeys.add(key);
    }
    return this.doc[key] as T;
  }

  /** Refs, copied for writing; a document without `refs` has an implicit main at the current snapshot. */
  private ownRefs(): Record<string, SnapshotRef> {
    return this.own<Record<string, SnapshotRef>>('refs', () => ({ ...refs(this.metadata) }));
  }

  private snapshotById(): Map<string, Snapshot> {
    if (!this.snapshotIndex) {
      this.snapshotIndex = new Map(snapshots(this.metadata).map((s) => [longKey(s['snapshot-id']), s]));
    }
    return this.snapshotIndex;
  }

  private schemaSourceIds(fail: Fail): Set<number> {
    const schemas = this.metadata.schemas;
    const current =
      schemas.find((s) => s['schema-id'] === this.metadata['current-schema-id']) ??
      schemas.find((s) => s['schema-id'] === this.lastAddedSchemaId);
    if (!current) throw fail('the table has no schema yet: add a schema first');
    return fieldIds(current);
  }

  // ---- identity and format -------------------------------------------------------------------------

  private assignUuid(update: JsonObject, fail: Fail): void {
    const uuid = requireString(update.uuid, 'uuid', fail);
    if (!UUID.test(uuid)) throw fail(`'${uuid}' is not a UUID`);
    const current = this.metadata['table-uuid'];
    if (current && current.toLowerCase() === uuid.toLowerCase()) return;
    if (!this.creating) throw fail(`the table uuid is ${current}; it cannot be changed to ${uuid}`);
    this.doc['table-uuid'] = uuid;
    this.markChanged();
  }

  private upgradeFormatVersion(update: JsonObject, fail: Fail): void {
    const target = requireInt(update['format-version'], 'format-version', fail);
    if (target < 1 || target > MAX_FORMAT_VERSION) {
      throw fail(`format version ${target} is not supported (supported: 1 to ${MAX_FORMAT_VERSION})`);
    }
    const current = this.formatVersion;
    if (target === current) return;
    if (target < current && !this.creating) throw fail(`cannot downgrade format version ${current} to ${target}`);
    this.doc['format-version'] = target;
    if (target > 1) {
      // v1-only keys are not written from v2 on; v2 requires sequence numbers and sort orders.
      delete this.doc.schema;
      delete this.doc['partition-spec'];
      if (this.doc['last-sequence-number'] === undefined) this.doc['last-sequence-number'] = 0;
      if (this.doc['sort-orders'] === undefined) this.doc['sort-orders'] = sortOrders(this.metadata);
      if (this.doc['default-sort-order-id'] === undefined) this.doc['default-sort-order-id'] = defaultSortOrderId(this.metadata);
    }
    if (target >= 3 && this.doc['next-row-id'] === undefined) this.doc['next-row-id'] = 0;
    if (this.doc['current-snapshot-id'] === -1 && target > 1) this.doc['current-snapshot-id'] = null;
    this.markChanged();
  }

  // ---- schemas -------------------------------------------------------------------------------------

  private addSchema(update: JsonObject, fail: Fail): void {
    const requested = normalizeRequestedSchema(requireObject(update.schema, 'schema', fail), fail);
    if (requested.type === undefined) requested.type = 'struct';
    checkSchema(requested, 'schema', fail, { formatVersion: this.formatVersion, strictIdentifierFields: true });
    const deprecatedLastColumnId =
      update['last-column-id'] === undefined ? 0 : requireInt(update['last-column-id'], 'last-column-id', fail);

    const newLastColumnId = Math.max(this.metadata['last-column-id'], highestFieldId(requested), deprecatedLastColumnId);
    if (newLastColumnId !== this.metadata['last-column-id']) {
      this.doc['last-column-id'] = newLastColumnId;
      this.markChanged();
    }

    const existing = this.metadata.schemas.find((s) => sameSchema(s, requested));
    if (existing) {
      this.lastAddedSchemaId = existing['schema-id'];
      return;
    }
    const usedIds = new Set(this.metadata.schemas.map((s) => s['schema-id']));
    const requestedId = requested['schema-id'];
    const schemaId =
      typeof requestedId === 'number' && Number.isInteger(requestedId) && requestedId >= 0 && !usedIds.has(requestedId)
        ? requestedId
        : Math.max(-1, ...usedIds) + 1;
    const schema = { ...requested, 'schema-id': schemaId } as Schema;
    this.own<Schema[]>('schemas', () => []).push(schema);
    this.lastAddedSchemaId = schemaId;
    this.markChanged();
  }

  private setCurrentSchema(update: JsonObject, fail: Fail): void {
    let schemaId = requireInt(update['schema-id'], 'schema-id', fail);
    if (schemaId === -1) {
      if (this.lastAddedSchemaId === undefined) throw fail('schema-id -1 needs a schema added in the same commit');
      schemaId = this.lastAddedSchemaId;
    }
    if (!this.metadata.schemas.some((s) => s['schema-id'] === schemaId)) throw fail(`schema ${schemaId} does not exist`);
    if (this.metadata['current-schema-id'] === schemaId) return;
    this.doc['current-schema-id'] = schemaId;
    this.markChanged();
  }

  private removeSchemas(update: JsonObject, fail: Fail): void {
    const ids = new Set(requireIntArray(update['schema-ids'], 'schema-ids', fail));
    if (ids.has(this.metadata['current-schema-id'])) {
      throw fail(`schema ${this.metadata['current-schema-id']} is the current schema and cannot be removed`);
    }
    if (!this.metadata.schemas.some((s) => ids.has(s['schema-id']))) return;
    this.doc.schemas = this.metadata.schemas.filter((s) => !ids.has(s['schema-id']));
    this.copiedKeys.add('schemas');
    this.markChanged();
  }

  // ---- partition specs -----------------------------------------------------------------------------

  private addSpec(update: JsonObject, fail: Fail): void {
    const requested = requireObject(update.spec, 'spec', fail);
    const lastPartitionId = this.metadata['last-partition-id'];
    const fields: PartitionField[] = checkPartitionFields(requested.fields, 'spec', fail, {
      sourceIds: this.schemaSourceIds(fail),
      assignFieldIdsFrom: lastPartitionId + 1,
    });
    const specs = this.metadata['partition-specs'];
    const existing = specs.find((s) => sameSpec(s, { fields }));
    if (existing) {
      this.lastAddedSpecId = existing['spec-id'];
      return;
    }
    const usedIds = new Set(specs.map((s) => s['spec-id']));
    const requestedId = requested['spec-id'];
    const specId =
      typeof requestedId === 'number' && Number.isInteger(requestedId) && requestedId >= 0 && !usedIds.has(requestedId)
        ? requestedId
        : Math.max(-1, ...usedIds) + 1;
    const spec = { ...requested, 'spec-id': specId, fields } as PartitionSpec;
    this.own<PartitionSpec[]>('partition-specs', () => []).push(spec);
    const highest = fields.reduce((max, f) => Math.max(max, f['field-id']), lastPartitionId);
    this.doc['last-partition-id'] = highest;
    this.lastAddedSpecId = specId;
    this.markChanged();
  }

  private setDefaultSpec(update: JsonObject, fail: Fail): void {
    let specId = requireInt(update['spec-id'], 'spec-id', fail);
    if (specId === -1) {
      if (this.lastAddedSpecId === undefined) throw fail('spec-id -1 needs a spec added in the same commit');
      specId = this.lastAddedSpecId;
    }
    if (!this.metadata['partition-specs'].some((s) => s['spec-id'] === specId)) {
      throw fail(`partition spec ${specId} does not exist`);
    }
    if (this.metadata['default-spec-id'] === specId) return;
    this.doc['default-spec-id'] = specId;
    this.markChanged();
  }

  private removePartitionSpecs(update: JsonObject, fail: Fail): void {
    const ids = new Set(requireIntArray(update['spec-ids'], 'spec-ids', fail));
    if (ids.has(this.metadata['default-spec-id'])) {
      throw fail(`partition spec ${this.metadata['default-spec-id']} is the default spec and cannot be removed`);
    }
    const specs = this.metadata['partition-specs'];
    if (!specs.some((s) => ids.has(s['spec-id']))) return;
    this.doc['partition-specs'] = specs.filter((s) => !ids.has(s['spec-id']));
    this.copiedKeys.add('partition-specs');
    this.markChanged();
  }

  // ---- sort orders ---------------------------------------------------------------------------------

  private addSortOrder(update: JsonObject, fail: Fail): void {
    const requested = requireObject(update['sort-order'], 'sort-order', fail);
    const fields: SortField[] = checkSortFields(requested.fields, 'sort-order', fail, this.schemaSourceIds(fail));
    const orders = sortOrders(this.metadata);
    if (fields.length === 0) {
      // The unsorted order always has id 0.
      this.lastAddedSortOrderId = UNSORTED_ORDER_ID;
      if (orders.some((o) => o['order-id'] === UNSORTED_ORDER_ID)) return;
      this.own<SortOrder[]>('sort-orders', () => sortOrders(this.metadata)).push({ 'order-id': 0, fields: [] });
      this.markChanged();
      return;
    }
    const existing = orders.find((o) => o.fields.length > 0 && sameSortOrder(o, { fields }));
    if (existing) {
      this.lastAddedSortOrderId = existing['order-id'];
      return;
    }
    const usedIds = new Set(orders.map((o) => o['order-id']));
    const requestedId = requested['order-id'];
    const orderId =
      typeof requestedId === 'number' && Number.isInteger(requestedId) && requestedId >= 1 && !usedIds.has(requestedId)
        ? requestedId
        : Math.max(0, ...usedIds) + 1;
    this.own<SortOrder[]>('sort-orders', () => sortOrders(this.metadata)).push({
      ...requested,
      'order-id': orderId,
      fields,
    } as SortOrder);
    this.ensureSortOrdersWritten();
    this.lastAddedSortOrderId = orderId;
    this.markChanged();
  }

  /** v1 documents may omit sort orders; once one is added both keys are written. */
  private ensureSortOrdersWritten(): void {
    if (this.doc['sort-orders'] === undefined) {
      this.doc['sort-orders'] = sortOrders(this.metadata);
      this.markChanged();
    }
    if (this.doc['default-sort-order-id'] === undefined) {
      this.doc['default-sort-order-id'] = UNSORTED_ORDER_ID;
      this.markChanged();
    }
  }

  private setDefaultSortOrder(update: JsonObject, fail: Fail): void {
    let orderId = requireInt(update['sort-order-id'], 'sort-order-id', fail);
    if (orderId === -1) {
      if (this.lastAddedSortOrderId === undefined) {
        throw fail('sort-order-id -1 needs a sort order added in the same commit');
      }
      orderId = this.lastAddedSortOrderId;
    }
    if (!sortOrders(this.metadata).some((o) => o['order-id'] === orderId)) {
      throw fail(`sort order ${orderId} does not exist`);
    }
    if (defaultSortOrderId(this.metadata) === orderId) return;
    this.ensureSortOrdersWritten();
    this.doc['default-sort-order-id'] = orderId;
    this.markChanged();
  }

  // ---- snapshots and refs --------------------------------------------------------------------------

  private addSnapshot(update: JsonObject, fail: Fail): void {
    const snapshot = requireObject(update.snapshot, 'snapshot', fail) as Snapshot;
    const id = requireLong(snapshot['snapshot-id'], 'snapshot-id', fail);
    const key = longKey(id);
    const timestamp = requireLong(snapshot['timestamp-ms'], 'timestamp-ms', fail);
    const parent = snapshot['parent-snapshot-id'];
    if (parent !== undefined && parent !== null) requireLong(parent, 'parent-snapshot-id', fail);
    if (snapshot['manifest-list'] !== undefined) requireString(snapshot['manifest-list'], 'manifest-list', fail);
    else if (this.formatVersion > 1 || snapshot.manifests === undefined) throw fail('snapshot has no manifest-list');
    if (snapshot.summary !== undefined) requireObject(snapshot.summary, 'summary', fail);
    if (snapshot['schema-id'] !== undefined) requireInt(snapshot['schema-id'], 'schema-id', fail);

    const index = this.snapshotById();
    if (index.has(key)) throw fail(`snapshot ${key} already exists`);

    if (this.formatVersion > 1) {
      const sequenceNumber =
        snapshot['sequence-number'] === undefined ? 0 : requireLong(snapshot['sequence-number'], 'sequence-number', fail);
      const last = lastSequenceNumber(this.metadata);
      // Java's builder and PyIceberg exempt snapshots without a parent (the first of a new lineage).
      const hasParent = parent !== undefined && parent !== null;
      if (hasParent && compareLong(sequenceNumber, last) <= 0) {
        throw fail(`sequence number ${longKey(sequenceNumber)} of snapshot ${key} is not greater than the table's last sequence number ${longKey(last)}`);
      }
      this.doc['last-sequence-number'] = maxLong(last, sequenceNumber);
    }
    if (this.formatVersion >= 3) {
      const firstRowId = requireLong(snapshot['first-row-id'], 'first-row-id', fail);
      const addedRows = requireLong(snapshot['added-rows'], 'added-rows', fail);
      const nextRowId = (this.doc['next-row-id'] as Long | undefined) ?? 0;
      if (compareLong(firstRowId, nextRowId) < 0) {
        throw fail(`first-row-id ${longKey(firstRowId)} is behind the table's next-row-id ${longKey(nextRowId)}`);
      }
      if (compareLong(addedRows, 0) < 0) throw fail('added-rows must not be negative');
      this.doc['next-row-id'] = addLong(nextRowId, addedRows);
    }

    this.own<Snapshot[]>('snapshots', () => []).push(snapshot);
    index.set(key, snapshot);
    this.addedSnapshotTimestamp =
      this.addedSnapshotTimestamp === undefined ? timestamp : maxLong(this.addedSnapshotTimestamp, timestamp);
    this.markChanged();
  }

  private setSnapshotRef(update: JsonObject, fail: Fail): void {
    const name = requireNonBlankString(update['ref-name'], 'ref-name', fail);
    const type = update.type;
    if (type !== 'branch' && type !== 'tag') throw fail('type must be "branch" or "tag"');
    if (name === MAIN_BRANCH && type !== 'branch') throw fail('main must be a branch');
    const snapshotId = requireLong(update['snapshot-id'], 'snapshot-id', fail);
    const snapshot = this.snapshotById().get(longKey(snapshotId));
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

    const existing = refs(this.metadata)[name];
    if (existing && jsonEquals(existing, ref)) return;
    this.ownRefs()[name] = ref;
    if (name === MAIN_BRANCH) {
      this.doc['current-snapshot-id'] = ref['snapshot-id'];
      const timestamp = this.addedSnapshotTimestamp ?? this.ctx.nowMs;
      this.own<JsonObject[]>('snapshot-log', () => []).push({
        'timestamp-ms': timestamp,
        'snapshot-id': ref['snapshot-id'],
      });
    }
    this.markChanged();
  }

  private removeSnapshotRef(update: JsonObject, fail: Fail): void {
    const name = requireNonBlankString(update['ref-name'], 'ref-name', fail);
    if (refs(this.metadata)[name] !== undefined) {
      delete this.ownRefs()[name];
      this.markChanged();
    }
    if (name === MAIN_BRANCH && currentSnapshotId(this.metadata) !== null) {
      this.doc['current-snapshot-id'] = noSnapshotId(this.formatVersion);
      this.markChanged();
    }
  }

  private removeSnapshots(update: JsonObject, fail: Fail): void {
    const ids = requireArray(update['snapshot-ids'], 'snapshot-ids', fail).map((id) =>
      longKey(requireLong(id, 'snapshot-ids entry', fail)),
    );
    const index = this.snapshotById();
    const removed = new Set(ids.filter((id) => index.has(id)));
    if (removed.size === 0) return;

    this.doc.snapshots = snapshots(this.metadata).filter((s) => !removed.has(longKey(s['snapshot-id'])));
    this.copiedKeys.add('snapshots');
    for (const id of removed) index.delete(id);

    // Refs left pointing at a removed snapshot are dropped (Java's builder does the same).
    const currentRefs = refs(this.metadata);
    const dangling = Object.keys(currentRefs).filter((name) => removed.has(longKey(currentRefs[name]['snapshot-id'])));
    if (dangling.length > 0) {
      const kept = this.ownRefs();
      for (const name of dangling) delete kept[name];
    }
    const current = currentSnapshotId(this.metadata);
    if (current !== null && removed.has(longKey(current))) {
      this.doc['current-snapshot-id'] = noSnapshotId(this.formatVersion);
    }

    for (const key of ['statistics', 'partition-statistics'] as const) {
      const files = key === 'statistics' ? statistics(this.metadata) : partitionStatistics(this.metadata);
      if (files.some((f) => removed.has(longKey(f['snapshot-id'])))) {
        this.doc[key] = files.filter((f) => !removed.has(longKey(f['snapshot-id'])));
        this.copiedKeys.add(key);
      }
    }

    // A log entry for a removed snapshot invalidates the history before it: keeping the older entries
    // would claim a later snapshot was current during a period it was not (Java's updateSnapshotLog).
    const log = snapshotLog(this.metadata);
    let firstValid = 0;
    log.forEach((entry, i) => {
      if (!index.has(longKey(entry['snapshot-id']))) firstValid = i + 1;
    });
    if (firstValid > 0) {
      this.doc['snapshot-log'] = log.slice(firstValid);
      this.copiedKeys.add('snapshot-log');
    }
    this.markChanged();
  }

  // ---- location and properties ---------------------------------------------------------------------

  private setLocation(update: JsonObject, fail: Fail): void {
    const location = requireNonBlankString(update.location, 'location', fail);
    if (this.metadata.location === location) return;
    this.doc.location = location;
    this.markChanged();
  }

  private setProperties(update: JsonObject, fail: Fail): void {
    const updates = requireStringMap(update.updates, 'updates', fail);
    const current = properties(this.metadata);
    for (const key of Object.keys(updates)) {
      if (current[key] === updates[key] && Object.prototype.hasOwnProperty.call(current, key)) continue;
      this.own<Record<string, string>>('properties', () => ({}))[key] = updates[key];
      this.markChanged();
    }
  }

  private removeProperties(update: JsonObject, fail: Fail): void {
    const removals = requireArray(update.removals, 'removals', fail).map((key) =>
      requireString(key, 'removals entry', fail),
    );
    const current = properties(this.metadata);
    for (const key of removals) {
      if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
      delete this.own<Record<string, string>>('properties', () => ({}))[key];
      this.markChanged();
    }
  }

  // ---- statistics ----------------------------------------------------------------------------------

  private setStatistics(update: JsonObject, fail: Fail): void {
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
    this.upsertStatistics('statistics', snapshotId, file);
  }

  private setPartitionStatistics(update: JsonObject, fail: Fail): void {
    const file = requireObject(update['partition-statistics'], 'partition-statistics', fail);
    const snapshotId = requireLong(file['snapshot-id'], 'partition-statistics snapshot-id', fail);
    requireString(file['statistics-path'], 'statistics-path', fail);
    requireLong(file['file-size-in-bytes'], 'file-size-in-bytes', fail);
    this.upsertStatistics('partition-statistics', snapshotId, file);
  }

  private upsertStatistics(key: 'statistics' | 'partition-statistics', snapshotId: Long, file: JsonObject): void {
    const files = (this.metadata[key] ?? []) as JsonObject[];
    const at = files.findIndex((f) => compareLong(f['snapshot-id'] as Long, snapshotId) === 0);
    if (at >= 0 && jsonEquals(files[at], file)) return;
    const owned = this.own<JsonObject[]>(key, () => []);
    if (at >= 0) owned[at] = file;
    else owned.push(file);
    this.markChanged();
  }

  private removeStatistics(key: 'statistics' | 'partition-statistics', update: JsonObject, fail: Fail): void {
    const snapshotId = requireLong(update['snapshot-id'], 'snapshot-id', fail);
    const files = (this.metadata[key] ?? []) as JsonObject[];
    if (!files.some((f) => compareLong(f['snapshot-id'] as Long, snapshotId) === 0)) return;
    this.doc[key] = files.filter((f) => compareLong(f['snapshot-id'] as Long, snapshotId) !== 0);
    this.copiedKeys.add(key);
    this.markChanged();
  }

  // ---- completion ----------------------------------------------------------------------------------

  /** A create transaction may leave out the unpartitioned spec and unsorted order; Java adds them too. */
  private completeCreatedTable(): void {
    if (this.metadata['current-schema-id'] === -1 && this.lastAddedSchemaId !== undefined) {
      this.doc['current-schema-id'] = this.lastAddedSchemaId;
    }
    if (this.metadata['partition-specs'].length === 0) {
      this.doc['partition-specs'] = [{ 'spec-id': 0, fields: [] }];
    }
    if (this.metadata['default-spec-id'] === -1) {
      this.doc['default-spec-id'] = this.lastAddedSpecId ?? this.metadata['partition-specs'][0]['spec-id'];
    }
    if (sortOrders(this.metadata).length === 0) {
      this.doc['sort-orders'] = [{ 'order-id': UNSORTED_ORDER_ID, fields: [] }];
    }
    if (this.metadata['default-sort-order-id'] === -1) {
      this.doc['default-sort-order-id'] = this.lastAddedSortOrderId ?? UNSORTED_ORDER_ID;
    }
    if (this.formatVersion === 1) {
      delete this.doc['last-sequence-number'];
      this.doc['current-snapshot-id'] ??= -1;
    }
    if (this.formatVersion >= 3 && this.doc['next-row-id'] === undefined) this.doc['next-row-id'] = 0;
  }

  /** v1 writers keep the current schema in `schema` and the default spec's fields in `partition-spec`. */
  private writeV1Fields(): void {
    const metadata = this.metadata;
    const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
    if (schema) this.doc.schema = schema;
    const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id']);
    if (spec) this.doc['partition-spec'] = spec.fields;
  }
}

/** Starting point of a create transaction; the updates fill it in (contract §8.7). */
function emptyMetadata(ctx: ApplyUpdatesContext): JsonObject {
  return {
    'format-version': DEFAULT_FORMAT_VERSION,
    'table-uuid': ctx.tableUuid ?? '',
    location: '',
    'last-sequence-number': 0,
    'last-updated-ms': ctx.nowMs,
    'last-column-id': 0,
    'current-schema-id': -1,
    schemas: [],
    'default-spec-id': -1,
    'partition-specs': [],
    'last-partition-id': 999,
    'default-sort-order-id': -1,
    'sort-orders': [],
    properties: {},
    'current-snapshot-id': null,
    refs: {},
    snapshots: [],
    statistics: [],
    'partition-statistics': [],
    'snapshot-log': [],
    'metadata-log': [],
  };
}

function previousVersionsMax(props: Record<string, string>): number {
  const raw = props[PREVIOUS_VERSIONS_MAX_PROPERTY];
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw)) return PREVIOUS_VERSIONS_MAX_DEFAULT;
  return Math.max(1, Number(raw));
}
