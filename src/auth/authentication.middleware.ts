import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Response } from 'express';
import { Inject } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { TooManyAttemptsException, type AuthenticatedRequest } from './auth-session';
import { AuthenticationService, type Authenticated } from './authentication.service';
import { RouteAccessIndex } from './route-access-index';

/**
 * Authenticates every request before routing, so an unknown path is 401 before it is 404 (contract §0.1):
 * - a path with the whole shape of a public route (@Public handlers, RouteAccessIndex) passes with no principal;
 * - supplied credentials are verified in both modes (a bad token is 401 even in NO-AUTH mode);
 * - no credential: 401 in auth mode; NO-AUTH mode's synthetic tenant admin otherwise.
 */
@Injectable()
export class AuthenticationMiddleware implements NestMiddleware {
  constructor(
    private readonly authentication: AuthenticationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly routes: RouteAccessIndex,
  ) {}

  async use(req: AuthenticatedRequest, res: Response, next: NextFunction): Promise<void> {
    req.principal = undefined;
    req.authSession = undefined;
    const path = req.originalUrl.split('?')[0];
    if (this.routes.isPublicPath(path)) {
      next();
      return;
    }
    // Thrown, not passed to next(): Nest hands middleware exceptions to the global exception filter.
    const authenticated = await authenticateHttpRequest(this.authentication, this.config, req, res);
    req.principal = authenticated.principal;
    req.authSession = authenticated.session;
    next();
  }
}

/**
 * The caller of a (non-public) request, from its headers: supplied credentials are verified in both modes;
 * without any, NO-AUTH mode's tenant admin, else UnauthenticatedError. On failure the challenge headers are
 * set on the response (`WWW-Authenticate`, `Retry-After` when throttled) and the error is rethrown. Shared
 * by the middleware above and the lean read routes, so both authenticate identically.
 */
export async function authenticateHttpRequest(
  authentication: AuthenticationService,
  config: AppConfig,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Authenticated> {
  try {
    const authenticated =
      (await authentication.authenticate({
        authorization: header(req, 'authorization'),
        apiKey: header(req, 'x-api-key'),
        tenantHeader: header(req, 'x-pangolin-tenant'),
        sourceAddress: sourceAddressOf(req, config.auth.trustForwardedFor),
      })) ?? (config.noAuth ? authentication.noAuthPrincipal() : null);
    if (!authenticated) throw new UnauthenticatedError('Missing or invalid authorization header');
    return authenticated;
  } catch (error) {
    if (error instanceof TooManyAttemptsException) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof UnauthenticatedError) res.setHeader('WWW-Authenticate', 'Bearer');
    throw error;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  if (Array.isArray(value)) return value[0];
  return value === undefined || value === '' ? undefined : value;
}

/** The client's address: the socket peer, or the first X-Forwarded-For entry behind a trusted proxy. */
export function sourceAddressOf(req: IncomingMessage, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const forwarded = header(req, 'x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return req.socket?.remoteAddress ?? 'unknown';
}
