import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { assertNever } from '../common/assert-never';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { catalogName } from '../common/http/resource-name';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AssetsPort, BranchesPort, CatalogsPort, MergeOperationsPort } from '../persistence/ports';
import { RolesAndGrantsPort, type Action } from '../persistence/ports';
import { ROUTE_ACCESS, type Access, type RequestTarget, type RouteRequest } from './access';
import type { AuthenticatedRequest, AuthSession } from './auth-session';
import { effectiveGrantsOf } from './grants';
import { grantsAllow, needsAssetId, type ResolvedTarget } from './permissions';
import { isAdminRole } from './roles';

/**
 * The one authorization gate of every routed request (registered globally): enforces the access rule declared
 * on the handler the request reached (@Public/@Access; a HEAD request routed to a GET handler gets that
 * handler's rule). A handler without a rule is refused, whatever the caller (the application does not even
 * start with one: RouteAccessIndex).
 */
@Injectable()
export class AuthorizationGuard implements CanActivate {
  private readonly logger = new Logger('Authorization');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rolesAndGrants: RolesAndGrantsPort,
    private readonly catalogs: CatalogsPort,
    private readonly assets: AssetsPort,
    private readonly mergeOperations: MergeOperationsPort,
    private readonly branches: BranchesPort,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const handler = context.getHandler();
    const access = this.reflector.get<Access | undefined>(ROUTE_ACCESS, handler);
    if (!access) this.logger.error(`${context.getClass().name}.${handler.name} has no @Public/@Access rule; refused`);
    await this.authorize(access, {
      request: {
        params: (req.params ?? {}) as Record<string, string>,
        query: (req.query ?? {}) as Record<string, unknown>,
        body: req.body,
      },
      principal: req.principal,
      session: req.authSession,
    });
    return true;
  }

  /**
   * Enforces a route's access rule for this caller, or throws (ForbiddenError, UnauthenticatedError,
   * NotFoundError); no rule is refused. Also used by the lean routes, which are served before the framework's
   * router and so outside this guard's canActivate.
   */
  async authorize(
    access: Access | undefined,
    caller: { request: RouteRequest; principal?: Principal; session?: AuthSession },
  ): Promise<void> {
    if (!access) throw new ForbiddenError('Forbidden: this route has no authorization rule');
    await this.enforce(access, caller.request, caller.principal, caller.session);
  }

  /**
   * Whether the caller would pass the rule of another route than the one it calls (loadTable asks whether
   * its caller could commit to the table). False when refused; any other failure (a store that does not
   * answer) propagates.
   */
  async allows(
    access: Access,
    caller: { request: RouteRequest; principal?: Principal; session?: AuthSession },
  ): Promise<boolean> {
    try {
      await this.authorize(access, caller);
      return true;
    } catch (error) {
      if (error instanceof ForbiddenError || error instanceof UnauthenticatedError) return false;
      throw error;
    }
  }

  private async enforce(access: Access, routeRequest: RouteRequest, principal?: Principal, session?: AuthSession): Promise<void> {
    if (access.kind === 'public') return;
    if (!principal || !session) throw new UnauthenticatedError('Missing or invalid authorization header');
    switch (access.kind) {
      case 'authenticated':
        return;
      case 'admin':
        if (!isAdminRole(principal.role)) throw new ForbiddenError('Admin access required');
        return;
      case 'tenant-admin':
        if (principal.role !== 'tenant-admin') throw new ForbiddenError('Only a tenant admin can do this');
        return;
      case 'root':
        if (principal.role === 'root') return;
        if (access.noAuthHandledByEndpoint && this.isNoAuthSession(session)) return;
        throw new ForbiddenError('Only Root can manage tenants');
      case 'own-tenant': {
        if (principal.role === 'root' || this.isNoAuthSession(session)) return;
        const id = String(routeRequest.params.id ?? '').toLowerCase();
        // Another tenant is invisible: the same answer as a tenant that does not exist.
        if (id !== principal.tenantId) throw new NotFoundError('tenant', id, 'Tenant not found');
        return;
      }
      case 'resource': {
        if (isAdminRole(principal.role)) return;
        const action = typeof access.action === 'function' ? access.action(routeRequest) : access.action;
        await this.authorizeResource(principal, action, access.target(routeRequest));
        if (access.forks) {
          const { catalog, branch } = access.forks(routeRequest);
          if (!(await this.branches.getBranch(principal.tenantId, catalog, branch))) {
            await this.authorizeResource(principal, 'experimental-branching', { level: 'catalog', catalog });
          }
        }
        return;
      }
      default:
        return assertNever(access, 'authorization case');
    }
  }

  private isNoAuthSession(session: AuthSession): boolean {
    return this.config.noAuth && session.method === 'no-auth';
  }

  /**
   * A tenant user's access to a resource of its own tenant. A resource that does not exist is answered 404
   * here, before any grant is consulted, exactly as the endpoint would: callers learn nothing from 403 vs 404
   * about other tenants, whose names simply do not resolve in the caller's tenant.
   */
  private async authorizeResource(principal: Principal, action: Action, target: RequestTarget): Promise<void> {
    const tenantId = principal.tenantId;
    const grants = await effectiveGrantsOf(this.rolesAndGrants, principal);
    const resolved = await this.resolve(tenantId, target, (catalogId) => needsAssetId(grants, catalogId));
    if (!grantsAllow(grants, action, resolved)) {
      throw new ForbiddenError(`Forbidden: the '${action}' permission is required`);
    }
  }

  private async resolve(
    tenantId: string,
    target: RequestTarget,
    wantsAssetId: (catalogId: string) => boolean,
  ): Promise<ResolvedTarget> {
    switch (target.level) {
      case 'tenant':
        return { level: 'tenant' };
      case 'catalog':
        return { level: 'catalog', catalogId: await this.catalogId(tenantId, target.catalog) };
      case 'namespace':
        return { level: 'namespace', catalogId: await this.catalogId(tenantId, target.catalog), namespace: target.namespace };
      case 'asset': {
        const catalogId = await this.catalogId(tenantId, target.catalog);
        const asset = wantsAssetId(catalogId)
          ? await this.assets.getAsset(tenantId, target.catalog, target.branch, target.namespace, target.asset)
          : null;
        return { level: 'asset', catalogId, namespace: target.namespace, assetId: asset?.id ?? null };
      }
      case 'merge-operation': {
        const operation = await this.mergeOperations.getMergeOperation(tenantId, target.operationId);
        if (!operation) throw new NotFoundError('merge-operation', target.operationId, 'Merge operation not found');
        return { level: 'catalog', catalogId: await this.catalogId(tenantId, operation.catalogName) };
      }
      case 'conflict': {
        const conflict = await this.mergeOperations.getMergeConflict(tenantId, target.conflictId);
        if (!conflict) throw new NotFoundError('conflict', target.conflictId, 'Conflict not found');
        return this.resolve(tenantId, { level: 'merge-operation', operationId: conflict.mergeOperationId }, wantsAssetId);
      }
      default:
        return assertNever(target, 'authorization case');
    }
  }

  private async catalogId(tenantId: string, name: string): Promise<string> {
    // A name no catalog can have is a 400, as the endpoint would answer it, not a 404.
    const catalog = await this.catalogs.getCatalog(tenantId, catalogName(name));
    if (!catalog) throw new NotFoundError('catalog', name, `Catalog '${name}' not found`);
    return catalog.id;
  }
}
