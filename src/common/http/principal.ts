import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** Role of the caller, spelled as on the wire and in the JWT `role` claim. */
export type PrincipalRole = 'root' | 'tenant-admin' | 'tenant-user';

/**
 * Who is calling and on behalf of which tenant. Set on every request by PrincipalMiddleware; services take
 * `principal.tenantId` as the effective tenant (contract management §4.3) and never look at headers.
 */
export interface Principal {
  /** The effective tenant every tenant-scoped call runs against. */
  tenantId: string;
  userId: string;
  username: string;
  role: PrincipalRole;
}

/** The request as seen after PrincipalMiddleware ran. */
export interface RequestWithPrincipal extends Request {
  principal?: Principal;
}

/**
 * Reads the principal PrincipalMiddleware attached to the request. A route reached without one is a
 * wiring bug (the middleware covers every route), so it fails loudly instead of acting as nobody.
 */
export function principalOf(req: RequestWithPrincipal): Principal {
  if (!req.principal) {
    throw new Error('No principal on the request: PrincipalMiddleware did not run for this route');
  }
  return req.principal;
}

/** Parameter decorator: `@CurrentPrincipal() principal: Principal`. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal =>
  principalOf(ctx.switchToHttp().getRequest<RequestWithPrincipal>()),
);
