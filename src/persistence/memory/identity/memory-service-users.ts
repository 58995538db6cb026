import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { applyServiceUserPatch, ServiceUsersPort, type ServiceUser, type ServiceUserPatch } from '../../ports';
import { compareNames, copy, paginate } from '../memory-state';
import type { MemoryIdentityState } from './memory-identity-state';

/** Service users in process memory. */
export class MemoryServiceUsers extends ServiceUsersPort {
  constructor(private readonly state: MemoryIdentityState) {
    super();
  }

  createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser> {
    return this.state.exclusive(() => {
      if (this.state.serviceUsers.has(serviceUser.id)) throw new AlreadyExistsError('service-user', serviceUser.name);
      this.assertNameFree(serviceUser.tenantId, serviceUser.name, serviceUser.id);
      this.state.serviceUsers.set(serviceUser.id, copy(serviceUser));
      return copy(serviceUser);
    });
  }

  private assertNameFree(tenantId: string, name: string, exceptId: string): void {
    for (const s of this.state.serviceUsers.values()) {
      if (s.tenantId === tenantId && s.name === name && s.id !== exceptId) throw new AlreadyExistsError('service-user', name);
    }
  }

  async getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null> {
    const s = this.state.serviceUserIn(tenantId, id);
    return s ? copy(s) : null;
  }

  async getServiceUserForAuthentication(id: string): Promise<ServiceUser | null> {
    const s = this.state.serviceUsers.get(id);
    return s ? copy(s) : null;
  }

  async listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]> {
    const rows = [...this.state.serviceUsers.values()].filter((s) => s.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser> {
    return this.state.exclusive(() => {
      const stored = this.state.serviceUserIn(tenantId, id);
      if (!stored) throw new NotFoundError('service-user', id, 'Service user not found');
      if (patch.name !== undefined) this.assertNameFree(tenantId, patch.name, id);
      const updated = applyServiceUserPatch(stored, patch);
      this.state.serviceUsers.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteServiceUser(tenantId: string, id: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.serviceUserIn(tenantId, id)) throw new NotFoundError('service-user', id, 'Service user not found');
      this.state.serviceUsers.delete(id);
      for (const [permissionId, p] of this.state.permissions) if (p.userId === id) this.state.permissions.delete(permissionId);
    });
  }
}
