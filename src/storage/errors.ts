import { ConflictError, NotFoundError, ObjectStorageUnavailableError, ValidationError } from '../common/errors';
import type { FileIO } from './file-io';

/**
 * Errors of the object-storage layer. They extend the generic domain errors (and keep their `kind`), so an
 * error that reaches an exception filter unhandled still maps to the right status; callers that care
 * (the table services) catch the specific class.
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

/** What failed, as a client may be told: the operation and the store's error code (errno, S3 error name). */
export interface StorageFailure {
  action: 'read' | 'write' | 'check' | 'delete';
  code: string;
}

/**
 * The object store could not be used: unreachable, credentials refused, bucket missing, disk error (HTTP
 * 503, "Object storage is unavailable: ..."). The message, logged, names the location and the store; the
 * client is told the operation, the code and, once known, the table (forTable), never a server path.
 */
export class StorageUnavailableError extends ObjectStorageUnavailableError {
  constructor(
    message: string,
    readonly failure: StorageFailure,
    readonly location?: string,
    readonly table?: string,
  ) {
    super(message, `could not ${failure.action} ${table === undefined ? 'a file' : `a file of table '${shortened(table)}'`} (${failure.code})`);
  }

  /** The same failure, told to the client in terms of the table it happened to. */
  forTable(table: string): StorageUnavailableError {
    const named = new StorageUnavailableError(this.message, this.failure, this.location, table);
    named.stack = this.stack;
    return named;
  }
}

/**
 * The store refused a name the client chose (ENAMETOOLONG: a table or namespace name too long for the
 * filesystem; S3 KeyTooLongError). HTTP 400, naming the table once known, never the server's path.
 */
export class ObjectNameRejectedError extends ValidationError {
  constructor(
    readonly code: string,
    readonly location: string,
    readonly table?: string,
  ) {
    super(
      `The object storage refused the file name of ${table === undefined ? 'the table' : `table '${shortened(table)}'`} (${code}): ` +
        'a table or namespace name is too long',
    );
  }

  forTable(table: string): ObjectNameRejectedError {
    return new ObjectNameRejectedError(this.code, this.location, table);
  }
}

/** A table name as quoted in a message: a name long enough to be refused is not echoed whole. */
function shortened(table: string): string {
  return table.length <= 120 ? table : `${table.slice(0, 120)}…`;
}

/**
 * A table's FileIO whose storage errors name the table to the client (StorageUnavailableError.forTable,
 * ObjectNameRejectedError.forTable): the client learns which table failed, never the path of its file.
 */
export class TableNamingFileIO implements FileIO {
  constructor(
    private readonly io: FileIO,
    private readonly table: string,
  ) {}

  read(location: string): Promise<Buffer> {
    return this.named(this.io.read(location));
  }

  write(location: string, bytes: Uint8Array): Promise<void> {
    return this.named(this.io.write(location, bytes));
  }

  exists(location: string): Promise<boolean> {
    return this.named(this.io.exists(location));
  }

  delete(location: string): Promise<void> {
    return this.named(this.io.delete(location));
  }

  private async named<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      if (error instanceof StorageUnavailableError || error instanceof ObjectNameRejectedError) throw error.forTable(this.table);
      throw error;
    }
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
