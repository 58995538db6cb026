import type { Pagination } from '../models';

/**
 * Users (contract management §4.9). Passwords are stored as bcrypt hashes, never in clear.
 *
 * Conventions shared by every identity port (users, tokens, roles and grants, service users): each method is
 * scoped by the tenant given first; `null` is the space of the root user, which belongs to no tenant. Lists
 * have a stable order, the same on every backend. Instants are stored with millisecond precision.
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

/** User persistence (tenant-scoped, `null` = the root space; see the conventions above). */
export abstract class UsersPort {
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
}
