import { randomUUID } from 'node:crypto';
import { ExpectationFailedError } from '../common/errors';
import { METADATA_LOCATION_PROPERTY, qualifiedAssetName, type Commit, type CommitOperation, type StringMap } from './models';
import type { AssetExpectation, CommitInfo } from './ports';

/** Rules of UnitOfWorkPort.commitChanges that every adapter applies the same way. */

/**
 * Checks one expectation of UnitOfWorkPort.commitChanges against the row as it is now (undefined = absent).
 * Shared by every adapter, so all of them fail with the same ExpectationFailedError (name, failure).
 */
export function checkAssetExpectation(expectation: AssetExpectation, row: { properties: StringMap } | undefined): void {
  const name = qualifiedAssetName(expectation.namespace, expectation.name);
  if (expectation.state === 'absent') {
    if (row) throw new ExpectationFailedError(name, 'exists');
    return;
  }
  if (!row) throw new ExpectationFailedError(name, 'missing');
  if (expectation.metadataLocation !== undefined) {
    const current = row.properties[METADATA_LOCATION_PROPERTY] ?? null;
    if (current !== expectation.metadataLocation) throw new ExpectationFailedError(name, 'location-mismatch');
  }
}

/** The commit a unit of work appends: a new id, the branch head as parent, `info.timestamp` or now. */
export function newCommit(tenantId: string, parentId: string | null, info: CommitInfo, operations: CommitOperation[]): Commit {
  return {
    id: randomUUID(),
    tenantId,
    parentId,
    timestamp: info.timestamp ?? Date.now(),
    author: info.author,
    message: info.message,
    operations,
  };
}
