import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { applyServiceUserPatch, ServiceUsersPort, type ServiceUser, type ServiceUserPatch } from '../../ports';
import type { SqlDatabase } from '../sql-database';
import { bool, millis, toServiceUser } from './typeorm-identity-rows';

/** Service users on SQLite and PostgreSQL; deleting one deletes its direct grants in the same transaction. */
export class TypeormServiceUsers extends ServiceUsersPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser> {
    return this.db.write(
      async (s) => {
        const taken = await s.rows('SELECT 1 AS taken FROM service_users WHERE id = $1 OR (tenant_id = $2 AND name = $3)', [
          serviceUser.id,
          serviceUser.tenantId,
          serviceUser.name,
        ]);
        if (taken.length > 0) throw new AlreadyExistsError('service-user', serviceUser.name);
        await s.run(
          `INSERT INTO service_users (id, tenant_id, name, description, api_key_hash, role, active, created_by, created_at,
             expires_at, last_used_at, credential_version)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            serviceUser.id,
            serviceUser.tenantId,
            serviceUser.name,
            serviceUser.description,
            serviceUser.apiKeyHash,
            serviceUser.role,
            bool(s, serviceUser.active),
            serviceUser.createdBy,
            serviceUser.createdAt.getTime(),
            millis(serviceUser.expiresAt),
            millis(serviceUser.lastUsedAt),
            serviceUser.credentialVersion,
          ],
        );
        return { ...serviceUser };
      },
      { 'service-user': serviceUser.name },
    );
  }

  async getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null> {
    const rows = await this.db.read((s) =>
      s.rows('SELECT * FROM service_users WHERE id = $1 AND tenant_id = $2', [id, tenantId]),
    );
    return rows[0] ? toServiceUser(rows[0]) : null;
  }

  async getServiceUserForAuthentication(id: string): Promise<ServiceUser | null> {
    const rows = await this.db.read((s) => s.rows('SELECT * FROM service_users WHERE id = $1', [id]));
    return rows[0] ? toServiceUser(rows[0]) : null;
  }

  async listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId];
      return s.rows(`SELECT * FROM service_users WHERE tenant_id = $1 ORDER BY name, id${s.paginate(page, params)}`, params);
    });
    return rows.map(toServiceUser);
  }

  async updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser> {
    return this.db.write(
      async (s) => {
        const rows = await s.rows(`SELECT * FROM service_users WHERE id = $1 AND tenant_id = $2${s.forUpdate}`, [
          id,
          tenantId,
        ]);
        if (!rows[0]) throw new NotFoundError('service-user', id, 'Service user not found');
        const updated = applyServiceUserPatch(toServiceUser(rows[0]), patch);
        if (updated.name !== toServiceUser(rows[0]).name) {
          const clash = await s.rows('SELECT 1 AS taken FROM service_users WHERE tenant_id = $1 AND name = $2 AND id <> $3', [
            tenantId,
            updated.name,
            id,
          ]);
          if (clash.length > 0) throw new AlreadyExistsError('service-user', updated.name);
        }
        await s.run(
          `UPDATE service_users SET name = $2, description = $3, api_key_hash = $4, role = $5, active = $6, expires_at = $7,
             last_used_at = $8, credential_version = $9 WHERE id = $1`,
          [
            id,
            updated.name,
            updated.description,
            updated.apiKeyHash,
            updated.role,
            bool(s, updated.active),
            millis(updated.expiresAt),
            millis(updated.lastUsedAt),
            updated.credentialVersion,
          ],
        );
        return updated;
      },
      { 'service-user': patch.name ?? id },
    );
  }

  async deleteServiceUser(tenantId: string, id: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run('DELETE FROM service_users WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
      if (deleted === 0) throw new NotFoundError('service-user', id, 'Service user not found');
      await s.run('DELETE FROM permissions WHERE user_id = $1 AND tenant_id = $2', [id, tenantId]);
    });
  }
}
