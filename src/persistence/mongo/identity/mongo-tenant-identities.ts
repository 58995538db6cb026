import { TenantIdentitiesPort } from '../../ports';
import type { MongoIdentityStore } from './mongo-identity-store';

/** Removal of a tenant's identity records on MongoDB, one collection after another (idempotent). */
export class MongoTenantIdentities extends TenantIdentitiesPort {
  constructor(private readonly store: MongoIdentityStore) {
    super();
  }

  deleteTenantIdentities(tenantId: string): Promise<void> {
    return this.store.run(async () => {
      for (const name of ['users', 'serviceUsers', 'roles', 'userRoles', 'permissions', 'activeTokens', 'revokedTokens'] as const) {
        await this.store.collection(name).deleteMany({ tenantKey: tenantId });
      }
    });
  }
}
