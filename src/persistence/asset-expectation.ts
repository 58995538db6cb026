import { ExpectationFailedError } from '../common/errors';
import { METADATA_LOCATION_PROPERTY, qualifiedAssetName, type StringMap } from './models';
import type { AssetExpectation } from './ports';

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
