import { Inject, Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Pagination } from '../persistence/models';
import { TokensPort, UsersPort, type ActiveTokenWithUser, type User } from '../persistence/ports';
import type { AuthSession } from './auth-session';
import { AuthenticationService, type IssuedToken } from './authentication.service';
import { parseRoleName, roleRank } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface GenerateTokenInput {
  tenantId: unknown;
  username?: string | null;
  roles?: unknown;
  expiresInHours?: unknown;
}

/**
 * Token endpoints (contract management §4.9 with the §9 #26, #27, #31, #33 fixes): minting is rank-limited
 * and capped, every minted token is recorded in `active_tokens`, revocation is by `jti`, rotation revokes the
 * old token, and lists never show a token.
 */
@Injectable()
export class TokensService {
  constructor(
    private readonly users: UsersPort,
    private readonly tokens: TokensPort,
    private readonly authentication: AuthenticationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async generate(principal: Principal, session: AuthSession, input: GenerateTokenInput): Promise<IssuedToken> {
    if (typeof input.tenantId !== 'string' || !UUID.test(input.tenantId)) throw new ValidationError('Invalid tenant_id format');
    const tenantId = input.tenantId.toLowerCase();
    if (principal.role !== 'root' && tenantId !== principal.tenantId) {
      throw new ForbiddenError('Cannot mint tokens for another tenant');
    }
    const hours = input.expiresInHours ?? 24;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > this.config.auth.maxTokenHours) {
      throw new ValidationError(`expires_in_hours must be a whole number from 1 to ${this.config.auth.maxTokenHours}`);
    }
    if (input.roles !== undefined && input.roles !== null && (!Array.isArray(input.roles) || input.roles.length === 0)) {
      throw new ValidationError('roles must be a non-empty array');
    }
    const requested = Array.isArray(input.roles) ? parseRoleName(input.roles[0], 'role') : undefined;
    const subject = await this.subjectOf(principal, session, tenantId, input.username ?? undefined);
    const role = requested ?? subject.role;
    if (roleRank(role) > roleRank(principal.role)) throw new ForbiddenError('Cannot mint a token above your own role');
    if (roleRank(role) > roleRank(subject.role)) throw new ForbiddenError("Cannot mint a token above the user's role");
    return this.authentication.issueToken({
      subjectId: subject.id,
      username: subject.username,
      tenantId: subject.role === 'root' ? tenantId : subject.tenantId,
      role,
      lifetimeSeconds: hours * 3600,
      credentialVersion: subject.credentialVersion,
      record: true,
    });
  }

  /** The token's user: the named user of the tenant, or the caller itself. */
  private async subjectOf(principal: Principal, session: AuthSession, tenantId: string, username?: string): Promise<User> {
    if (username !== undefined) {
      const user = await this.users.findUserByUsername(tenantId, username);
      if (!user) throw new NotFoundError('user', username, 'User not found');
      return user;
    }
    if (session.subjectKind !== 'user') throw new ValidationError('username is required: a service user has no user tokens');
    const self = await this.users.getUser(principal.role === 'root' ? null : session.homeTenantId, principal.userId);
    if (!self) throw new NotFoundError('user', principal.userId, 'User not found');
    return self;
  }

  /** A fresh token for the same identity; the presented token is revoked. */
  async rotate(principal: Principal, session: AuthSession): Promise<IssuedToken> {
    if (session.method !== 'token' || !session.tokenId || !session.tokenExpiresAt || session.credentialVersion === undefined) {
      throw new ValidationError('Only a bearer token can be rotated');
    }
    const issued = await this.authentication.issueToken({
      subjectId: principal.userId,
      username: principal.username,
      tenantId: session.homeTenantId,
      role: principal.role,
      lifetimeSeconds: this.config.auth.sessionTtlSeconds,
      // The version the presented token was just checked against: a change since then ends the new one too.
      credentialVersion: session.credentialVersion,
      serviceUser: session.subjectKind === 'service-user',
      record: session.subjectKind === 'user',
    });
    await this.revokeSession(principal, session, 'rotated');
    return issued;
  }

  /** Revokes the caller's own token (logout, `auth/revoke`). Other credentials have nothing to revoke. */
  async revokeSession(principal: Principal, session: AuthSession, reason: string | null): Promise<boolean> {
    if (session.method !== 'token' || !session.tokenId || !session.tokenExpiresAt) return false;
    await this.tokens.revokeToken({
      tokenId: session.tokenId,
      tenantId: principal.role === 'root' ? null : session.homeTenantId,
      revokedAt: new Date(),
      expiresAt: session.tokenExpiresAt,
      reason,
    });
    return true;
  }

  /**
   * Revokes a recorded token of the effective tenant by id (root also its own). An id that is not a token
   * of the tenant is 404: another tenant's token ids are invisible.
   */
  async revokeById(principal: Principal, tokenId: string, reason: string | null): Promise<void> {
    const id = tokenId.toLowerCase();
    const token =
      (await this.tokens.getActiveToken(principal.tenantId, id)) ??
      (principal.role === 'root' ? await this.tokens.getActiveToken(null, id) : null);
    if (!token) throw new NotFoundError('token', id, 'Token not found');
    await this.tokens.revokeToken({ tokenId: id, tenantId: token.tenantId, revokedAt: new Date(), expiresAt: token.expiresAt, reason });
  }

  cleanup(principal: Principal): Promise<number> {
    const scope = principal.role === 'root' ? ('all-tenants' as const) : { tenantId: principal.tenantId };
    return this.tokens.deleteExpiredTokens(scope, new Date());
  }

  listMine(principal: Principal, session: AuthSession, page: Pagination): Promise<ActiveTokenWithUser[]> {
    if (session.subjectKind !== 'user') return Promise.resolve([]);
    const tenantId = principal.role === 'root' ? null : session.homeTenantId;
    return this.tokens.listActiveTokens(tenantId, { userId: principal.userId }, new Date(), page);
  }

  async listForUser(principal: Principal, userId: string, page: Pagination): Promise<ActiveTokenWithUser[]> {
    const user = await this.users.getUser(principal.tenantId, userId);
    if (!user) throw new NotFoundError('user', userId, 'User not found');
    return this.tokens.listActiveTokens(principal.tenantId, { userId }, new Date(), page);
  }
}
