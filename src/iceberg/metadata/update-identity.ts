import { defaultSortOrderId, sortOrders } from './accessors';
import { Fail, JsonObject, requireInt, requireString } from './json-values';
import { MAX_FORMAT_VERSION } from './types';
import type { TableMetadataDraft } from './update-draft';

/** Commit updates to the table's identity and format: `assign-uuid`, `upgrade-format-version`. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assignUuid(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const uuid = requireString(update.uuid, 'uuid', fail);
  if (!UUID.test(uuid)) throw fail(`'${uuid}' is not a UUID`);
  const current = draft.metadata['table-uuid'];
  if (current && current.toLowerCase() === uuid.toLowerCase()) return;
  if (!draft.creating) throw fail(`the table uuid is ${current}; it cannot be changed to ${uuid}`);
  draft.doc['table-uuid'] = uuid;
  draft.markChanged();
}

export function upgradeFormatVersion(draft: TableMetadataDraft, update: JsonObject, fail: Fail): void {
  const target = requireInt(update['format-version'], 'format-version', fail);
  if (target < 1 || target > MAX_FORMAT_VERSION) {
    throw fail(`format version ${target} is not supported (supported: 1 to ${MAX_FORMAT_VERSION})`);
  }
  const current = draft.formatVersion;
  if (target === current) return;
  if (target < current && !draft.creating) throw fail(`cannot downgrade format version ${current} to ${target}`);
  const doc = draft.doc;
  doc['format-version'] = target;
  if (target > 1) {
    // v1-only keys are not written from v2 on; v2 requires sequence numbers and sort orders.
    delete doc.schema;
    delete doc['partition-spec'];
    if (doc['last-sequence-number'] === undefined) doc['last-sequence-number'] = 0;
    if (doc['sort-orders'] === undefined) doc['sort-orders'] = sortOrders(draft.metadata);
    if (doc['default-sort-order-id'] === undefined) doc['default-sort-order-id'] = defaultSortOrderId(draft.metadata);
  }
  if (target >= 3 && doc['next-row-id'] === undefined) doc['next-row-id'] = 0;
  if (doc['current-snapshot-id'] === -1 && target > 1) doc['current-snapshot-id'] = null;
  draft.markChanged();
}
