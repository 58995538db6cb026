/**
 * Domain errors. Services and adapters throw these; one exception filter per API surface maps them to
 * HTTP (Iceberg envelope under /v1, `{"error": …}` under /api). Services never throw HTTP exceptions and
 * never see a driver error: adapters translate those into the classes below.
 */

export type ResourceKind =
  | 'tenant'
  | 'warehouse'
  | 'catalog'
  | 'namespace'
  | 'asset'
  | 'table'
  | 'branch'
  | 'commit'
  | 'tag'
  | 'merge-operation'
  | 'conflict'
  | 'user'
  | 'role'
  | 'token'
  | 'service-user'
  | 'permission'
  /** An object in a warehouse's object storage (a metadata file). */
  | 'file';

/**
 * Every kind a DomainError can have. The HTTP error filters switch over this union exhaustively, so a new
 * error class must add its kind here and is then a compile error until every filter maps it.
 */
export type DomainErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'conflict'
  | 'expectation-failed'
  | 'namespace-not-empty'
  | 'validation'
  | 'forbidden'
  | 'unauthenticated'
  | 'unsupported'
  | 'commit-state-unknown'
  | 'backend-unavailable'
  | 'storage-unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The addressed resource does not exist (in the caller's tenant). HTTP 404. */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
  constructor(
    readonly resource: ResourceKind,
    readonly resourceName: string,
    message?: string,
  ) {
    super(message ?? `${capitalize(resource)} '${resourceName}' not found`);
  }
}

/** A resource with the same unique name already exists in its scope. HTTP 409. */
export class AlreadyExistsError extends DomainError {
  readonly kind = 'already-exists';
  constructor(
    readonly resource: ResourceKind,
    readonly resourceName: string,
    message?: string,
  ) {
    super(message ?? `${capitalize(resource)} '${resourceName}' already exists`);
  }
}

/** The request conflicts with the current state (generic). HTTP 409. */
export class ConflictError extends DomainError {
  readonly kind: DomainErrorKind = 'conflict';
}

/**
 * A unit-of-work expectation did not hold: an asset's metadata location was not the expected one, an asset
 * expected to be absent exists, or one expected to exist is gone. Nothing was written. HTTP 409; the table
 * commit pipeline retries on `location` mismatches while the client's requirements still hold.
 */
export class ExpectationFailedError extends ConflictError {
  override readonly kind = 'expectation-failed';
  constructor(
    readonly assetName: string,
    readonly failure: 'location-mismatch' | 'exists' | 'missing' | 'head-moved',
    message?: string,
  ) {
    super(message ?? describeExpectationFailure(assetName, failure));
  }
}

/** A namespace still holds tables or child namespaces. HTTP 409. */
export class NamespaceNotEmptyError extends ConflictError {
  override readonly kind = 'namespace-not-empty';
}

/** Client input is invalid. HTTP 400. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
}

/** The caller is not allowed to do this. HTTP 403. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** The caller is not authenticated. HTTP 401. */
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}

/** The operation is valid but this server or backend does not support it. HTTP 501 on Iceberg routes. */
export class UnsupportedError extends DomainError {
  readonly kind = 'unsupported';
}

/**
 * The outcome of a write is unknown (for example the connection dropped while the transaction committed).
 * Must never be reported as a 409: the client has to reload before retrying. HTTP 500/503.
 */
export class CommitStateUnknownError extends DomainError {
  readonly kind = 'commit-state-unknown';
}

/** The backend is unreachable or failed in a way the caller cannot fix. HTTP 503/500, no internals leaked. */
export class BackendUnavailableError extends DomainError {
  readonly kind = 'backend-unavailable';
}

/**
 * A warehouse's object storage could not be used: unreachable, refused, out of space, a disk error. HTTP 503
 * naming object storage. `message` (logged) carries the details an operator needs (location, store);
 * `publicReason` is what the client is told: what failed and the store's error code, never a server path,
 * an endpoint or a credential.
 */
export abstract class ObjectStorageUnavailableError extends DomainError {
  readonly kind = 'storage-unavailable';
  constructor(
    message: string,
    readonly publicReason: string,
  ) {
    super(message);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function describeExpectationFailure(assetName: string, failure: ExpectationFailedError['failure']): string {
  switch (failure) {
    case 'location-mismatch':
      return `Metadata location of '${assetName}' changed concurrently`;
    case 'exists':
      return `Asset '${assetName}' already exists`;
    case 'missing':
      return `Asset '${assetName}' does not exist`;
    case 'head-moved':
      return `Branch '${assetName}' head moved concurrently`;
  }
}
