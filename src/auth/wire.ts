import { timestampZ } from '../common/wire-timestamp';
import type { Permission, Role, ServiceUser, User } from '../persistence/ports';

/**
 * Wire shapes of the identity endpoints (contract management §0.2, §4.9–§4.12). UserInfo, the RBAC objects
 * and ServiceUser are kebab-case; token and API-key responses snake_case. No shape ever carries a password
 * hash, an API-key hash or a token held by the server.
 */

export interface UserInfo {
  id: string;
  username: string;
  email: string | null;
  'tenant-id': string | null;
  role: string;
  'oauth-provider': string | null;
  'created-at': string;
  'last-login': string | null;
  active: boolean;
}

export function toUserInfo(user: User): UserInfo {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    'tenant-id': user.tenantId,
    role: user.role,
    'oauth-provider': user.oauthProvider,
    'created-at': timestampZ(user.createdAt),
    'last-login': user.lastLoginAt ? timestampZ(user.lastLoginAt) : null,
    active: user.active,
  };
}

export function toRoleResponse(role: Role) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    'tenant-id': role.tenantId,
    permissions: role.permissions,
    'created-by': role.createdBy,
    'created-at': timestampZ(role.createdAt),
    'updated-at': timestampZ(role.updatedAt),
  };
}

export function toPermissionResponse(p: Permission) {
  return {
    id: p.id,
    'user-id': p.userId,
    scope: p.scope,
    actions: p.actions,
    'granted-by': p.grantedBy,
    'granted-at': timestampZ(p.grantedAt),
  };
}

/** A stored service user as list and get show it: kebab-case, without `api-key-hash` (contract §9 #31). */
export function toServiceUserResponse(s: ServiceUser) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    'tenant-id': s.tenantId,
    role: s.role,
    'created-at': timestampZ(s.createdAt),
    'created-by': s.createdBy,
    'last-used': s.lastUsedAt ? timestampZ(s.lastUsedAt) : null,
    'expires-at': s.expiresAt ? timestampZ(s.expiresAt) : null,
    active: s.active,
  };
}

/** ApiKeyResponse (snake_case): the only response that carries the key, shown once. */
export function toApiKeyResponse(s: ServiceUser, apiKey: string) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    tenant_id: s.tenantId,
    role: s.role,
    api_key: apiKey,
    created_at: timestampZ(s.createdAt),
    created_by: s.createdBy,
    expires_at: s.expiresAt ? timestampZ(s.expiresAt) : null,
    active: s.active,
  };
}
