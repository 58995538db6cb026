import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import {
  applyServiceUserPatch,
  applyUserPatch,
  IdentityPort,
  type ActiveToken,
  type ActiveTokenWithUser,
  type Permission,
  type PermissionGrant,
  type RevokedToken,
  type Role,
  type RoleUpdate,
  type ServiceUser,
  type ServiceUserPatch,
  type User,
  type UserPatch,
  type UserRoleAssignment,
} from '../../ports/identity.port';
import { compareNames, copy, paginate } from '../memory-state';

/** Key of a tenant space; the root space (null tenant) cannot collide with a tenant id. */
const space = (tenantId: string | null): string => (tenantId === null ? '\u0000root' : tenantId);

const byTimeThenId = <T,>(time: (row: T) => Date, id: (row: T) => string) => (a: T, b: T) =>
  time(a).getTime() - time(b).getTime() || compareNames(id(a), id(b));

/**
 * Identity records in process memory. Writes run one at a time on a promise chain, so check-then-write
 * sequences (uniqueness, cascades) are atomic; rows are deep-copied in and out.
 */
export class MemoryIdentity extends IdentityPort {
  private readonly users = new Map<string, User>(); // key: id
  private readonly activeTokens = new Map<string, ActiveToken>(); // key: token id
  private readonly revokedTokens = new Map<string, RevokedToken>(); // key: token id
  private readonly roles = new Map<string, Role>(); // key: id
  private readonly permissions = new Map<string, Permission>(); // key: id
  private readonly assignments = new Map<string, UserRoleAssignment>(); // key: user id + role id
  private readonly serviceUsers = new Map<string, ServiceUser>(); // key: id
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => T): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private userIn(tenantId: string | null, id: string): User | undefined {
    const user = this.users.get(id);
    return user && space(user.tenantId) === space(tenantId) ? user : undefined;
  }

  // --- users -------------------------------------------------------------------------------------------

  createUser(user: User): Promise<User> {
    return this.exclusive(() => {
      if (this.users.has(user.id)) throw new AlreadyExistsError('user', user.username);
      if (this.findUser(user.tenantId, user.username)) throw new AlreadyExistsError('user', user.username);
      this.users.set(user.id, copy(user));
      return copy(user);
    });
  }

  async getUser(tenantId: string | null, id: string): Promise<User | null> {
    const user = this.userIn(tenantId, id);
    return user ? copy(user) : null;
  }

  async findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    const user = this.findUser(tenantId, username);
    return user ? copy(user) : null;
  }

  private findUser(tenantId: string | null, username: string): User | undefined {
    for (const user of this.users.values()) {
      if (user.username === username && space(user.tenantId) === space(tenantId)) return user;
    }
    return undefined;
  }

  async listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    const rows = [...this.users.values()].filter((u) => u.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.username, b.username) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.exclusive(() => {
      const stored = this.userIn(tenantId, id);
      if (!stored) throw new NotFoundError('user', id, 'User not found');
      const updated: User = { ...applyUserPatch(stored, patch), updatedAt: now };
      this.users.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteUser(tenantId: string | null, id: string): Promise<void> {
    return this.exclusive(() => {
      if (!this.userIn(tenantId, id)) throw new NotFoundError('user', id, 'User not found');
      this.removeUser(id);
    });
  }

  private removeUser(id: string): void {
    this.users.delete(id);
    for (const [tokenId, token] of this.activeTokens) if (token.userId === id) this.activeTokens.delete(tokenId);
    for (const [permissionId, p] of this.permissions) if (p.userId === id) this.permissions.delete(permissionId);
    for (const [k, a] of this.assignments) if (a.userId === id) this.assignments.delete(k);
  }

  // --- tokens ------------------------------------------------------------------------------------------

  recordToken(token: ActiveToken): Promise<void> {
    return this.exclusive(() => {
      if (!this.userIn(token.tenantId, token.userId)) throw new NotFoundError('user', token.userId, 'User not found');
      if (this.activeTokens.has(token.tokenId) || this.revokedTokens.has(token.tokenId)) {
        throw new AlreadyExistsError('token', token.tokenId);
      }
      this.activeTokens.set(token.tokenId, copy(token));
    });
  }

  async getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null> {
    const token = this.activeTokens.get(tokenId);
    if (!token || space(token.tenantId) !== space(tenantId)) return null;
    return this.withUser(token);
  }

  async listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]> {
    const rows = [...this.activeTokens.values()].filter(
      (t) =>
        space(t.tenantId) === space(tenantId) &&
        (filter.userId === undefined || t.userId === filter.userId) &&
        t.expiresAt.getTime() > now.getTime(),
    );
    rows.sort(byTimeThenId<ActiveToken>((t) => t.createdAt, (t) => t.tokenId));
    return paginate(rows, page).map((t) => this.withUser(t));
  }

  private withUser(token: ActiveToken): ActiveTokenWithUser {
    return { ...copy(token), username: this.users.get(token.userId)?.username ?? 'unknown' };
  }

  revokeToken(revoked: RevokedToken): Promise<void> {
    return this.exclusive(() => {
      if (!this.revokedTokens.has(revoked.tokenId)) this.revokedTokens.set(revoked.tokenId, copy(revoked));
      this.activeTokens.delete(revoked.tokenId);
    });
  }

  async isTokenRevoked(tokenId: string): Promise<boolean> {
    return this.revokedTokens.has(tokenId);
  }

  deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.exclusive(() => {
      const inScope = (tenantId: string | null) => scope === 'all-tenants' || space(tenantId) === space(scope.tenantId);
      let deleted = 0;
      for (const table of [this.activeTokens, this.revokedTokens] as Map<string, ActiveToken | RevokedToken>[]) {
        for (const [id, row] of table) {
          if (inScope(row.tenantId) && row.expiresAt.getTime() <= now.getTime()) {
            table.delete(id);
            deleted++;
          }
        }
      }
      return deleted;
    });
  }

  // --- roles and grants --------------------------------------------------------------------------------

  createRole(role: Role): Promise<Role> {
    return this.exclusive(() => {
      if (this.roles.has(role.id)) throw new AlreadyExistsError('role', role.name);
      this.assertRoleNameFree(role.tenantId, role.name, role.id);
      this.roles.set(role.id, copy(role));
      return copy(role);
    });
  }

  private assertRoleNameFree(tenantId: string, name: string, exceptId: string): void {
    for (const role of this.roles.values()) {
      if (role.tenantId === tenantId && role.name === name && role.id !== exceptId) {
        throw new AlreadyExistsError('role', name);
      }
    }
  }

  private roleIn(tenantId: string, id: string): Role | undefined {
    const role = this.roles.get(id);
    return role && role.tenantId === tenantId ? role : undefined;
  }

  async getRole(tenantId: string, id: string): Promise<Role | null> {
    const role = this.roleIn(tenantId, id);
    return role ? copy(role) : null;
  }

  async listRoles(tenantId: string, page?: Pagination): Promise<Role[]> {
    const rows = [...this.roles.values()].filter((r) => r.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role> {
    return this.exclusive(() => {
      const stored = this.roleIn(tenantId, id);
      if (!stored) throw new NotFoundError('role', id, 'Role not found');
      this.assertRoleNameFree(tenantId, update.name, id);
      const updated: Role = { ...stored, ...copy(update), updatedAt: now };
      this.roles.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteRole(tenantId: string, id: string): Promise<void> {
    return this.exclusive(() => {
      if (!this.roleIn(tenantId, id)) throw new NotFoundError('role', id, 'Role not found');
      this.roles.delete(id);
      for (const [k, a] of this.assignments) if (a.roleId === id) this.assignments.delete(k);
    });
  }

  assignRole(assignment: UserRoleAssignment): Promise<void> {
    return this.exclusive(() => {
      if (!this.userIn(assignment.tenantId, assignment.userId)) {
        throw new NotFoundError('user', assignment.userId, 'User not found');
      }
      const role = this.roleIn(assignment.tenantId, assignment.roleId);
      if (!role) throw new NotFoundError('role', assignment.roleId, 'Role not found');
      const k = JSON.stringify([assignment.userId, assignment.roleId]);
      if (this.assignments.has(k)) throw new AlreadyExistsError('role', role.name, `Role '${role.name}' is already assigned`);
      this.assignments.set(k, copy(assignment));
    });
  }

  unassignRole(tenantId: string, userId: string, roleId: string): Promise<void> {
    return this.exclusive(() => {
      const k = JSON.stringify([userId, roleId]);
      const assignment = this.assignments.get(k);
      if (!assignment || assignment.tenantId !== tenantId) {
        throw new NotFoundError('role', roleId, 'Role is not assigned to this user');
      }
      this.assignments.delete(k);
    });
  }

  async listUserRoles(tenantId: string, userId: string): Promise<Role[]> {
    return this.rolesOf(tenantId, userId).map(copy);
  }

  private rolesOf(tenantId: string, userId: string): Role[] {
    const rows: Role[] = [];
    for (const a of this.assignments.values()) {
      if (a.userId !== userId || a.tenantId !== tenantId) continue;
      const role = this.roleIn(tenantId, a.roleId);
      if (role) rows.push(role);
    }
    return rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
  }

  grantPermission(permission: Permission): Promise<Permission> {
    return this.exclusive(() => {
      if (!this.userIn(permission.tenantId, permission.userId) && !this.serviceUserIn(permission.tenantId, permission.userId)) {
        throw new NotFoundError('user', permission.userId, 'User not found');
      }
      if (this.permissions.has(permission.id)) throw new AlreadyExistsError('permission', permission.id);
      this.permissions.set(permission.id, copy(permission));
      return copy(permission);
    });
  }

  async getPermission(tenantId: string, id: string): Promise<Permission | null> {
    const p = this.permissions.get(id);
    return p && p.tenantId === tenantId ? copy(p) : null;
  }

  revokePermission(tenantId: string, id: string): Promise<void> {
    return this.exclusive(() => {
      const p = this.permissions.get(id);
      if (!p || p.tenantId !== tenantId) throw new NotFoundError('permission', id, 'Permission not found');
      this.permissions.delete(id);
    });
  }

  async listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]> {
    const rows = this.directGrants(tenantId, filter.userId);
    return paginate(rows, page).map(copy);
  }

  private directGrants(tenantId: string, userId?: string): Permission[] {
    const rows = [...this.permissions.values()].filter(
      (p) => p.tenantId === tenantId && (userId === undefined || p.userId === userId),
    );
    return rows.sort(byTimeThenId<Permission>((p) => p.grantedAt, (p) => p.id));
  }

  async getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]> {
    const direct = this.directGrants(tenantId, userId).map((p) => ({ scope: p.scope, actions: p.actions }));
    const viaRoles = this.rolesOf(tenantId, userId).flatMap((r) => r.permissions);
    return copy([...direct, ...viaRoles]);
  }

  // --- service users -----------------------------------------------------------------------------------

  createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser> {
    return this.exclusive(() => {
      if (this.serviceUsers.has(serviceUser.id)) throw new AlreadyExistsError('service-user', serviceUser.name);
      this.assertServiceUserNameFree(serviceUser.tenantId, serviceUser.name, serviceUser.id);
      this.serviceUsers.set(serviceUser.id, copy(serviceUser));
      return copy(serviceUser);
    });
  }

  private assertServiceUserNameFree(tenantId: string, name: string, exceptId: string): void {
    for (const s of this.serviceUsers.values()) {
      if (s.tenantId === tenantId && s.name === name && s.id !== exceptId) throw new AlreadyExistsError('service-user', name);
    }
  }

  private serviceUserIn(tenantId: string, id: string): ServiceUser | undefined {
    const s = this.serviceUsers.get(id);
    return s && s.tenantId === tenantId ? s : undefined;
  }

  async getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null> {
    const s = this.serviceUserIn(tenantId, id);
    return s ? copy(s) : null;
  }

  async getServiceUserForAuthentication(id: string): Promise<ServiceUser | null> {
    const s = this.serviceUsers.get(id);
    return s ? copy(s) : null;
  }

  async listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]> {
    const rows = [...this.serviceUsers.values()].filter((s) => s.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.name, b.name) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser> {
    return this.exclusive(() => {
      const stored = this.serviceUserIn(tenantId, id);
      if (!stored) throw new NotFoundError('service-user', id, 'Service user not found');
      if (patch.name !== undefined) this.assertServiceUserNameFree(tenantId, patch.name, id);
      const updated = applyServiceUserPatch(stored, patch);
      this.serviceUsers.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteServiceUser(tenantId: string, id: string): Promise<void> {
    return this.exclusive(() => {
      if (!this.serviceUserIn(tenantId, id)) throw new NotFoundError('service-user', id, 'Service user not found');
      this.serviceUsers.delete(id);
      for (const [permissionId, p] of this.permissions) if (p.userId === id) this.permissions.delete(permissionId);
    });
  }

  deleteTenantIdentities(tenantId: string): Promise<void> {
    return this.exclusive(() => {
      for (const user of [...this.users.values()]) if (user.tenantId === tenantId) this.removeUser(user.id);
      for (const [id, role] of this.roles) if (role.tenantId === tenantId) this.roles.delete(id);
      for (const [k, a] of this.assignments) if (a.tenantId === tenantId) this.assignments.delete(k);
      for (const [id, p] of this.permissions) if (p.tenantId === tenantId) this.permissions.delete(id);
      for (const [id, s] of this.serviceUsers) if (s.tenantId === tenantId) this.serviceUsers.delete(id);
      for (const [id, t] of this.activeTokens) if (t.tenantId === tenantId) this.activeTokens.delete(id);
      for (const [id, t] of this.revokedTokens) if (t.tenantId === tenantId) this.revokedTokens.delete(id);
    });
  }
}
