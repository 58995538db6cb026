/**
 * Pure Iceberg table metadata logic: build at create, check commit requirements, apply commit updates,
 * validate documents read from files, name metadata files. No Nest, no I/O.
 */
export * from './types';
export * from './errors';
export * from './long';
export * from './accessors';
export { normalizeTableMetadata, validateTableMetadata } from './validate';
export type { NormalizedTableMetadata, ValidateOptions } from './validate';
export { buildCreateTableMetadata, FORMAT_VERSION_PROPERTY } from './create';
export type { CreateTableContext } from './create';
export { checkRequirements, assertKnownTableChanges } from './requirements';
export {
  applyUpdates,
  applyTableUpdates,
  PREVIOUS_VERSIONS_MAX_PROPERTY,
  PREVIOUS_VERSIONS_MAX_DEFAULT,
} from './updates';
export type { ApplyUpdatesContext, AppliedUpdates } from './updates';
export { metadataFileVersion, nextMetadataFileName } from './file-names';
export { applyTableCommit } from './commit';
export type { TableCommitContext, TableCommitOutcome } from './commit';
export { summarizeTableMetadata } from './summary';
export type { TableMetadataSummary } from './summary';
