import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import {
  applyServiceUserPatch,
  applyUserPatch,
  IdentityPort,
  type Action,
  type ActiveToken,
  type ActiveTokenWithUser,
  type Permission,
  type PermissionGrant,
  type PermissionScope,
  type RevokedToken,
  type Role,
  type RoleUpdate,
  type ServiceUser,
  type ServiceUserPatch,
  type User,
  type UserPatch,
  type UserRole,
  type UserRoleAssignment,
} from '../../ports/identity.port';
import type { SqlDatabase, SqlSession } from '../sql-database';

type Row = Record<string, unknown>;

/**
 * Identity records on SQLite and PostgreSQL, in the tables of the initial migration (users, active_tokens,
 * revoked_tokens, roles, permissions, user_roles, service_users). Plain SQL written once with `$n`
 * placeholders; the null tenant (root space) is compared null-safely. Deleting a user cascades to its tokens
 * and assignments through the foreign keys; deleting a role cascades to its assignments. Direct grants name a
 * user or a service user, so no foreign key covers them: they are deleted with their grantee here.
 */
export class TypeormIdentity extends IdentityPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  // --- users -------------------------------------------------------------------------------------------

  async createUser(user: User): Promise<User> {
    return this.db.write(
      async (s) => {
        const taken = await s.rows(
          `SELECT 1 AS taken FROM users WHERE id = $1 OR (${sameTenant(s, 'tenant_id', 2)} AND username = $3)`,
          [user.id, user.tenantId, user.username],
        );
        if (taken.length > 0) throw new AlreadyExistsError('user', user.username);
        await s.run(
          `INSERT INTO users (id, tenant_id, username, email, password_hash, oauth_provider, oauth_subject, role, active,
             created_at, updated_at, last_login_at, credential_version)
           VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12)`,
          [
            user.id,
            user.tenantId,
            user.username,
            user.email,
            user.passwordHash,
            user.oauthProvider,
            user.role,
            bool(s, user.active),
            user.createdAt.getTime(),
            user.updatedAt.getTime(),
            millis(user.lastLoginAt),
            user.credentialVersion,
          ],
        );
        return { ...user };
      },
      { user: user.username },
    );
  }

  async getUser(tenantId: string | null, id: string): Promise<User | null> {
    const rows = await this.db.read((s) =>
      s.rows(`SELECT * FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [id, tenantId]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    const rows = await this.db.read((s) =>
      s.rows(`SELECT * FROM users WHERE username = $1 AND ${sameTenant(s, 'tenant_id', 2)} ORDER BY id LIMIT 1`, [
        username,
        tenantId,
      ]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId];
      return s.rows(`SELECT * FROM users WHERE tenant_id = $1 ORDER BY username, id${s.paginate(page, params)}`, params);
    });
    return rows.map(toUser);
  }

  async updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.db.write(async (s) => {
      const rows = await s.rows(`SELECT * FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}${s.forUpdate}`, [
        id,
        tenantId,
      ]);
      if (!rows[0]) throw new NotFoundError('user', id, 'User not found');
      const updated: User = { ...applyUserPatch(toUser(rows[0]), patch), updatedAt: now };
      await s.run(
        `UPDATE users SET email = $2, password_hash = $3, active = $4, last_login_at = $5, updated_at = $6,
           credential_version = $7 WHERE id = $1`,
        [
          id,
          updated.email,
          updated.passwordHash,
          bool(s, updated.active),
          millis(updated.lastLoginAt),
          now.getTime(),
          updated.credentialVersion,
        ],
      );
      return updated;
    });
  }

  async deleteUser(tenantId: string | null, id: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run(`DELETE FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [id, tenantId]);
      if (deleted === 0) throw new NotFoundError('user', id, 'User not found');
      await s.run('DELETE FROM permissions WHERE user_id = $1', [id]);
    });
  }

  // --- tokens ------------------------------------------------------------------------------------------

  async recordToken(token: ActiveToken): Promise<void> {
    await this.db.write(
      async (s) => {
        const owner = await s.rows(`SELECT 1 AS found FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [
          token.userId,
          token.tenantId,
        ]);
        if (owner.length === 0) throw new NotFoundError('user', token.userId, 'User not found');
        const revoked = await s.rows('SELECT 1 AS found FROM revoked_tokens WHERE token_id = $1', [token.tokenId]);
        if (revoked.length > 0) throw new AlreadyExistsError('token', token.tokenId);
        await s.run(
          `INSERT INTO active_tokens (token_id, user_id, tenant_id, token_hash, expires_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [token.tokenId, token.userId, token.tenantId, token.tokenHash, token.expiresAt.getTime(), token.createdAt.getTime()],
        );
      },
      { token: token.tokenId },
    );
  }

  async getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null> {
    const rows = await this.db.read((s) =>
      s.rows(
        `SELECT t.*, u.username FROM active_tokens t LEFT JOIN users u ON u.id = t.user_id
         WHERE t.token_id = $1 AND ${sameTenant(s, 't.tenant_id', 2)}`,
        [tokenId, tenantId],
      ),
    );
    return rows[0] ? toActiveToken(rows[0]) : null;
  }

  async listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId, now.getTime()];
      let where = `${sameTenant(s, 't.tenant_id', 1)} AND t.expires_at > $2`;
      if (filter.userId !== undefined) {
        params.push(filter.userId);
        where += ` AND t.user_id = $${params.length}`;
      }
      return s.rows(
        `SELECT t.*, u.username FROM active_tokens t LEFT JOIN users u ON u.id = t.user_id
         WHERE ${where} ORDER BY t.created_at, t.token_id${s.paginate(page, params)}`,
        params,
      );
    });
    return rows.map(toActiveToken);
  }

  async revokeToken(revoked: RevokedToken): Promise<void> {
    await this.db.write(async (s) => {
      await s.run(
        `INSERT INTO revoked_tokens (token_id, tenant_id, revoked_at, expires_at, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (token_id) DO NOTHING`,
        [revoked.tokenId, revoked.tenantId, revoked.revokedAt.getTime(), revoked.expiresAt.getTime(), revoked.reason],
      );
      await s.run('DELETE FROM active_tokens WHERE token_id = $1', [revoked.tokenId]);
    });
  }

  async isTokenRevoked(tokenId: string): Promise<boolean> {
    const rows = await this.db.read((s) => s.rows('SELECT 1 AS revoked FROM revoked_tokens WHERE token_id = $1', [tokenId]));
    return rows.length > 0;
  }

  async deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.db.write(async (s) => {
      let deleted = 0;
      for (const table of ['active_tokens', 'revoked_tokens']) {
        deleted +=
          scope === 'all-tenants'
            ? await s.run(`DELETE FROM ${table} WHERE expires_at <= $1`, [now.getTime()])
            : await s.run(`DELETE FROM ${table} WHERE expires_at <= $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [
                now.getTime(),
                scope.tenantId,
              ]);
      }
      return deleted;
    });
  }

  // --- roles and grants --------------------------------------------------------------------------------

  async createRole(role: Role): Promise<Role> {
    return this.db.write(
      async (s) => {
        const taken = await s.rows('SELECT 1 AS taken FROM roles WHERE id = $1 OR (tenant_id = $2 AND name = $3)', [
          role.id,
          role.tenantId,
          role.name,
        ]);
        if (taken.length > 0) throw new AlreadyExistsError('role', role.name);
        await s.run(
          `INSERT INTO roles (id, tenant_id, name, description, permissions, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            role.id,
            role.tenantId,
            role.name,
            role.description,
            JSON.stringify(role.permissions),
            role.createdBy,
            role.createdAt.getTime(),
            role.updatedAt.getTime(),
          ],
        );
        return structuredCopy(role);
      },
      { role: role.name },
    );
  }

  async getRole(tenantId: string, id: string): Promise<Role | null> {
    const rows = await this.db.read((s) => s.rows('SELECT * FROM roles WHERE id = $1 AND tenant_id = $2', [id, tenantId]));
    return rows[0] ? toRole(rows[0]) : null;
  }

  async listRoles(tenantId: string, page?: Pagination): Promise<Role[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId];
      return s.rows(`SELECT * FROM roles WHERE tenant_id = $1 ORDER BY name, id${s.paginate(page, params)}`, params);
    });
    return rows.map(toRole);
  }

  async updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role> {
    return this.db.write(
      async (s) => {
        const rows = await s.rows(`SELECT * FROM roles WHERE id = $1 AND tenant_id = $2${s.forUpdate}`, [id, tenantId]);
        if (!rows[0]) throw new NotFoundError('role', id, 'Role not found');
        const clash = await s.rows('SELECT 1 AS taken FROM roles WHERE tenant_id = $1 AND name = $2 AND id <> $3', [
          tenantId,
          update.name,
          id,
        ]);
        if (clash.length > 0) throw new AlreadyExistsError('role', update.name);
        await s.run('UPDATE roles SET name = $2, description = $3, permissions = $4, updated_at = $5 WHERE id = $1', [
          id,
          update.name,
          update.description,
          JSON.stringify(update.permissions),
          now.getTime(),
        ]);
        return { ...toRole(rows[0]), ...structuredCopy(update), updatedAt: now };
      },
      { role: update.name },
    );
  }

  async deleteRole(tenantId: string, id: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run('DELETE FROM roles WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
      if (deleted === 0) throw new NotFoundError('role', id, 'Role not found');
    });
  }

  async assignRole(assignment: UserRoleAssignment): Promise<void> {
    await this.db.write(async (s) => {
      const user = await s.rows('SELECT 1 AS found FROM users WHERE id = $1 AND tenant_id = $2', [
        assignment.userId,
        assignment.tenantId,
      ]);
      if (user.length === 0) throw new NotFoundError('user', assignment.userId, 'User not found');
      const role = await s.rows<{ name: string }>('SELECT name FROM roles WHERE id = $1 AND tenant_id = $2', [
        assignment.roleId,
        assignment.tenantId,
      ]);
      if (role.length === 0) throw new NotFoundError('role', assignment.roleId, 'Role not found');
      const existing = await s.rows('SELECT 1 AS found FROM user_roles WHERE user_id = $1 AND role_id = $2', [
        assignment.userId,
        assignment.roleId,
      ]);
      if (existing.length > 0) {
        throw new AlreadyExistsError('role', role[0].name, `Role '${role[0].name}' is already assigned`);
      }
      await s.run(
        'INSERT INTO user_roles (user_id, role_id, tenant_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5)',
        [assignment.userId, assignment.roleId, assignment.tenantId, assignment.assignedBy, assignment.assignedAt.getTime()],
      );
    });
  }

  async unassignRole(tenantId: string, userId: string, roleId: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run('DELETE FROM user_roles WHERE user_id = $1 AND role_id = $2 AND tenant_id = $3', [
        userId,
        roleId,
        tenantId,
      ]);
      if (deleted === 0) throw new NotFoundError('role', roleId, 'Role is not assigned to this user');
    });
  }

  async listUserRoles(tenantId: string, userId: string): Promise<Role[]> {
    const rows = await this.db.read((s) =>
      s.rows(
        `SELECT r.* FROM user_roles a JOIN roles r ON r.id = a.role_id AND r.tenant_id = a.tenant_id
         WHERE a.user_id = $1 AND a.tenant_id = $2 ORDER BY r.name, r.id`,
        [userId, tenantId],
      ),
    );
    return rows.map(toRole);
  }

  async grantPermission(permission: Permission): Promise<Permission> {
    return this.db.write(
      async (s) => {
        // The grantee's row stays locked until the grant is written, so a concurrent delete cannot orphan it.
        const grantee = [permission.userId, permission.tenantId];
        const found =
          (await s.rows(`SELECT 1 AS found FROM users WHERE id = $1 AND tenant_id = $2${s.forUpdate}`, grantee)).length > 0 ||
          (await s.rows(`SELECT 1 AS found FROM service_users WHERE id = $1 AND tenant_id = $2${s.forUpdate}`, grantee)).length > 0;
        if (!found) throw new NotFoundError('user', permission.userId, 'User not found');
        await s.run(
          `INSERT INTO permissions (id, tenant_id, user_id, scope, actions, granted_by, granted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            permission.id,
            permission.tenantId,
            permission.userId,
            JSON.stringify(permission.scope),
            JSON.stringify(permission.actions),
            permission.grantedBy,
            permission.grantedAt.getTime(),
          ],
        );
        return structuredCopy(permission);
      },
      { permission: permission.id },
    );
  }

  async getPermission(tenantId: string, id: string): Promise<Permission | null> {
    const rows = await this.db.read((s) =>
      s.rows('SELECT * FROM permissions WHERE id = $1 AND tenant_id = $2', [id, tenantId]),
    );
    return rows[0] ? toPermission(rows[0]) : null;
  }

  async revokePermission(tenantId: string, id: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run('DELETE FROM permissions WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
      if (deleted === 0) throw new NotFoundError('permission', id, 'Permission not found');
    });
  }

  async listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId];
      let where = 'tenant_id = $1';
      if (filter.userId !== undefined) {
        params.push(filter.userId);
        where += ` AND user_id = $${params.length}`;
      }
      return s.rows(`SELECT * FROM permissions WHERE ${where} ORDER BY granted_at, id${s.paginate(page, params)}`, params);
    });
    return rows.map(toPermission);
  }

  async getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]> {
    const [direct, roles] = await this.db.read(async (s) => [
      await s.rows('SELECT * FROM permissions WHERE tenant_id = $1 AND user_id = $2 ORDER BY granted_at, id', [
        tenantId,
        userId,
      ]),
      await s.rows(
        `SELECT r.permissions FROM user_roles a JOIN roles r ON r.id = a.role_id AND r.tenant_id = a.tenant_id
         WHERE a.user_id = $1 AND a.tenant_id = $2 ORDER BY r.name, r.id`,
        [userId, tenantId],
      ),
    ]);
    return [
      ...direct.map(toPermission).map((p) => ({ scope: p.scope, actions: p.actions })),
      ...roles.flatMap((r) => JSON.parse(String(r.permissions)) as PermissionGrant[]),
    ];
  }

  // --- service users -----------------------------------------------------------------------------------

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

  async deleteTenantIdentities(tenantId: string): Promise<void> {
    await this.db.write(async (s) => {
      // Children first, so the cascade order does not depend on the foreign keys being enforced.
      for (const table of ['user_roles', 'permissions', 'active_tokens', 'revoked_tokens', 'roles', 'service_users', 'users']) {
        await s.run(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenantId]);
      }
    });
  }
}

/** Null-safe equality of a tenant column with parameter `$n` (the root space is the null tenant). */
function sameTenant(s: SqlSession, column: string, param: number): string {
  return s.dialect === 'postgres' ? `${column} IS NOT DISTINCT FROM $${param}` : `${column} IS $${param}`;
}

/** better-sqlite3 binds no booleans: 1/0 there, true/false on PostgreSQL. */
function bool(s: SqlSession, value: boolean): boolean | number {
  return s.dialect === 'postgres' ? value : value ? 1 : 0;
}

function millis(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function date(value: unknown): Date {
  return new Date(Number(value));
}

function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : date(value);
}

function optionalString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A copy of a record whose only nested values are JSON documents (grants, scopes, action lists). */
function structuredCopy<T extends object>(value: T): T {
  const result = { ...value } as Record<string, unknown>;
  for (const [field, v] of Object.entries(result)) {
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) result[field] = JSON.parse(JSON.stringify(v));
  }
  return result as T;
}

function toUser(row: Row): User {
  return {
    id: String(row.id),
    tenantId: optionalString(row.tenant_id),
    username: String(row.username),
    email: optionalString(row.email),
    passwordHash: optionalString(row.password_hash),
    oauthProvider: optionalString(row.oauth_provider),
    role: String(row.role) as UserRole,
    active: Boolean(row.active),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    lastLoginAt: optionalDate(row.last_login_at),
    credentialVersion: Number(row.credential_version),
  };
}

function toActiveToken(row: Row): ActiveTokenWithUser {
  return {
    tokenId: String(row.token_id),
    userId: String(row.user_id),
    tenantId: optionalString(row.tenant_id),
    tokenHash: String(row.token_hash),
    expiresAt: date(row.expires_at),
    createdAt: date(row.created_at),
    username: optionalString(row.username) ?? 'unknown',
  };
}

function toRole(row: Row): Role {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    description: optionalString(row.description),
    permissions: JSON.parse(String(row.permissions)) as PermissionGrant[],
    createdBy: String(row.created_by),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

function toPermission(row: Row): Permission {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    scope: JSON.parse(String(row.scope)) as PermissionScope,
    actions: JSON.parse(String(row.actions)) as Action[],
    grantedBy: String(row.granted_by),
    grantedAt: date(row.granted_at),
  };
}

function toServiceUser(row: Row): ServiceUser {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    description: optionalString(row.description),
    apiKeyHash: String(row.api_key_hash),
    role: String(row.role) as UserRole,
    active: Boolean(row.active),
    createdBy: String(row.created_by),
    createdAt: date(row.created_at),
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: optionalDate(row.last_used_at),
    credentialVersion: Number(row.credential_version),
  };
}
