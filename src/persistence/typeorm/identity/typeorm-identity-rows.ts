import type {
  Action,
  ActiveTokenWithUser,
  Permission,
  PermissionGrant,
  PermissionScope,
  ServiceUser,
  Role,
  User,
  UserRole,
} from '../../ports';
import type { SqlSession } from '../sql-database';

/**
 * SQL helpers and row mappers shared by the identity adapters on SQLite and PostgreSQL, which use the tables
 * of the initial migration (users, active_tokens, revoked_tokens, roles, permissions, user_roles,
 * service_users). Instants are stored as epoch milliseconds.
 */

type Row = Record<string, unknown>;

/** Null-safe equality of a tenant column with parameter `$n` (the root space is the null tenant). */
export function sameTenant(s: SqlSession, column: string, param: number): string {
  return s.dialect === 'postgres' ? `${column} IS NOT DISTINCT FROM $${param}` : `${column} IS $${param}`;
}

/** better-sqlite3 binds no booleans: 1/0 there, true/false on PostgreSQL. */
export function bool(s: SqlSession, value: boolean): boolean | number {
  return s.dialect === 'postgres' ? value : value ? 1 : 0;
}

export function millis(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function date(value: unknown): Date {
  return new Date(Number(value));
}

function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : date(value);
}

function optionalString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A copy of a record whose only nested values are JSON documents (grants, scopes, action lists). */
export function structuredCopy<T extends object>(value: T): T {
  const result = { ...value } as Record<string, unknown>;
  for (const [field, v] of Object.entries(result)) {
    if (v !== null && typeof v === 'object' && !(v instanceof Date)) result[field] = JSON.parse(JSON.stringify(v));
  }
  return result as T;
}

export function toUser(row: Row): User {
  return {
    id: String(row.id),
    tenantId: optionalString(row.tenant_id),
    username: String(row.username),
    email: optionalString(row.email),
    passwordHash: optionalString(row.password_hash),
    oauthProvider: optionalString(row.oauth_provider),
    role: String(row.role) as UserRole,
    active: Boolean(row.active),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    lastLoginAt: optionalDate(row.last_login_at),
    credentialVersion: Number(row.credential_version),
  };
}

export function toActiveToken(row: Row): ActiveTokenWithUser {
  return {
    tokenId: String(row.token_id),
    userId: String(row.user_id),
    tenantId: optionalString(row.tenant_id),
    tokenHash: String(row.token_hash),
    expiresAt: date(row.expires_at),
    createdAt: date(row.created_at),
    username: optionalString(row.username) ?? 'unknown',
  };
}

export function toRole(row: Row): Role {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    description: optionalString(row.description),
    permissions: JSON.parse(String(row.permissions)) as PermissionGrant[],
    createdBy: String(row.created_by),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}

export function toPermission(row: Row): Permission {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    userId: String(row.user_id),
    scope: JSON.parse(String(row.scope)) as PermissionScope,
    actions: JSON.parse(String(row.actions)) as Action[],
    grantedBy: String(row.granted_by),
    grantedAt: date(row.granted_at),
  };
}

export function toServiceUser(row: Row): ServiceUser {
  return {
    id: String(row.id),
    tenantId: String(row.tenant_id),
    name: String(row.name),
    description: optionalString(row.description),
    apiKeyHash: String(row.api_key_hash),
    role: String(row.role) as UserRole,
    active: Boolean(row.active),
    createdBy: String(row.created_by),
    createdAt: date(row.created_at),
    expiresAt: optionalDate(row.expires_at),
    lastUsedAt: optionalDate(row.last_used_at),
    credentialVersion: Number(row.credential_version),
  };
}
