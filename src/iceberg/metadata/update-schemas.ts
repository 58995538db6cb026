import { UNSORTED_ORDER_ID, defaultSortOrderId, sortOrders } from './accessors';
import { Fail, JsonObject, requireInt, requireIntArray, requireObject } from './json-values';
import {
  checkPartitionFields,
  checkSchema,
  checkSortFields,
  highestFieldId,
  normalizeRequestedSchema,
  sameSchema,
  sameSortOrder,
  sameSpec,
} from './schema';
import { PartitionField, PartitionSpec, Schema, SortField, SortOrder } from './types';
import type { TableMetadataDraft } from './update-draft';

/**
 * Commit updates to the table's schemas, partition specs and sort orders. An identical schema / spec / sort
 * order is reused rather than added twice, and -1 in set-current-schema / set-default-spec /
 * set-default-sort-order means "the one added (or reused) last in this commit".
 */

/**
 * The id a client sent for a new schema / spec / sort order when it is an unused integer from `lowest` up,
 * otherwise the next one after the highest in use (or `lowest` when none is).
 */
function keptOrNextId(requestedId: unknown, usedIds: Set<number>, lowest: number): number {
  return typeof requestedId === 'number' && Number.isInteger(requestedId) && requestedId >= lowest && !usedIds.has(requestedId)
    ? requestedId
    : Math.max(lowest - 1, ...usedIds) + 1;
}

// ---- schemas -------------------------------------------------------------------------------------

export function addSchema(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const requested = normalizeRequestedSchema(requireObject(update.schema, 'schema', fail), fail);
  if (requested.type === undefined) requested.type = 'struct';
  checkSchema(requested, 'schema', fail, { formatVersion: draft.formatVersion, strictIdentifierFields: true });
  const deprecatedLastColumnId =
    update['last-column-id'] === undefined ? 0 : requireInt(update['last-column-id'], 'last-column-id', fail);

  const newLastColumnId = Math.max(draft.metadata['last-column-id'], highestFieldId(requested), deprecatedLastColumnId);
  if (newLastColumnId !== draft.metadata['last-column-id']) {
    draft.doc['last-column-id'] = newLastColumnId;
    draft.markChanged();
  }

  const existing = draft.metadata.schemas.find((s) => sameSchema(s, requested));
  if (existing) {
    draft.lastAddedSchemaId = existing['schema-id'];
    return;
  }
  const usedIds = new Set(draft.metadata.schemas.map((s) => s['schema-id']));
  const schemaId = keptOrNextId(requested['schema-id'], usedIds, 0);
  const schema = { ...requested, 'schema-id': schemaId } as Schema;
  draft.own<Schema[]>('schemas', () => []).push(schema);
  draft.lastAddedSchemaId = schemaId;
  draft.markChanged();
}

export function setCurrentSchema(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  let schemaId = requireInt(update['schema-id'], 'schema-id', fail);
  if (schemaId === -1) {
    if (draft.lastAddedSchemaId === undefined) throw fail('schema-id -1 needs a schema added in the same commit');
    schemaId = draft.lastAddedSchemaId;
  }
  if (!draft.metadata.schemas.some((s) => s['schema-id'] === schemaId)) throw fail(`schema ${schemaId} does not exist`);
  if (draft.metadata['current-schema-id'] === schemaId) return;
  draft.doc['current-schema-id'] = schemaId;
  draft.markChanged();
}

export function removeSchemas(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const ids = new Set(requireIntArray(update['schema-ids'], 'schema-ids', fail));
  if (ids.has(draft.metadata['current-schema-id'])) {
    throw fail(`schema ${draft.metadata['current-schema-id']} is the current schema and cannot be removed`);
  }
  if (!draft.metadata.schemas.some((s) => ids.has(s['schema-id']))) return;
  draft.replace('schemas', draft.metadata.schemas.filter((s) => !ids.has(s['schema-id'])));
  draft.markChanged();
}

// ---- partition specs -----------------------------------------------------------------------------

export function addSpec(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const requested = requireObject(update.spec, 'spec', fail);
  const lastPartitionId = draft.metadata['last-partition-id'];
  const fields: PartitionField[] = checkPartitionFields(requested.fields, 'spec', fail, {
    sourceIds: draft.schemaSourceIds(fail),
    assignFieldIdsFrom: lastPartitionId + 1,
  });
  const specs = draft.metadata['partition-specs'];
  const existing = specs.find((s) => sameSpec(s, { fields }));
  if (existing) {
    draft.lastAddedSpecId = existing['spec-id'];
    return;
  }
  const usedIds = new Set(specs.map((s) => s['spec-id']));
  const specId = keptOrNextId(requested['spec-id'], usedIds, 0);
  const spec = { ...requested, 'spec-id': specId, fields } as PartitionSpec;
  draft.own<PartitionSpec[]>('partition-specs', () => []).push(spec);
  const highest = fields.reduce((max, f) => Math.max(max, f['field-id']), lastPartitionId);
  draft.doc['last-partition-id'] = highest;
  draft.lastAddedSpecId = specId;
  draft.markChanged();
}

export function setDefaultSpec(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  let specId = requireInt(update['spec-id'], 'spec-id', fail);
  if (specId === -1) {
    if (draft.lastAddedSpecId === undefined) throw fail('spec-id -1 needs a spec added in the same commit');
    specId = draft.lastAddedSpecId;
  }
  if (!draft.metadata['partition-specs'].some((s) => s['spec-id'] === specId)) {
    throw fail(`partition spec ${specId} does not exist`);
  }
  if (draft.metadata['default-spec-id'] === specId) return;
  draft.doc['default-spec-id'] = specId;
  draft.markChanged();
}

export function removePartitionSpecs(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const ids = new Set(requireIntArray(update['spec-ids'], 'spec-ids', fail));
  if (ids.has(draft.metadata['default-spec-id'])) {
    throw fail(`partition spec ${draft.metadata['default-spec-id']} is the default spec and cannot be removed`);
  }
  const specs = draft.metadata['partition-specs'];
  if (!specs.some((s) => ids.has(s['spec-id']))) return;
  draft.replace('partition-specs', specs.filter((s) => !ids.has(s['spec-id'])));
  draft.markChanged();
}

// ---- sort orders ---------------------------------------------------------------------------------

export function addSortOrder(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const requested = requireObject(update['sort-order'], 'sort-order', fail);
  const fields: SortField[] = checkSortFields(requested.fields, 'sort-order', fail, draft.schemaSourceIds(fail));
  const orders = sortOrders(draft.metadata);
  if (fields.length === 0) {
    // The unsorted order always has id 0.
    draft.lastAddedSortOrderId = UNSORTED_ORDER_ID;
    if (orders.some((o) => o['order-id'] === UNSORTED_ORDER_ID)) return;
    draft.own<SortOrder[]>('sort-orders', () => sortOrders(draft.metadata)).push({ 'order-id': 0, fields: [] });
    draft.markChanged();
    return;
  }
  const existing = orders.find((o) => o.fields.length > 0 && sameSortOrder(o, { fields }));
  if (existing) {
    draft.lastAddedSortOrderId = existing['order-id'];
    return;
  }
  // Sorted orders start at 1: 0 is the unsorted order's id.
  const usedIds = new Set(orders.map((o) => o['order-id']));
  const orderId = keptOrNextId(requested['order-id'], usedIds, 1);
  draft.own<SortOrder[]>('sort-orders', () => sortOrders(draft.metadata)).push({
    ...requested,
    'order-id': orderId,
    fields,
  } as SortOrder);
  ensureSortOrdersWritten(draft);
  draft.lastAddedSortOrderId = orderId;
  draft.markChanged();
}

/** v1 documents may omit sort orders; once one is added both keys are written. */
function ensureSortOrdersWritten(draft: TableMetadataDraft): void {
  if (draft.doc['sort-orders'] === undefined) {
    draft.doc['sort-orders'] = sortOrders(draft.metadata);
    draft.markChanged();
  }
  if (draft.doc['default-sort-order-id'] === undefined) {
    draft.doc['default-sort-order-id'] = UNSORTED_ORDER_ID;
    draft.markChanged();
  }
}

export function setDefaultSortOrder(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  let orderId = requireInt(update['sort-order-id'], 'sort-order-id', fail);
  if (orderId === -1) {
    if (draft.lastAddedSortOrderId === undefined) {
      throw fail('sort-order-id -1 needs a sort order added in the same commit');
    }
    orderId = draft.lastAddedSortOrderId;
  }
  if (!sortOrders(draft.metadata).some((o) => o['order-id'] === orderId)) {
    throw fail(`sort order ${orderId} does not exist`);
  }
  if (defaultSortOrderId(draft.metadata) === orderId) return;
  ensureSortOrdersWritten(draft);
  draft.doc['default-sort-order-id'] = orderId;
  draft.markChanged();
}
