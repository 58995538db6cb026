import { ValidationError } from '../common/errors';
import type { UserRole } from '../persistence/ports';

/** Built-in roles from least to most powerful; a caller never hands out a role above its own. */
const RANK: Record<UserRole, number> = { 'tenant-user': 0, 'tenant-admin': 1, root: 2 };

export function roleRank(role: UserRole): number {
  return RANK[role];
}

export function isAdminRole(role: UserRole): boolean {
  return role === 'root' || role === 'tenant-admin';
}

/** The lower of two roles. */
export function lowerRole(a: UserRole, b: UserRole): UserRole {
  return RANK[a] <= RANK[b] ? a : b;
}

/**
 * A role name as clients send it: the wire spelling (`tenant-admin`) and the aliases shipped clients use
 * (`TenantAdmin`, `admin`, `Root`, ...; contract management §4.9, §7). Anything else is a ValidationError:
 * an unknown role never silently becomes tenant-user.
 */
export function parseRoleName(value: unknown, field = 'role'): UserRole {
  if (typeof value !== 'string') throw new ValidationError(`${field} must be one of root, tenant-admin, tenant-user`);
  const normalised = value.trim().toLowerCase().replace(/[_\s]/g, '-');
  switch (normalised) {
    case 'root':
      return 'root';
    case 'tenant-admin':
    case 'tenantadmin':
    case 'admin':
      return 'tenant-admin';
    case 'tenant-user':
    case 'tenantuser':
    case 'user':
      return 'tenant-user';
    default:
      throw new ValidationError(`Unknown ${field} '${value}': expected root, tenant-admin or tenant-user`);
  }
}

export const USER_ROLES: readonly UserRole[] = ['root', 'tenant-admin', 'tenant-user'];

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}
