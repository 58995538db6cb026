import { QueryFailedError } from 'typeorm';
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CommitStateUnknownError,
  ConflictError,
  DomainError,
  NotFoundError,
  ResourceKind,
  ValidationError,
} from '../../common/errors';

/**
 * Translation of PostgreSQL (pg) and SQLite (better-sqlite3) errors into domain errors. Services never see a
 * driver error: everything that leaves the adapter is a DomainError, or a programming error (TypeError...).
 */

/** Names of the records a write touches, so a constraint violation can name the one that collided. */
export type RecordNames = Partial<Record<ResourceKind, string>>;

/** Which record a table holds, for unique-constraint violations. */
const TABLE_RESOURCES: Record<string, ResourceKind> = {
  tenants: 'tenant',
  warehouses: 'warehouse',
  catalogs: 'catalog',
  namespaces: 'namespace',
  assets: 'asset',
  branches: 'branch',
  commits: 'commit',
  tags: 'tag',
  merge_operations: 'merge-operation',
  merge_conflicts: 'conflict',
  users: 'user',
  roles: 'role',
  active_tokens: 'token',
  revoked_tokens: 'token',
};

/** Which record a foreign key points at, for foreign-key violations (PostgreSQL names the constraint). */
const FOREIGN_KEY_TARGETS: Record<string, ResourceKind> = {
  fk_branches_catalog: 'catalog',
  fk_merge_conflicts_operation: 'merge-operation',
  fk_active_tokens_user: 'user',
  fk_permissions_user: 'user',
  fk_user_roles_user: 'user',
  fk_user_roles_role: 'role',
};

interface DriverErrorShape {
  code?: string;
  message?: string;
  table?: string;
  constraint?: string;
  detail?: string;
}

export function translateDriverError(error: unknown, names: RecordNames = {}): unknown {
  if (error instanceof DomainError) return error;
  const driverError = (error instanceof QueryFailedError ? error.driverError : error) as DriverErrorShape | undefined;
  if (!isDriverError(error, driverError)) return error;
  const code = driverError.code ?? '';
  const message = driverError.message ?? '';

  // PostgreSQL SQLSTATE codes.
  if (code === '23505') return alreadyExists(driverError.table, names, driverError.detail);
  if (code === '23503') return missingReference(driverError.constraint, names);
  if (code === '40001' || code === '40P01' || code === '55P03') {
    return cause(new ConflictError('The write conflicted with a concurrent change; retry'), error);
  }
  if (code === '22021' || code === '22P05' || code === '54000' || code === '22001') {
    return cause(new ValidationError('A value cannot be stored (invalid character or too large)'), error);
  }

  // SQLite extended result codes (better-sqlite3 puts them in `code`).
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return alreadyExists(/constraint failed: (\w+)\./.exec(message)?.[1], names);
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return missingReference(undefined, names);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return cause(new ConflictError('The database is busy with a concurrent write; retry'), error);
  }
  if (code === 'SQLITE_TOOBIG') return cause(new ValidationError('A value is too large to be stored'), error);

  return cause(new BackendUnavailableError('The metadata backend failed to answer'), error);
}

/**
 * An error raised while COMMIT was in flight. A connection lost at that moment leaves the outcome unknown
 * (the server may have committed): that must never be reported as a conflict. An error the server returned
 * for the COMMIT itself (serialization failure, deferred constraint) means it did not commit.
 */
export function translateCommitError(error: unknown, names: RecordNames = {}): unknown {
  if (isConnectionLoss(error)) {
    return cause(
      new CommitStateUnknownError('The connection to the metadata backend was lost while committing; the outcome is unknown'),
      error,
    );
  }
  return translateDriverError(error, names);
}

export function isConnectionLoss(error: unknown): boolean {
  const driverError = (error instanceof QueryFailedError ? error.driverError : error) as DriverErrorShape | undefined;
  const code = driverError?.code ?? '';
  const message = driverError?.message ?? '';
  return (
    code.startsWith('08') ||
    ['57P01', '57P02', '57P03', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    /Connection terminated|connection.*(closed|ended)|Client has encountered a connection error/i.test(message)
  );
}

function isDriverError(error: unknown, driverError: DriverErrorShape | undefined): driverError is DriverErrorShape {
  if (error instanceof QueryFailedError) return true;
  if (typeof driverError !== 'object' || driverError === null) return false;
  // pg DatabaseError, better-sqlite3 SqliteError, and socket-level errors of the pg client.
  const name = (driverError as Error).name;
  return (
    name === 'DatabaseError' ||
    name === 'SqliteError' ||
    isConnectionLoss(driverError) ||
    /timeout exceeded when trying to connect/i.test(driverError.message ?? '')
  );
}

function alreadyExists(table: string | undefined, names: RecordNames, detail?: string): DomainError {
  const resource = (table && TABLE_RESOURCES[table]) || firstResource(names) || 'asset';
  const name = names[resource] ?? keyFromDetail(detail) ?? '';
  return new AlreadyExistsError(resource, name);
}

function missingReference(constraint: string | undefined, names: RecordNames): DomainError {
  const resource = constraint ? FOREIGN_KEY_TARGETS[constraint] : undefined;
  if (resource) return new NotFoundError(resource, names[resource] ?? '');
  return new ConflictError('A record this write refers to does not exist');
}

function firstResource(names: RecordNames): ResourceKind | undefined {
  return Object.keys(names)[0] as ResourceKind | undefined;
}

/** The last key value of a PostgreSQL unique-violation detail: `Key (tenant_id, name)=(t, x) already exists.` */
function keyFromDetail(detail: string | undefined): string | undefined {
  const values = detail && /\)=\((.*)\) already exists/.exec(detail)?.[1];
  return values ? values.split(', ').pop() : undefined;
}

function cause<E extends DomainError>(domainError: E, original: unknown): E {
  Object.defineProperty(domainError, 'cause', { value: original, enumerable: false });
  return domainError;
}
