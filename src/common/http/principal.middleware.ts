import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import { DEFAULT_TENANT_ID } from '../../persistence/models';
import type { Principal, RequestWithPrincipal } from './principal';

/** The nil UUID: the synthetic NO-AUTH user id (contract management §4.1, §4.6). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The identity every request runs as while authentication is not in place: a tenant admin of the default
 * tenant, as Pangolin's NO-AUTH mode does.
 */
export const NO_AUTH_PRINCIPAL: Readonly<Principal> = Object.freeze({
  tenantId: DEFAULT_TENANT_ID,
  userId: NIL_UUID,
  username: 'admin',
  role: 'tenant-admin',
});

/**
 * Attaches the caller's Principal to every request. This is THE place where request authentication
 * happens: today every request is the NO-AUTH principal (a warning is logged at boot, see
 * DefaultTenantBootstrap); the auth work replaces the body of `use` with token verification.
 */
@Injectable()
export class PrincipalMiddleware implements NestMiddleware {
  use(req: RequestWithPrincipal, _res: Response, next: NextFunction): void {
    req.principal = { ...NO_AUTH_PRINCIPAL };
    next();
  }
}
