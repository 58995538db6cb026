import type { ActiveToken, Permission, RevokedToken, Role, ServiceUser, User, UserRoleAssignment } from '../../ports';
import { compareNames } from '../memory-state';

/** Key of a tenant space; the root space (null tenant) cannot collide with a tenant id. */
export const space = (tenantId: string | null): string => (tenantId === null ? '\u0000root' : tenantId);

export const byTimeThenId = <T,>(time: (row: T) => Date, id: (row: T) => string) => (a: T, b: T) =>
  time(a).getTime() - time(b).getTime() || compareNames(id(a), id(b));

/**
 * The identity records of the in-memory backend, shared by its identity adapters (users, tokens, roles and
 * grants, service users, tenant cleanup) because their checks and cascades cross aggregates. Writes run one
 * at a time on one promise chain, so check-then-write sequences (uniqueness, cascades) are atomic across
 * all of them; rows are deep-copied in and out by the adapters.
 */
export class MemoryIdentityState {
  readonly users = new Map<string, User>(); // key: id
  readonly activeTokens = new Map<string, ActiveToken>(); // key: token id
  readonly revokedTokens = new Map<string, RevokedToken>(); // key: token id
  readonly roles = new Map<string, Role>(); // key: id
  readonly permissions = new Map<string, Permission>(); // key: id
  readonly assignments = new Map<string, UserRoleAssignment>(); // key: user id + role id
  readonly serviceUsers = new Map<string, ServiceUser>(); // key: id
  private queue: Promise<unknown> = Promise.resolve();

  exclusive<T>(work: () => T): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  userIn(tenantId: string | null, id: string): User | undefined {
    const user = this.users.get(id);
    return user && space(user.tenantId) === space(tenantId) ? user : undefined;
  }

  serviceUserIn(tenantId: string, id: string): ServiceUser | undefined {
    const s = this.serviceUsers.get(id);
    return s && s.tenantId === tenantId ? s : undefined;
  }

  roleIn(tenantId: string, id: string): Role | undefined {
    const role = this.roles.get(id);
    return role && role.tenantId === tenantId ? role : undefined;
  }

  /** Deletes a user with its active tokens, direct grants and role assignments (call inside `exclusive`). */
  removeUser(id: string): void {
    this.users.delete(id);
    for (const [tokenId, token] of this.activeTokens) if (token.userId === id) this.activeTokens.delete(tokenId);
    for (const [permissionId, p] of this.permissions) if (p.userId === id) this.permissions.delete(permissionId);
    for (const [k, a] of this.assignments) if (a.userId === id) this.assignments.delete(k);
  }
}
