import { HttpException, HttpStatus } from '@nestjs/common';
import type { Principal, RequestWithPrincipal } from '../common/http/principal';

/**
 * How the caller of a request authenticated, next to its Principal. Attached by the authentication
 * middleware; read by the authorization guard and the identity endpoints (logout, rotate, "me").
 */
export interface AuthSession {
  /**
   * `token`: a bearer JWT; `basic-root`: root's HTTP Basic credential; `api-key`: a service user's X-API-Key;
   * `no-auth`: NO-AUTH mode's synthetic tenant admin (no credential supplied).
   */
  method: 'token' | 'basic-root' | 'api-key' | 'no-auth';
  /** What the principal is: a stored user, or a service user. */
  subjectKind: 'user' | 'service-user';
  /** The token's `jti` (method `token` only). */
  tokenId?: string;
  /** The token's expiry (method `token` only). */
  tokenExpiresAt?: Date;
  /** The tenant claim of the token / the subject's own tenant (null for root), before any override. */
  homeTenantId: string | null;
  /** The subject's credential version the credential was checked against (method `token`, `api-key`). */
  credentialVersion?: number;
}

export interface AuthenticatedRequest extends RequestWithPrincipal {
  authSession?: AuthSession;
}

export function sessionOf(req: AuthenticatedRequest): { principal: Principal; session: AuthSession } {
  if (!req.principal || !req.authSession) {
    throw new Error('No authenticated session on the request: the authentication middleware did not run');
  }
  return { principal: req.principal, session: req.authSession };
}

/** 429 for too many failed credential checks; `Retry-After` is set by whoever holds the response. */
export class TooManyAttemptsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed attempts; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
