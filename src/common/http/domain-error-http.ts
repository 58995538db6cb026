import { assertNever } from '../assert-never';
import { DomainError, ObjectStorageUnavailableError } from '../errors';

/**
 * How a domain error is answered over HTTP, independent of the API surface's body shape. `message` is what
 * the client may see: for 5xx errors it is a fixed text, because a backend's message can carry driver or
 * connection details (the original is logged instead).
 */
export interface DomainErrorResponse {
  status: number;
  message: string;
  /** True when the error is a server-side fault worth logging with its stack. */
  serverFault: boolean;
}

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';
export const BACKEND_UNAVAILABLE_MESSAGE = 'Service unavailable: the metadata backend did not answer';
export const OBJECT_STORAGE_UNAVAILABLE_PREFIX = 'Object storage is unavailable: ';
export const COMMIT_STATE_UNKNOWN_MESSAGE =
  'Commit state unknown: the outcome of the write could not be confirmed; reload before retrying';

/** Exhaustive over DomainErrorKind: adding a kind without a case here does not compile. */
export function domainErrorResponse(err: DomainError): DomainErrorResponse {
  const kind = err.kind;
  switch (kind) {
    case 'not-found':
      return { status: 404, message: err.message, serverFault: false };
    case 'already-exists':
    case 'conflict':
    case 'expectation-failed':
    case 'namespace-not-empty':
      return { status: 409, message: err.message, serverFault: false };
    case 'validation':
      return { status: 400, message: err.message, serverFault: false };
    case 'forbidden':
      return { status: 403, message: err.message, serverFault: false };
    case 'unauthenticated':
      return { status: 401, message: err.message, serverFault: false };
    case 'unsupported':
      // The message names what is unsupported (written by our services, no internals).
      return { status: 501, message: err.message, serverFault: false };
    case 'commit-state-unknown':
      return { status: 500, message: COMMIT_STATE_UNKNOWN_MESSAGE, serverFault: true };
    case 'backend-unavailable':
      return { status: 503, message: BACKEND_UNAVAILABLE_MESSAGE, serverFault: true };
    case 'storage-unavailable':
      // The public reason is written to be shown (no paths, endpoints or credentials); the message is logged.
      return {
        status: 503,
        message: OBJECT_STORAGE_UNAVAILABLE_PREFIX + (err as ObjectStorageUnavailableError).publicReason,
        serverFault: true,
      };
    default:
      return assertNever(kind);
  }
}

/** Standard reason phrase for a status, used when an error's own message must not reach the client. */
export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? (status >= 500 ? INTERNAL_ERROR_MESSAGE : 'Request failed');
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable entity',
  500: INTERNAL_ERROR_MESSAGE,
  501: 'Not implemented',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};
