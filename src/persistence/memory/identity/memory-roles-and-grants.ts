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
import { compareNames, copy, paginate } from '../memory-state';
import { byTimeThenId, type MemoryIdentityState } from './memory-identity-state';

/** Roles, role assignments and direct grants in process memory. */
export class MemoryRolesAndGrants extends RolesAndGrantsPort {
  constructor(private readonly state: MemoryIdentityState) {
    super();
  }

  createRole(role: Role): Promise<Role> {
    return this.state.exclusive(() => {
      if (this.state.roles.has(role.id)) throw new AlreadyExistsError('role', role.name);
      this.assertRoleNameFree(role.tenantId, role.name, role.id);
      this.state.roles.set(role.id, copy(role));
      return copy(role);
    });
  }

  private assertRoleNameFree(tenantId: string, name: string, exceptId: string): void {
    for (const role of this.state.roles.values()) {
      if (role.tenantId === tenantId && role.name === name && role.id !== exceptId) {
        throw new AlreadyExistsError('role', name);
      }
    }
  }

  async getRole(tenantId: string, id: string): Promise<Role | null> {
    const role = this.state.roleIn(tenantId, id);
    return role ? copy(role) : null;
  }

  async listRoles(tenantId: string, page?: Pagination): Promise<Role[]> {
    const rows = [...this.state.roles.values()].filter((r) => r.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role> {
    return this.state.exclusive(() => {
      const stored = this.state.roleIn(tenantId, id);
      if (!stored) throw new NotFoundError('role', id, 'Role not found');
      this.assertRoleNameFree(tenantId, update.name, id);
      const updated: Role = { ...stored, ...copy(update), updatedAt: now };
      this.state.roles.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteRole(tenantId: string, id: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.roleIn(tenantId, id)) throw new NotFoundError('role', id, 'Role not found');
      this.state.roles.delete(id);
      for (const [k, a] of this.state.assignments) if (a.roleId === id) this.state.assignments.delete(k);
    });
  }

  assignRole(assignment: UserRoleAssignment): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.userIn(assignment.tenantId, assignment.userId)) {
        throw new NotFoundError('user', assignment.userId, 'User not found');
      }
      const role = this.state.roleIn(assignment.tenantId, assignment.roleId);
      if (!role) throw new NotFoundError('role', assignment.roleId, 'Role not found');
      const k = JSON.stringify([assignment.userId, assignment.roleId]);
      if (this.state.assignments.has(k)) {
        throw new AlreadyExistsError('role', role.name, `Role '${role.name}' is already assigned`);
      }
      this.state.assignments.set(k, copy(assignment));
    });
  }

  unassignRole(tenantId: string, userId: string, roleId: string): Promise<void> {
    return this.state.exclusive(() => {
      const k = JSON.stringify([userId, roleId]);
      const assignment = this.state.assignments.get(k);
      if (!assignment || assignment.tenantId !== tenantId) {
        throw new NotFoundError('role', roleId, 'Role is not assigned to this user');
      }
      this.state.assignments.delete(k);
    });
  }

  async listUserRoles(tenantId: string, userId: string): Promise<Role[]> {
    return this.rolesOf(tenantId, userId).map(copy);
  }

  private rolesOf(tenantId: string, userId: string): Role[] {
    const rows: Role[] = [];
    for (const a of this.state.assignments.values()) {
      if (a.userId !== userId || a.tenantId !== tenantId) continue;
      const role = this.state.roleIn(tenantId, a.roleId);
      if (role) rows.push(role);
    }
    return rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
  }

  grantPermission(permission: Permission): Promise<Permission> {
    return this.state.exclusive(() => {
      const { tenantId, userId } = permission;
      if (!this.state.userIn(tenantId, userId) && !this.state.serviceUserIn(tenantId, userId)) {
        throw new NotFoundError('user', userId, 'User not found');
      }
      if (this.state.permissions.has(permission.id)) throw new AlreadyExistsError('permission', permission.id);
      this.state.permissions.set(permission.id, copy(permission));
      return copy(permission);
    });
  }

  async getPermission(tenantId: string, id: string): Promise<Permission | null> {
    const p = this.state.permissions.get(id);
    return p && p.tenantId === tenantId ? copy(p) : null;
  }

  revokePermission(tenantId: string, id: string): Promise<void> {
    return this.state.exclusive(() => {
      const p = this.state.permissions.get(id);
      if (!p || p.tenantId !== tenantId) throw new NotFoundError('permission', id, 'Permission not found');
      this.state.permissions.delete(id);
    });
  }

  async listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]> {
    const rows = this.directGrants(tenantId, filter.userId);
    return paginate(rows, page).map(copy);
  }

  private directGrants(tenantId: string, userId?: string): Permission[] {
    const rows = [...this.state.permissions.values()].filter(
      (p) => p.tenantId === tenantId && (userId === undefined || p.userId === userId),
    );
    return rows.sort(byTimeThenId<Permission>((p) => p.grantedAt, (p) => p.id));
  }

  async getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]> {
    const direct = this.directGrants(tenantId, userId).map((p) => ({ scope: p.scope, actions: p.actions }));
    const viaRoles = this.rolesOf(tenantId, userId).flatMap((r) => r.permissions);
    return copy([...direct, ...viaRoles]);
  }
}
