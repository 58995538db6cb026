import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';
import { bigintNumber, jsonText } from './column-transformers';

/**
 * Identity tables (users, tokens, roles, grants, service users), created by the initial migration for the
 * auth module. Instants are epoch milliseconds; tokens and API keys are stored as hashes only.
 */

@Entity({ name: 'users' })
@Unique('uq_users_username', ['username'])
export class UserEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  /** Null for the root user, which belongs to no tenant. */
  @Column({ name: 'tenant_id', type: 'text', nullable: true }) tenantId: string | null;
  @Column({ type: 'text' }) username: string;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ name: 'password_hash', type: 'text', nullable: true }) passwordHash: string | null;
  @Column({ name: 'oauth_provider', type: 'text', nullable: true }) oauthProvider: string | null;
  @Column({ name: 'oauth_subject', type: 'text', nullable: true }) oauthSubject: string | null;
  @Column({ type: 'text' }) role: string;
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt: number;
  @Column({ name: 'last_login_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  lastLoginAt: number | null;
  /** Raised by every password change; tokens of an older version no longer authenticate. */
  @Column({ name: 'credential_version', type: 'integer', default: 0 }) credentialVersion: number;
}

/** A token minted by the token endpoints (the JWT `jti`), listed until it expires or is revoked. */
@Entity({ name: 'active_tokens' })
export class ActiveTokenEntity {
  @PrimaryColumn({ name: 'token_id', type: 'text' }) tokenId: string;
  @Column({ name: 'user_id', type: 'text' }) userId: string;
  @Column({ name: 'tenant_id', type: 'text', nullable: true }) tenantId: string | null;
  @Column({ name: 'token_hash', type: 'text' }) tokenHash: string;
  @Column({ name: 'expires_at', type: 'bigint', transformer: bigintNumber }) expiresAt: number;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt: number;
}

@Entity({ name: 'revoked_tokens' })
export class RevokedTokenEntity {
  @PrimaryColumn({ name: 'token_id', type: 'text' }) tokenId: string;
  @Column({ name: 'tenant_id', type: 'text', nullable: true }) tenantId: string | null;
  @Column({ name: 'revoked_at', type: 'bigint', transformer: bigintNumber }) revokedAt: number;
  /** After this instant the token is expired anyway and the row can be cleaned up. */
  @Column({ name: 'expires_at', type: 'bigint', transformer: bigintNumber }) expiresAt: number;
  @Column({ type: 'text', nullable: true }) reason: string | null;
}

@Entity({ name: 'roles' })
@Unique('uq_roles_tenant_name', ['tenantId', 'name'])
export class RoleEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  /** JSON array of `{scope, actions}` grants. */
  @Column({ type: 'text', transformer: jsonText }) permissions: unknown[];
  @Column({ name: 'created_by', type: 'text' }) createdBy: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt: number;
  @Column({ name: 'updated_at', type: 'bigint', transformer: bigintNumber }) updatedAt: number;
}

/** A direct grant to a user or a service user (no foreign key: `user_id` names either). */
@Entity({ name: 'permissions' })
export class PermissionEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ name: 'user_id', type: 'text' }) userId: string;
  @Column({ type: 'text', transformer: jsonText }) scope: Record<string, unknown>;
  @Column({ type: 'text', transformer: jsonText }) actions: string[];
  @Column({ name: 'granted_by', type: 'text' }) grantedBy: string;
  @Column({ name: 'granted_at', type: 'bigint', transformer: bigintNumber }) grantedAt: number;
}

@Entity({ name: 'user_roles' })
export class UserRoleEntity {
  @PrimaryColumn({ name: 'user_id', type: 'text' }) userId: string;
  @PrimaryColumn({ name: 'role_id', type: 'text' }) roleId: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ name: 'assigned_by', type: 'text' }) assignedBy: string;
  @Column({ name: 'assigned_at', type: 'bigint', transformer: bigintNumber }) assignedAt: number;
}

@Entity({ name: 'service_users' })
@Unique('uq_service_users_tenant_name', ['tenantId', 'name'])
export class ServiceUserEntity {
  @PrimaryColumn({ type: 'text' }) id: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId: string;
  @Column({ type: 'text' }) name: string;
  @Column({ type: 'text', nullable: true }) description: string | null;
  @Column({ name: 'api_key_hash', type: 'text' }) apiKeyHash: string;
  @Column({ type: 'text' }) role: string;
  @Column({ type: 'boolean' }) active: boolean;
  @Column({ name: 'created_by', type: 'text' }) createdBy: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: bigintNumber }) createdAt: number;
  @Column({ name: 'expires_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  expiresAt: number | null;
  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: bigintNumber })
  lastUsedAt: number | null;
  /** Raised by every key rotation; tokens of an older version no longer authenticate. */
  @Column({ name: 'credential_version', type: 'integer', default: 0 }) credentialVersion: number;
}
