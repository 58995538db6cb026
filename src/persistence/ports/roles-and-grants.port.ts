import type { Pagination } from '../models';

/**
 * Roles, user–role assignments and direct permission grants (contract management §4.11). Conventions as in
 * users.port.ts.
 */

export const ACTIONS = [
  'read',
  'write',
  'delete',
  'create',
  'update',
  'list',
  'all',
  'ingest-branching',
  'experimental-branching',
  'manage-discovery',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What a grant covers, in its wire form (contract management §4.11: internally tagged on `type`, fields in
 * snake_case). A namespace is dot-joined, as on the management API.
 */
export type PermissionScope =
  | { type: 'tenant' }
  | { type: 'catalog'; catalog_id: string }
  | { type: 'namespace'; catalog_id: string; namespace: string }
  | { type: 'asset'; catalog_id: string; namespace: string; asset_id: string }
  | { type: 'tag'; tag_name: string };

export interface PermissionGrant {
  scope: PermissionScope;
  actions: Action[];
}

export interface Role {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  permissions: PermissionGrant[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields of a role that an update replaces. */
export interface RoleUpdate {
  name: string;
  description: string | null;
  permissions: PermissionGrant[];
}

/** A grant made directly to one user or service user. */
export interface Permission {
  id: string;
  tenantId: string;
  /** The grantee: a user's or a service user's id (both random UUIDs, so they never collide). */
  userId: string;
  scope: PermissionScope;
  actions: Action[];
  grantedBy: string;
  grantedAt: Date;
}

export interface UserRoleAssignment {
  userId: string;
  roleId: string;
  tenantId: string;
  assignedBy: string;
  assignedAt: Date;
}

/** Roles, their assignment to users, and direct grants to users or service users; tenant-scoped. */
export abstract class RolesAndGrantsPort {
  /** Inserts a role. Throws AlreadyExistsError('role') when the id or the name is taken in the tenant. */
  abstract createRole(role: Role): Promise<Role>;

  abstract getRole(tenantId: string, id: string): Promise<Role | null>;

  /** The tenant's roles ordered by name, then id; paginated. */
  abstract listRoles(tenantId: string, page?: Pagination): Promise<Role[]>;

  /** Replaces name, description and grants. Throws NotFoundError('role'), AlreadyExistsError('role'). */
  abstract updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role>;

  /** Deletes the role and its assignments. Throws NotFoundError('role'). Atomic. */
  abstract deleteRole(tenantId: string, id: string): Promise<void>;

  /**
   * Assigns a role to a user of the same tenant. Throws NotFoundError('user') / NotFoundError('role') when
   * either is not in the tenant, AlreadyExistsError('role') when the user already has it.
   */
  abstract assignRole(assignment: UserRoleAssignment): Promise<void>;

  /** Removes an assignment. Throws NotFoundError('role') when the user does not have the role. */
  abstract unassignRole(tenantId: string, userId: string, roleId: string): Promise<void>;

  /** The roles assigned to the user, ordered by name, then id. */
  abstract listUserRoles(tenantId: string, userId: string): Promise<Role[]>;

  /**
   * Inserts a direct grant to a user or a service user of the tenant. Throws NotFoundError('user') when
   * neither a user nor a service user with that id is in the tenant.
   */
  abstract grantPermission(permission: Permission): Promise<Permission>;

  abstract getPermission(tenantId: string, id: string): Promise<Permission | null>;

  /** Deletes a grant. Throws NotFoundError('permission'). */
  abstract revokePermission(tenantId: string, id: string): Promise<void>;

  /** The tenant's direct grants (optionally one user's), ordered by grant time, then id; paginated. */
  abstract listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]>;

  /**
   * Everything the user (or service user) is granted in the tenant: its direct grants, then the grants of its
   * roles (service users have none). One call, for the authorization check of every request.
   */
  abstract getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]>;
}
