import {
  AlreadyExistsError,
  BackendUnavailableError,
  CommitStateUnknownError,
  ConflictError,
  DomainError,
  type ResourceKind,
} from '../../common/errors';
import { COLLECTIONS } from './mongo-schemas';

/**
 * Translation of MongoDB driver errors into domain errors. Services never see a driver error: everything a
 * port method lets through is either a DomainError or an unexpected programming error.
 */

interface MongoLikeError {
  name?: string;
  code?: number;
  codeName?: string;
  message?: string;
  errmsg?: string;
  keyValue?: Record<string, unknown>;
  writeErrors?: { code?: number; errmsg?: string }[];
  errorResponse?: { keyValue?: Record<string, unknown> };
  hasErrorLabel?: (label: string) => boolean;
  errorLabels?: string[];
}

const DUPLICATE_KEY = 11000;
const WRITE_CONFLICT = 112;

export function hasErrorLabel(error: unknown, label: string): boolean {
  const e = error as MongoLikeError | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.hasErrorLabel === 'function') return e.hasErrorLabel(label);
  return Array.isArray(e.errorLabels) && e.errorLabels.includes(label);
}

export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as MongoLikeError | null;
  if (!e || typeof e !== 'object') return false;
  return e.code === DUPLICATE_KEY || (e.writeErrors ?? []).some((w) => w.code === DUPLICATE_KEY);
}

/** Another transaction touched the same document: retrying the whole transaction may succeed. */
export function isTransientTransactionError(error: unknown): boolean {
  return hasErrorLabel(error, 'TransientTransactionError') || (error as MongoLikeError | null)?.code === WRITE_CONFLICT;
}

/** The commit reached the server but its outcome was not reported. */
export function isUnknownCommitResult(error: unknown): boolean {
  return hasErrorLabel(error, 'UnknownTransactionCommitResult');
}

function isConnectivityError(error: unknown): boolean {
  const name = (error as MongoLikeError | null)?.name ?? '';
  return [
    'MongoNetworkError',
    'MongoNetworkTimeoutError',
    'MongoServerSelectionError',
    'MongoNotConnectedError',
    'MongoTopologyClosedError',
    'PoolClearedError',
    'PoolClearedOnNetworkError',
    'MongoPoolClearedError',
  ].includes(name);
}

const RESOURCE_BY_COLLECTION: Record<string, ResourceKind> = {
  [COLLECTIONS.tenants]: 'tenant',
  [COLLECTIONS.warehouses]: 'warehouse',
  [COLLECTIONS.catalogs]: 'catalog',
  [COLLECTIONS.namespaces]: 'namespace',
  [COLLECTIONS.assets]: 'asset',
  [COLLECTIONS.branches]: 'branch',
  [COLLECTIONS.commits]: 'commit',
  [COLLECTIONS.tags]: 'tag',
  [COLLECTIONS.mergeOperations]: 'merge-operation',
  [COLLECTIONS.mergeConflicts]: 'conflict',
};

/** AlreadyExistsError for a duplicate-key error, naming the resource from the collection in the message. */
export function duplicateKeyToDomain(error: unknown): DomainError {
  const e = error as MongoLikeError;
  const message = e.errmsg ?? e.writeErrors?.find((w) => w.code === DUPLICATE_KEY)?.errmsg ?? e.message ?? '';
  const collection = /collection: [^.\s]+\.(\S+)/.exec(message)?.[1];
  const resource = collection ? RESOURCE_BY_COLLECTION[collection] : undefined;
  if (!resource) return new ConflictError('A record with the same key already exists');
  const keyValue = e.keyValue ?? e.errorResponse?.keyValue ?? {};
  const name = keyValue.name ?? keyValue.id ?? keyValue.namespaceKey;
  return new AlreadyExistsError(resource, typeof name === 'string' ? name : '');
}

/**
 * Maps a driver error to a domain error; domain errors and programming errors pass through unchanged.
 * `onDuplicateKey` names the resource when the caller knows better than the error message.
 */
export function translateMongoError(error: unknown, onDuplicateKey?: () => DomainError): unknown {
  if (error instanceof DomainError) return error;
  const translated = translateDriverError(error, onDuplicateKey);
  // Keep the driver error for logs; it never reaches a response body.
  if (translated !== error && translated instanceof Error) translated.cause = error;
  return translated;
}

function translateDriverError(error: unknown, onDuplicateKey?: () => DomainError): unknown {
  if (isDuplicateKeyError(error)) return onDuplicateKey ? onDuplicateKey() : duplicateKeyToDomain(error);
  if (isUnknownCommitResult(error)) {
    return new CommitStateUnknownError('The database did not confirm whether the change was committed');
  }
  if (isConnectivityError(error)) return new BackendUnavailableError('The MongoDB database is unreachable');
  if (isTransientTransactionError(error)) {
    return new ConflictError('A concurrent change touched the same records; try again');
  }
  return error;
}
