import { MAIN_BRANCH, defaultSortOrderId, refSnapshotId, refs } from './accessors';
import { InvalidTableUpdateError, RequirementFailedError, UnknownTableChangeError } from './errors';
import { Fail, JsonObject, isObject, requireInt, requireLong, requireString } from './json-values';
import { longEquals, longKey } from './long';
import { TABLE_REQUIREMENT_TYPES, TABLE_UPDATE_ACTIONS, TableMetadata, TableRequirementType } from './types';

/**
 * Commit requirements (spec `TableRequirement`, Java `UpdateRequirement`): assertions about the metadata the
 * client based its changes on. All are checked before any update is applied; the first that does not hold
 * throws RequirementFailedError (409), which tells the client to refresh and retry.
 *
 * `metadata` is null when the table does not exist (a create transaction): only `assert-create` can hold
 * then.
 */
export function checkRequirements(metadata: TableMetadata | null, requirements: unknown[]): void {
  for (const raw of requirements) {
    const requirement = requirementObject(raw);
    const type = requirement.type as TableRequirementType;
    if (type === 'assert-create') {
      if (metadata !== null) throw new RequirementFailedError(type, 'the table already exists');
      continue;
    }
    if (metadata === null) throw new RequirementFailedError(type, 'the table does not exist');
    checkAgainstTable(metadata, type, requirement);
  }
}

/**
 * Rejects unknown requirement types and update actions before anything else runs, so an unknown change is
 * a 400 naming it even when a requirement would also fail.
 */
export function assertKnownTableChanges(requirements: unknown[], updates: unknown[]): void {
  for (const raw of requirements) requirementObject(raw);
  for (const raw of updates) {
    if (!isObject(raw)) throw new InvalidTableUpdateError('update', 'each update must be an object');
    if (typeof raw.action !== 'string') throw new InvalidTableUpdateError('update', 'an update has no "action"');
    if (!(TABLE_UPDATE_ACTIONS as readonly string[]).includes(raw.action)) {
      throw new UnknownTableChangeError('update', raw.action);
    }
  }
}

function requirementObject(raw: unknown): JsonObject {
  if (!isObject(raw)) throw new InvalidTableUpdateError('requirement', 'each requirement must be an object');
  if (typeof raw.type !== 'string') throw new InvalidTableUpdateError('requirement', 'a requirement has no "type"');
  if (!(TABLE_REQUIREMENT_TYPES as readonly string[]).includes(raw.type)) {
    throw new UnknownTableChangeError('requirement', raw.type);
  }
  return raw;
}

function checkAgainstTable(metadata: TableMetadata, type: TableRequirementType, requirement: JsonObject): void {
  const fail: Fail = (message) => new InvalidTableUpdateError(type, message);
  const mismatch = (field: string, expected: unknown, actual: unknown): RequirementFailedError =>
    new RequirementFailedError(type, `expected ${field} ${show(expected)}, found ${show(actual)}`);
  switch (type) {
    case 'assert-table-uuid': {
      const uuid = requireString(requirement.uuid, 'uuid', fail);
      const actual = metadata['table-uuid'];
      if (uuid.toLowerCase() !== actual.toLowerCase()) throw mismatch('table uuid', uuid, actual);
      return;
    }
    case 'assert-ref-snapshot-id': {
      const refName = requireString(requirement.ref, 'ref', fail);
      const expected = requirement['snapshot-id'];
      const actual = refSnapshotId(metadata, refName);
      if (expected === null || expected === undefined) {
        if (actual !== null) {
          const kind = refs(metadata)[refName]?.type ?? 'branch';
          throw new RequirementFailedError(type, `${kind} '${refName}' was created concurrently (now at snapshot ${show(actual)})`);
        }
        return;
      }
      const expectedId = requireLong(expected, 'snapshot-id', fail);
      if (actual === null) {
        throw new RequirementFailedError(type, `ref '${refName}' is missing, expected snapshot ${show(expectedId)}`);
      }
      if (!longEquals(actual, expectedId)) {
        throw new RequirementFailedError(
          type,
          `${refName === MAIN_BRANCH ? 'branch' : 'ref'} '${refName}' has changed: expected snapshot ${show(expectedId)}, found ${show(actual)}`,
        );
      }
      return;
    }
    case 'assert-last-assigned-field-id': {
      const expected = requireInt(requirement['last-assigned-field-id'], 'last-assigned-field-id', fail);
      if (expected !== metadata['last-column-id']) {
        throw mismatch('last assigned field id', expected, metadata['last-column-id']);
      }
      return;
    }
    case 'assert-current-schema-id': {
      const expected = requireInt(requirement['current-schema-id'], 'current-schema-id', fail);
      if (expected !== metadata['current-schema-id']) {
        throw mismatch('current schema id', expected, metadata['current-schema-id']);
      }
      return;
    }
    case 'assert-last-assigned-partition-id': {
      const expected = requireInt(requirement['last-assigned-partition-id'], 'last-assigned-partition-id', fail);
      if (expected !== metadata['last-partition-id']) {
        throw mismatch('last assigned partition id', expected, metadata['last-partition-id']);
      }
      return;
    }
    case 'assert-default-spec-id': {
      const expected = requireInt(requirement['default-spec-id'], 'default-spec-id', fail);
      if (expected !== metadata['default-spec-id']) throw mismatch('default spec id', expected, metadata['default-spec-id']);
      return;
    }
    case 'assert-default-sort-order-id': {
      const expected = requireInt(requirement['default-sort-order-id'], 'default-sort-order-id', fail);
      const actual = defaultSortOrderId(metadata);
      if (expected !== actual) throw mismatch('default sort order id', expected, actual);
      return;
    }
    case 'assert-create':
      return;
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'bigint' || typeof value === 'number') return longKey(value);
  return String(value);
}
