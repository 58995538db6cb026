import { ConflictError, ValidationError } from '../../common/errors';

/**
 * A commit requirement does not hold against the current table metadata: the client's view is stale.
 * Nothing was written. HTTP 409 CommitFailedException (the client refreshes and retries).
 */
export class RequirementFailedError extends ConflictError {
  constructor(
    readonly requirement: string,
    message: string,
  ) {
    super(`Requirement failed: ${requirement}: ${message}`);
  }
}

/**
 * A requirement `type` or update `action` this catalog does not know. HTTP 400 BadRequestException naming
 * it (the REST spec requires 400), with nothing written.
 */
export class UnknownTableChangeError extends ValidationError {
  constructor(
    readonly change: 'requirement' | 'update',
    readonly changeType: string,
  ) {
    super(
      change === 'requirement'
        ? `Unknown table requirement type '${changeType}'`
        : `Unknown table update action '${changeType}'`,
    );
  }
}

/**
 * A known update (or requirement) that cannot be applied: a malformed field, an unknown schema, spec,
 * sort-order or snapshot id, a non-increasing sequence number, an unsupported feature, or a result that is
 * not valid table metadata. HTTP 400 BadRequestException, nothing written.
 */
export class InvalidTableUpdateError extends ValidationError {
  constructor(
    readonly action: string,
    message: string,
  ) {
    super(`Invalid ${action}: ${message}`);
  }
}

/** A table metadata document (a file being loaded or registered) that is not valid Iceberg metadata. */
export class InvalidTableMetadataError extends ValidationError {
  constructor(message: string) {
    super(`Invalid table metadata: ${message}`);
  }
}

/**
 * The table's current metadata file (already stored by the catalog) cannot be parsed or is not valid
 * metadata. Not the client's fault, so deliberately not a DomainError: it surfaces as a 500 (contract §8.8,
 * "read, parse or write failure") and is logged with its cause.
 */
export class StoredMetadataUnreadableError extends Error {
  constructor(
    readonly metadataLocation: string,
    readonly reason: string,
  ) {
    super(`Stored table metadata ${metadataLocation} cannot be used: ${reason}`);
    this.name = 'StoredMetadataUnreadableError';
  }
}
