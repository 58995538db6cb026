import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Pagination } from '../persistence/models';
import { ServiceUsersPort, type ServiceUser, type ServiceUserPatch } from '../persistence/ports';
import { hashSecret, newApiKey } from './credentials';
import { parseRoleName, roleRank } from './roles';

/**
 * Service users and their API keys (contract management §4.12): admin-only, inside the effective tenant.
 * A key is shown once (create, rotate) and stored as a bcrypt hash; a service user never gets a role above
 * its creator's, and never root.
 */
@Injectable()
export class ServiceUsersService {
  constructor(
    private readonly serviceUsers: ServiceUsersPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(
    principal: Principal,
    input: { name: string; description?: string | null; role: string; expiresInDays?: number | null },
  ): Promise<{ serviceUser: ServiceUser; apiKey: string }> {
    const role = parseRoleName(input.role);
    this.assertGrantable(principal, role);
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 255) {
      throw new ValidationError('The service user name must be 1 to 255 characters');
    }
    const days = input.expiresInDays;
    if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      throw new ValidationError('expires_in_days must be a whole number from 1 to 3650');
    }
    const id = randomUUID();
    const apiKey = newApiKey(id);
    const now = new Date();
    const serviceUser = await this.serviceUsers.createServiceUser({
      id,
      tenantId: principal.tenantId,
      name: input.name,
      description: input.description ?? null,
      apiKeyHash: await hashSecret(apiKey, this.config.auth.bcryptRounds),
      role,
      active: true,
      createdBy: principal.userId,
      createdAt: now,
      expiresAt: days ? new Date(now.getTime() + days * 86_400_000) : null,
      lastUsedAt: null,
      credentialVersion: 0,
    });
    return { serviceUser, apiKey };
  }

  list(principal: Principal, page: Pagination): Promise<ServiceUser[]> {
    return this.serviceUsers.listServiceUsers(principal.tenantId, page);
  }

  async get(principal: Principal, id: string): Promise<ServiceUser> {
    const serviceUser = await this.serviceUsers.getServiceUser(principal.tenantId, id);
    if (!serviceUser) throw new NotFoundError('service-user', id, 'Service user not found');
    return serviceUser;
  }

  async update(
    principal: Principal,
    id: string,
    input: { name?: string | null; description?: string | null; active?: boolean | null; role?: string | null },
  ): Promise<ServiceUser> {
    const patch: ServiceUserPatch = {};
    if (input.name !== undefined && input.name !== null) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description;
    if (input.active !== undefined && input.active !== null) patch.active = input.active;
    if (input.role !== undefined && input.role !== null) {
      patch.role = parseRoleName(input.role);
      this.assertGrantable(principal, patch.role);
    }
    return this.serviceUsers.updateServiceUser(principal.tenantId, id, patch);
  }

  delete(principal: Principal, id: string): Promise<void> {
    return this.serviceUsers.deleteServiceUser(principal.tenantId, id);
  }

  /**
   * A new key; the old one stops working at once (its hash is replaced), and so do the OAuth tokens issued
   * with it (the credential version is raised).
   */
  async rotate(principal: Principal, id: string): Promise<{ serviceUser: ServiceUser; apiKey: string }> {
    await this.get(principal, id);
    const apiKey = newApiKey(id);
    const serviceUser = await this.serviceUsers.updateServiceUser(principal.tenantId, id, {
      apiKeyHash: await hashSecret(apiKey, this.config.auth.bcryptRounds),
      bumpCredentialVersion: true,
    });
    return { serviceUser, apiKey };
  }

  private assertGrantable(principal: Principal, role: ServiceUser['role']): void {
    if (role === 'root') throw new ForbiddenError('A service user cannot be root');
    if (roleRank(role) > roleRank(principal.role)) throw new ForbiddenError('Cannot create a service user above your own role');
  }
}
