import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import {
  RolesAndGrantsPort,
  type Permission,
  type PermissionGrant,
  type Role,
  type RoleUpdate,
  type UserRoleAssignment,
} from '../../ports';
import type { SqlDatabase } from '../sql-database';
import { structuredCopy, toPermission, toRole } from './typeorm-identity-rows';

/**
 * Roles, role assignments and direct grants on SQLite and PostgreSQL. Deleting a role cascades to its
 * assignments through the foreign key.
 */
export class TypeormRolesAndGrants extends RolesAndGrantsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

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
}
