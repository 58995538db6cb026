import type { Pagination } from '../models';
import type { UserRole } from './users.port';

/**
 * Service users (contract management §4.12). API keys are stored as bcrypt hashes, never in clear.
 * Conventions as in users.port.ts.
 */

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
 * Service users, tenant-scoped. `getServiceUserForAuthentication` is deliberately unscoped: an OAuth client
 * id or an API key names the service user, not its tenant.
 */
export abstract class ServiceUsersPort {
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
}
