import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { Pagination } from '../persistence/models';
import { TenantsPort } from '../persistence/ports';
import { UsersPort, type User, type UserPatch } from '../persistence/ports';
import { ROOT_USER_ID } from './auth.tokens';
import type { AuthSession } from './auth-session';
import { AuthenticationService, type CredentialAttempt, type IssuedToken } from './authentication.service';
import { decoyHash, hashSecret, validateNewPassword, verifySecret } from './credentials';
import { isAdminRole, parseRoleName } from './roles';

export interface UpdateUserInput {
  email?: string | null;
  password?: string | null;
  /** Required when the caller changes its own password. */
  currentPassword?: string | null;
  active?: boolean | null;
}

/** The throttle account of a user's password: login and the current-password check of a change share it. */
function passwordAttempt(tenantId: string | null, username: string, sourceAddress: string): CredentialAttempt {
  return { address: sourceAddress, account: `user:${tenantId ?? 'root'}/${username}` };
}

export interface CreateUserInput {
  username: string;
  email: string;
  password?: string | null;
  tenantId?: string | null;
  role: string;
}

/**
 * Login and user management (contract management §4.9, with the §9 fixes: inactive users cannot log in,
 * `last_login` is kept, a tenant user creates nobody, an admin acts in its own tenant only).
 */
@Injectable()
export class UsersService {
  private decoy: string | undefined;

  constructor(
    private readonly users: UsersPort,
    private readonly tenants: TenantsPort,
    private readonly authentication: AuthenticationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Password login. Every failure is the same 401 `Invalid credentials` (unknown user, wrong password, no
   * password, wrong tenant), checked at the same bcrypt cost, so accounts cannot be probed; failures are
   * throttled per source address and per account.
   */
  async login(
    input: { username: string; password: string; tenantId: string | null },
    sourceAddress: string,
  ): Promise<{ user: User; issued: IssuedToken }> {
    const attempt = passwordAttempt(input.tenantId, input.username, sourceAddress);
    this.authentication.assertNotThrottled(attempt);
    const user = await this.users.findUserByUsername(input.tenantId, input.username);
    const valid = await verifySecret(input.password, user?.passwordHash ?? this.decoyHash());
    if (!user || user.passwordHash === null || !valid) {
      this.authentication.recordFailure(attempt);
      throw new UnauthenticatedError('Invalid credentials');
    }
    if (!user.active) throw new UnauthenticatedError('Account is disabled');
    this.authentication.recordSuccess(attempt);
    const issued = await this.authentication.issueToken({
      subjectId: user.id,
      username: user.username,
      tenantId: user.tenantId,
      role: user.role,
      lifetimeSeconds: this.config.auth.sessionTtlSeconds,
      credentialVersion: user.credentialVersion,
      record: true,
    });
    const now = new Date();
    const updated = await this.users.updateUser(user.tenantId, user.id, { lastLoginAt: now }, now);
    return { user: updated, issued };
  }

  private decoyHash(): string {
    this.decoy ??= decoyHash(this.config.auth.bcryptRounds);
    return this.decoy;
  }

  /** The caller as a stored user; a service user or a missing row is synthesised from the session. */
  async me(principal: Principal, session: AuthSession): Promise<User> {
    if (session.subjectKind === 'user') {
      const stored = await this.users.getUser(principal.role === 'root' ? null : session.homeTenantId, principal.userId);
      if (stored) return stored;
    }
    const now = new Date();
    return {
      id: principal.userId,
      tenantId: principal.role === 'root' ? null : principal.tenantId,
      username: principal.username,
      email: principal.role === 'root' ? 'root@pangolin.local' : null,
      passwordHash: null,
      oauthProvider: null,
      role: principal.role,
      active: true,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: now,
      credentialVersion: session.credentialVersion ?? 0,
    };
  }

  async create(principal: Principal, input: CreateUserInput): Promise<User> {
    const role = parseRoleName(input.role);
    if (role === 'root') throw new ForbiddenError('Cannot create another Root user');
    const tenantId = (input.tenantId ?? principal.tenantId).toLowerCase();
    if (principal.role !== 'root' && tenantId !== principal.tenantId) {
      throw new ForbiddenError('Cannot create user for another tenant');
    }
    if (!(await this.tenants.getTenant(tenantId))) throw new NotFoundError('tenant', tenantId, 'Tenant not found');
    if (!input.password) throw new ValidationError(`${role === 'tenant-admin' ? 'Tenant admin' : 'Tenant user'} requires password`);
    validateNewPassword(input.password);
    validateUsername(input.username);
    const now = new Date();
    return this.users.createUser({
      id: randomUUID(),
      tenantId,
      username: input.username,
      email: input.email,
      passwordHash: await hashSecret(input.password, this.config.auth.bcryptRounds),
      oauthProvider: null,
      role,
      active: true,
      createdAt: now,
      updatedAt: now,
      lastLoginAt: null,
      credentialVersion: 0,
    });
  }

  list(principal: Principal, page: Pagination): Promise<User[]> {
    return this.users.listUsers(principal.tenantId, page);
  }

  async get(principal: Principal, id: string): Promise<User> {
    this.assertSelfOrAdmin(principal, id, 'Cannot view other users');
    return this.find(principal, id);
  }

  /**
   * Updates a user. A password change raises the user's credential version, which ends every token issued
   * before it, the caller's own included when it changes its own password (the client logs in again). A
   * caller changing its own password must send the current one: a stolen session alone cannot take over
   * the account. Wrong current passwords are throttled like failed logins.
   */
  async update(principal: Principal, id: string, input: UpdateUserInput, sourceAddress: string): Promise<User> {
    this.assertSelfOrAdmin(principal, id, 'Cannot update other users');
    const user = await this.find(principal, id);
    const patch: UserPatch = {};
    if (input.email !== undefined && input.email !== null) patch.email = input.email;
    if (input.active !== undefined && input.active !== null) {
      if (!isAdminRole(principal.role)) throw new ForbiddenError('Only admins can change user status');
      if (id === principal.userId && input.active === false) throw new ValidationError('Cannot deactivate yourself');
      patch.active = input.active;
    }
    if (input.password !== undefined && input.password !== null) {
      if (user.id === ROOT_USER_ID) {
        throw new ValidationError('The root password is set with PANGOLIN_ROOT_PASSWORD (or the generated secrets file)');
      }
      validateNewPassword(input.password);
      if (user.id === principal.userId) await this.verifyCurrentPassword(user, input.currentPassword, sourceAddress);
      patch.passwordHash = await hashSecret(input.password, this.config.auth.bcryptRounds);
      patch.bumpCredentialVersion = true;
    }
    return this.users.updateUser(user.tenantId, id, patch, new Date());
  }

  private async verifyCurrentPassword(
    user: User,
    currentPassword: string | null | undefined,
    sourceAddress: string,
  ): Promise<void> {
    if (typeof currentPassword !== 'string' || currentPassword === '') {
      throw new ValidationError('current_password is required to change your own password');
    }
    const attempt = passwordAttempt(user.tenantId, user.username, sourceAddress);
    this.authentication.assertNotThrottled(attempt);
    if (!(await verifySecret(currentPassword, user.passwordHash ?? this.decoyHash()))) {
      this.authentication.recordFailure(attempt);
      throw new UnauthenticatedError('Invalid credentials');
    }
  }

  async delete(principal: Principal, id: string): Promise<void> {
    if (id === principal.userId) throw new ValidationError('Cannot delete yourself');
    const user = await this.find(principal, id);
    if (user.role === 'root') throw new ForbiddenError('The root user cannot be deleted');
    await this.users.deleteUser(user.tenantId, id);
  }

  private assertSelfOrAdmin(principal: Principal, id: string, message: string): void {
    if (id !== principal.userId && !isAdminRole(principal.role)) throw new ForbiddenError(message);
  }

  /** A user of the effective tenant (root also finds itself in the root space). */
  private async find(principal: Principal, id: string): Promise<User> {
    const user =
      (await this.users.getUser(principal.tenantId, id)) ??
      (principal.role === 'root' && id === principal.userId ? await this.users.getUser(null, id) : null);
    if (!user) throw new NotFoundError('user', id, 'User not found');
    return user;
  }
}

function validateUsername(username: string): void {
  if (username.trim() === '' || username.length > 255 || /[\u0000-\u001f\u007f]/.test(username)) {
    throw new ValidationError('The username must be 1 to 255 characters without control characters');
  }
}

