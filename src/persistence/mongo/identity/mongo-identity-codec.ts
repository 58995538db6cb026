import type { Document } from 'mongodb';
import type { Permission, Role, ServiceUser, User } from '../../ports';
import { keyOf, tenantOf } from './mongo-identity-store';

/** Documents of the identity collections: instants as epoch milliseconds, client JSON kept as JSON strings. */

/** The `$inc` that raises the credential version (a document written before versions existed counts as 0). */
export function credentialVersionBump(patch: { bumpCredentialVersion?: boolean }): Document {
  return patch.bumpCredentialVersion ? { $inc: { credentialVersion: 1 } } : {};
}

export function millis(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as number);
}

export function userToDoc(user: User): Document {
  return {
    id: user.id,
    tenantKey: keyOf(user.tenantId),
    username: user.username,
    email: user.email,
    passwordHash: user.passwordHash,
    oauthProvider: user.oauthProvider,
    role: user.role,
    active: user.active,
    createdAt: user.createdAt.getTime(),
    updatedAt: user.updatedAt.getTime(),
    lastLoginAt: millis(user.lastLoginAt),
    credentialVersion: user.credentialVersion,
  };
}

export function userFromDoc(doc: Document): User {
  return {
    id: doc.id,
    tenantId: tenantOf(doc.tenantKey),
    username: doc.username,
    email: doc.email ?? null,
    passwordHash: doc.passwordHash ?? null,
    oauthProvider: doc.oauthProvider ?? null,
    role: doc.role,
    active: Boolean(doc.active),
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
    lastLoginAt: optionalDate(doc.lastLoginAt),
    credentialVersion: doc.credentialVersion ?? 0,
  };
}

export function roleToDoc(role: Role): Document {
  return {
    id: role.id,
    tenantKey: role.tenantId,
    name: role.name,
    description: role.description,
    // Grants are client JSON (scope fields may hold any string): kept as one JSON string.
    permissionsJson: JSON.stringify(role.permissions),
    createdBy: role.createdBy,
    createdAt: role.createdAt.getTime(),
    updatedAt: role.updatedAt.getTime(),
  };
}

export function roleFromDoc(doc: Document): Role {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    name: doc.name,
    description: doc.description ?? null,
    permissions: JSON.parse(doc.permissionsJson),
    createdBy: doc.createdBy,
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
  };
}

export function permissionToDoc(p: Permission): Document {
  return {
    id: p.id,
    tenantKey: p.tenantId,
    userId: p.userId,
    scopeJson: JSON.stringify(p.scope),
    actions: [...p.actions],
    grantedBy: p.grantedBy,
    grantedAt: p.grantedAt.getTime(),
  };
}

export function permissionFromDoc(doc: Document): Permission {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    userId: doc.userId,
    scope: JSON.parse(doc.scopeJson),
    actions: [...doc.actions],
    grantedBy: doc.grantedBy,
    grantedAt: new Date(doc.grantedAt),
  };
}

export function serviceUserToDoc(s: ServiceUser): Document {
  return {
    id: s.id,
    tenantKey: s.tenantId,
    name: s.name,
    description: s.description,
    apiKeyHash: s.apiKeyHash,
    role: s.role,
    active: s.active,
    createdBy: s.createdBy,
    createdAt: s.createdAt.getTime(),
    expiresAt: millis(s.expiresAt),
    lastUsedAt: millis(s.lastUsedAt),
    credentialVersion: s.credentialVersion,
  };
}

export function serviceUserFromDoc(doc: Document): ServiceUser {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    name: doc.name,
    description: doc.description ?? null,
    apiKeyHash: doc.apiKeyHash,
    role: doc.role,
    active: Boolean(doc.active),
    createdBy: doc.createdBy,
    createdAt: new Date(doc.createdAt),
    expiresAt: optionalDate(doc.expiresAt),
    lastUsedAt: optionalDate(doc.lastUsedAt),
    credentialVersion: doc.credentialVersion ?? 0,
  };
}
