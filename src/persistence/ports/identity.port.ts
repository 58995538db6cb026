import type { Pagination } from '../models';

/**
 * Identity records: users, the tokens minted for them, roles, direct permission grants, user–role
 * assignments and service users (contract management §4.9–§4.12). Secrets are never stored in clear:
 * passwords and API keys as bcrypt hashes, tokens as SHA-256 digests.
 */

/** Built-in role of a user or service user, spelled as on the wire and in the JWT `role` claim. */
export type UserRole = 'root' | 'tenant-admin' | 'tenant-user';

export interface User {
  id: string;
  /** Null only for the root user, which belongs to no tenant. */
  tenantId: string | null;
  username: string;
  email: string | null;
  /** bcrypt hash; null for an account that cannot log in with a password. */
  passwordHash: string | null;
  oauthProvider: string | null;
  role: UserRole;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  /**
   * Raised by one on every password change; tokens carry the version they were issued at, and a token of an
   * older version no longer authenticates. Starts at 0.
   */
  credentialVersion: number;
}

/** Fields of a user that can change; absent fields are kept. */
export interface UserPatch {
  email?: string | null;
  passwordHash?: string | null;
  active?: boolean;
  lastLoginAt?: Date | null;
  /** Raise `credentialVersion` by one, atomically with the rest of the patch. */
  bumpCredentialVersion?: boolean;
}

/** A token minted by the server (its JWT `jti`), listed until it expires or is revoked. */
export interface ActiveToken {
  tokenId: string;
  userId: string;
  /** Tenant of the token's user (null for root). */
  tenantId: string | null;
  /** SHA-256 hex digest of the token text; the token itself is never stored. */
  tokenHash: string;
  expiresAt: Date;
  createdAt: Date;
}

/** An active token with the username of its user, as the token lists show it. */
export interface ActiveTokenWithUser extends ActiveToken {
  username: string;
}

export interface RevokedToken {
  tokenId: string;
  tenantId: string | null;
  revokedAt: Date;
  /** When the token would have expired anyway; afterwards the row can be cleaned up. */
  expiresAt: Date;
  reason: string | null;
}

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

/** A non-human principal (an engine, a pipeline) authenticating with an API key. */
export interface ServiceUser {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** bcrypt hash of the API key; the key itself is shown once, at creation or rotation. */
  apiKeyHash: string;
  role: UserRole;
  active: boolean;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** Raised by one on every key rotation; as User.credentialVersion, it ends the tokens issued before. */
  credentialVersion: number;
}

export interface ServiceUserPatch {
  name?: string;
  description?: string | null;
  role?: UserRole;
  active?: boolean;
  expiresAt?: Date | null;
  apiKeyHash?: string;
  lastUsedAt?: Date | null;
  /** Raise `credentialVersion` by one, atomically with the rest of the patch. */
  bumpCredentialVersion?: boolean;
}

/** The user after a patch (for adapters that write whole rows); `updatedAt` is the adapter's. */
export function applyUserPatch(stored: User, patch: UserPatch): User {
  const updated: User = { ...stored };
  if (patch.email !== undefined) updated.email = patch.email;
  if (patch.passwordHash !== undefined) updated.passwordHash = patch.passwordHash;
  if (patch.active !== undefined) updated.active = patch.active;
  if (patch.lastLoginAt !== undefined) updated.lastLoginAt = patch.lastLoginAt;
  if (patch.bumpCredentialVersion) updated.credentialVersion = stored.credentialVersion + 1;
  return updated;
}

/** The service user after a patch (for adapters that write whole rows). */
export function applyServiceUserPatch(stored: ServiceUser, patch: ServiceUserPatch): ServiceUser {
  const { bumpCredentialVersion, ...fields } = patch;
  const updated: ServiceUser = { ...stored };
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined) (updated as unknown as Record<string, unknown>)[field] = value;
  }
  if (bumpCredentialVersion) updated.credentialVersion = stored.credentialVersion + 1;
  return updated;
}

/**
 * Identity persistence. Every method is scoped by the tenant given first; `null` is the space of the root
 * user, which belongs to no tenant. Two lookups are deliberately unscoped because they run before any tenant
 * is known: `isTokenRevoked` (a token id is a random UUID) and `getServiceUserForAuthentication` (an OAuth
 * client id or API key names the service user, not its tenant). Lists have a stable order, the same on every
 * backend. Instants are stored with millisecond precision.
 */
export abstract class IdentityPort {
  // --- users -------------------------------------------------------------------------------------------

  /**
   * Inserts a user. Atomic. Throws AlreadyExistsError('user') when the id is taken or the username is taken
   * in the same tenant (usernames are unique per tenant, so another tenant's names stay invisible).
   */
  abstract createUser(user: User): Promise<User>;

  /** The user with this id in the tenant (`null` tenant: the root space), or null. */
  abstract getUser(tenantId: string | null, id: string): Promise<User | null>;

  /** The user with this username in the tenant, or null. */
  abstract findUserByUsername(tenantId: string | null, username: string): Promise<User | null>;

  /** The tenant's users ordered by username (binary order), then id; paginated. */
  abstract listUsers(tenantId: string, page?: Pagination): Promise<User[]>;

  /** Applies the patch (and sets `updatedAt`). Throws NotFoundError('user') outside the tenant. Atomic. */
  abstract updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User>;

  /**
   * Deletes the user and, atomically, its active tokens, direct permissions and role assignments.
   * Throws NotFoundError('user').
   */
  abstract deleteUser(tenantId: string | null, id: string): Promise<void>;

  // --- tokens ------------------------------------------------------------------------------------------

  /** Records a minted token. Throws NotFoundError('user') when its user does not exist. */
  abstract recordToken(token: ActiveToken): Promise<void>;

  /** The active (recorded, not revoked) token with this id in the tenant, or null. */
  abstract getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null>;

  /**
   * The tenant's recorded tokens that expire after `now`, optionally only those of one user, ordered by
   * creation (oldest first), then id; paginated.
   */
  abstract listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]>;

  /**
   * Revokes a token id: atomically records it in the revocation list and removes it from the active tokens.
   * Idempotent: revoking a revoked id keeps the first record.
   */
  abstract revokeToken(revoked: RevokedToken): Promise<void>;

  /** True when the token id is on the revocation list. Unscoped (see the class comment). */
  abstract isTokenRevoked(tokenId: string): Promise<boolean>;

  /**
   * Deletes active and revoked token rows that expired at or before `now`, in one tenant (`null`: the root
   * space) or in every tenant (`'all-tenants'`). Returns how many rows were deleted.
   */
  abstract deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number>;

  // --- roles and grants --------------------------------------------------------------------------------

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

  // --- service users -----------------------------------------------------------------------------------

  /** Inserts a service user. Throws AlreadyExistsError('service-user') when the id or name is taken. */
  abstract createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser>;

  abstract getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null>;

  /** The service user with this id in any tenant, or null. Unscoped (see the class comment). */
  abstract getServiceUserForAuthentication(id: string): Promise<ServiceUser | null>;

  /** The tenant's service users ordered by name, then id; paginated. */
  abstract listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]>;

  /** Applies the patch. Throws NotFoundError('service-user'), AlreadyExistsError('service-user'). Atomic. */
  abstract updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser>;

  /** Deletes the service user and, atomically, its direct grants. Throws NotFoundError('service-user'). */
  abstract deleteServiceUser(tenantId: string, id: string): Promise<void>;

  // --- tenants -----------------------------------------------------------------------------------------

  /**
   * Deletes every identity record of the tenant (users with their tokens and grants, roles, service users,
   * revocation rows). For tenant deletion; idempotent.
   */
  abstract deleteTenantIdentities(tenantId: string): Promise<void>;
}
