import { FULL_CAPABILITIES, lacking, type BackendCapabilities } from '../persistence-contract/contract-support';
import { MONGO_KIND_ENV } from './servers/mongo-server';

/**
 * What the in-process MongoDB-wire-compatible test server cannot do (measured, see the environment notes).
 * A real MongoDB replica set (PANGOLIN_TEST_MONGODB_URI) has every capability. Shared by the persistence
 * contract binding and the e2e harness, so both skip the same things for the same, named reasons.
 */
export const IN_PROCESS_MONGO_CAPABILITIES: BackendCapabilities = {
  enforcedUniqueIndexes: lacking('the in-process MongoDB test server does not enforce unique indexes'),
  transactions: lacking('the in-process MongoDB test server treats transactions as no-ops'),
  aggregationMerge: lacking('the in-process MongoDB test server does not implement $merge / $out'),
  deepAncestry: lacking(
    "the in-process MongoDB test server's $graphLookup rescans the whole collection for every commit it visits",
  ),
};

/** Capabilities of the MongoDB server this test run uses (external replica set or in-process). */
export function testMongoCapabilities(): BackendCapabilities {
  return process.env[MONGO_KIND_ENV] === 'in-process' ? IN_PROCESS_MONGO_CAPABILITIES : FULL_CAPABILITIES;
}
