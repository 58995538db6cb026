import { BackendUnavailableError, ConflictError, NotFoundError, ValidationError } from '../common/errors';

/**
 * Errors of the object-storage layer. They extend the generic domain errors (and keep their `kind`), so an
 * error that reaches an exception filter unhandled still maps to the right status; callers that care
 * (the table service) catch the specific class.
 */

/** Nothing is stored at the location. */
export class ObjectNotFoundError extends NotFoundError {
  constructor(readonly location: string) {
    super('file', location, `File '${location}' not found`);
  }
}

/**
 * Something is already stored at the location. Metadata files are immutable: a file name is never reused,
 * so writing to an existing location is a bug or a race, never an update.
 */
export class ObjectAlreadyExistsError extends ConflictError {
  constructor(readonly location: string) {
    super(`File '${location}' already exists`);
  }
}

/**
 * The object store could not be used: unreachable, credentials refused, bucket missing, disk error. The
 * message names the location and the store's error code, never credentials.
 */
export class StorageUnavailableError extends BackendUnavailableError {
  constructor(
    message: string,
    readonly location?: string,
  ) {
    super(message);
  }
}

/** A location that cannot be served or is not acceptable here (bad syntax, unknown scheme, outside the warehouse). */
export class InvalidLocationError extends ValidationError {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`Invalid location '${location}': ${reason}`);
  }
}
