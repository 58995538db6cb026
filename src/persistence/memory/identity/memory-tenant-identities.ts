import { TenantIdentitiesPort } from '../../ports';
import type { MemoryIdentityState } from './memory-identity-state';

/** Removal of a tenant's identity records in process memory, atomic on the identity lock. */
export class MemoryTenantIdentities extends TenantIdentitiesPort {
  constructor(private readonly state: MemoryIdentityState) {
    super();
  }

  deleteTenantIdentities(tenantId: string): Promise<void> {
    return this.state.exclusive(() => {
      const s = this.state;
      for (const user of [...s.users.values()]) if (user.tenantId === tenantId) s.removeUser(user.id);
      for (const [id, role] of s.roles) if (role.tenantId === tenantId) s.roles.delete(id);
      for (const [k, a] of s.assignments) if (a.tenantId === tenantId) s.assignments.delete(k);
      for (const [id, p] of s.permissions) if (p.tenantId === tenantId) s.permissions.delete(id);
      for (const [id, su] of s.serviceUsers) if (su.tenantId === tenantId) s.serviceUsers.delete(id);
      for (const [id, t] of s.activeTokens) if (t.tenantId === tenantId) s.activeTokens.delete(id);
      for (const [id, t] of s.revokedTokens) if (t.tenantId === tenantId) s.revokedTokens.delete(id);
    });
  }
}
