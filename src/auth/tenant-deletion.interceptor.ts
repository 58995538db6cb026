import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { from, type Observable } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import { IdentityPort } from '../persistence/ports/identity.port';
import type { AuthenticatedRequest } from './auth-session';

/**
 * When a tenant has been deleted (`DELETE /api/v1/tenants/:id` answered successfully), its identities go
 * too: users (and so their tokens stop working), grants, roles and service users. Without this a deleted
 * tenant's admin could keep acting in a tenant that no longer exists. Runs after the tenant endpoint, so
 * the tenant rules (root only, not while it owns catalogs) stay with that endpoint.
 */
@Injectable()
export class TenantDeletionInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Identity');

  constructor(private readonly identity: IdentityPort) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const routePath = (req.route as { path?: unknown } | undefined)?.path;
    if (req.method !== 'DELETE' || routePath !== '/api/v1/tenants/:id') return next.handle();
    const tenantId = String(req.params.id).toLowerCase();
    return next.handle().pipe(
      concatMap((result) =>
        from(
          this.identity.deleteTenantIdentities(tenantId).then(
            () => result,
            (error: unknown) => {
              // The tenant is gone either way; its users can no longer act (their tenant resolves nothing),
              // and the next deletion attempt or an operator cleans the rows up.
              this.logger.error(`Could not delete the identities of deleted tenant ${tenantId}: ${String(error)}`);
              return result;
            },
          ),
        ),
      ),
    );
  }
}
