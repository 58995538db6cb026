import { LRUCache } from 'lru-cache';
import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { BackendUnavailableError, DomainError, UnauthenticatedError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DEFAULT_TENANT_ID } from '../persistence/models';
import { ServiceUsersPort, TokensPort, UsersPort, type ServiceUser, type User, type UserRole } from '../persistence/ports';
import { AUTH_SECRETS, NO_AUTH_ADMIN_ID, ROOT_USER_ID, type AuthSecrets } from './auth.tokens';
import { TooManyAttemptsException, type AuthSession } from './auth-session';
import { serviceUserIdOfApiKey, tokenDigest, verifySecret } from './credentials';
import { signToken, TokenVerificationError, verifyToken, type TokenClaims } from './jwt';
import { lowerRole } from './roles';
import { AttemptThrottle, throttleKeysOf, type CredentialAttempt } from './throttle';
import { VerifiedApiKeys } from './verified-api-keys';

export type { CredentialAttempt } from './throttle';

/** Verified bearer tokens remembered (the oldest is forgotten first); beyond it, tokens are checked again. */
const VERIFIED_TOKENS_KEPT = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RequestCredentials {
  authorization?: string;
  apiKey?: string;
  /** `X-Pangolin-Tenant`: honoured for root only. */
  tenantHeader?: string;
  sourceAddress: string;
}

export interface Authenticated {
  principal: Principal;
  session: AuthSession;
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
  expiresAt: Date;
}

/**
 * Turns a request's credentials into a Principal (contract management §4.2, §4.3, with the fixes of §9):
 * bearer JWTs (checked against the revocation list and against the current state of their subject on every
 * request), root's HTTP Basic credential, and service users' `X-API-Key`. Fails closed: when the identity
 * store cannot answer, the request is refused (503), never let through. Also issues tokens.
 */
@Injectable()
export class AuthenticationService {
  /**
   * Failed credential checks per (account, source address) pair / per source address (login, Basic, API
   * keys, OAuth); see throttleKeysOf.
   */
  private readonly accountThrottle: AttemptThrottle;
  private readonly addressThrottle: AttemptThrottle;
  private readonly verifiedApiKeys = new VerifiedApiKeys();
  /**
   * Claims of recently verified bearer tokens, keyed by the whole token: a token's signature and claims never
   * change, and checking them (HMAC, decoding, parsing) was the largest part of authenticating a request.
   * Expiry, revocation and the subject's state are still checked on every request.
   */
  private readonly verifiedTokens = new LRUCache<string, Readonly<TokenClaims>>({ max: VERIFIED_TOKENS_KEPT });

  constructor(
    private readonly users: UsersPort,
    private readonly tokens: TokensPort,
    private readonly serviceUsers: ServiceUsersPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_SECRETS) private readonly secrets: AuthSecrets,
  ) {
    const windowMs = config.auth.rateLimitWindowSeconds * 1000;
    this.accountThrottle = new AttemptThrottle(config.auth.rateLimitAttempts, windowMs);
    this.addressThrottle = new AttemptThrottle(config.auth.rateLimitAttemptsPerAddress, windowMs);
  }

  /** The principal of a credential-less request in NO-AUTH mode: the default tenant's admin. */
  noAuthPrincipal(): Authenticated {
    return {
      principal: { tenantId: DEFAULT_TENANT_ID, userId: NO_AUTH_ADMIN_ID, username: this.config.auth.adminUser, role: 'tenant-admin' },
      session: { method: 'no-auth', subjectKind: 'user', homeTenantId: DEFAULT_TENANT_ID },
    };
  }

  /** Authenticates the supplied credentials, or returns null when the request carries none. */
  async authenticate(credentials: RequestCredentials): Promise<Authenticated | null> {
    const { authorization, apiKey } = credentials;
    if (authorization === undefined && apiKey === undefined) return null;
    let result: Authenticated;
    if (apiKey !== undefined && authorization === undefined) {
      result = await this.authenticateApiKey(apiKey, credentials.sourceAddress);
    } else if (authorization !== undefined && /^Bearer /i.test(authorization)) {
      result = await this.authenticateBearer(authorization.slice(7).trim());
    } else if (authorization !== undefined && /^Basic /i.test(authorization)) {
      result = await this.authenticateBasic(authorization.slice(6).trim(), credentials.sourceAddress);
    } else {
      throw new UnauthenticatedError('Missing or invalid authorization header');
    }
    if (result.principal.role === 'root' && credentials.tenantHeader && UUID.test(credentials.tenantHeader.trim())) {
      result.principal.tenantId = credentials.tenantHeader.trim().toLowerCase();
    }
    return result;
  }

  private async authenticateBearer(token: string): Promise<Authenticated> {
    let claims: Readonly<TokenClaims>;
    try {
      claims = await this.verifiedClaims(token);
    } catch (error) {
      if (error instanceof TokenVerificationError && error.failure === 'expired') {
        throw new UnauthenticatedError('Token expired');
      }
      throw new UnauthenticatedError('Invalid token');
    }
    const [revoked, subject] = await failClosed(() =>
      Promise.all([
        this.tokens.isTokenRevoked(claims.jti),
        claims.svc
          ? this.serviceUsers.getServiceUserForAuthentication(claims.sub)
          : this.users.getUser(claims.role === 'root' ? null : claims.tenant_id, claims.sub),
      ]),
    );
    if (revoked) throw new UnauthenticatedError('Token has been revoked');
    if (!subject || !subject.active) throw new UnauthenticatedError('Invalid token: the account is not active');
    const role = this.currentRole(claims, subject);
    // A password change or key rotation raised the version: every token issued before it is over.
    if ((claims.cv ?? 0) !== subject.credentialVersion) {
      throw new UnauthenticatedError('Token has been revoked: the credentials changed');
    }
    return {
      principal: { tenantId: claims.tenant_id ?? DEFAULT_TENANT_ID, userId: claims.sub, username: claims.username, role },
      session: {
        method: 'token',
        subjectKind: claims.svc ? 'service-user' : 'user',
        tokenId: claims.jti,
        tokenExpiresAt: new Date(claims.exp * 1000),
        homeTenantId: claims.tenant_id,
        credentialVersion: subject.credentialVersion,
      },
    };
  }

  /** The token's claims, verified once per token (see verifiedTokens); throws TokenVerificationError. */
  private async verifiedClaims(token: string): Promise<Readonly<TokenClaims>> {
    const now = nowSeconds();
    const known = this.verifiedTokens.get(token);
    if (known === undefined) {
      const claims = Object.freeze(await verifyToken(token, this.secrets.jwtSecret, now));
      this.verifiedTokens.set(token, claims);
      return claims;
    }
    // The check verifyToken ends with, the only one whose answer changes over time.
    if (now >= known.exp) {
      this.verifiedTokens.delete(token);
      throw new TokenVerificationError('expired');
    }
    return known;
  }

  /**
   * The role a token of an active subject may still exercise: its claim, capped by the subject's current
   * role, and nothing at all once the subject has expired or moved to another tenant.
   */
  private currentRole(claims: TokenClaims, subject: User | ServiceUser): UserRole {
    if (claims.svc) {
      const serviceUser = subject as ServiceUser;
      if (serviceUser.tenantId !== claims.tenant_id) throw new UnauthenticatedError('Invalid token');
      if (serviceUser.expiresAt && serviceUser.expiresAt.getTime() <= Date.now()) {
        throw new UnauthenticatedError('Invalid token: the service user has expired');
      }
    } else if ((subject as User).role !== 'root' && (subject as User).tenantId !== claims.tenant_id) {
      throw new UnauthenticatedError('Invalid token');
    }
    if (claims.role === 'root' && subject.role !== 'root') throw new UnauthenticatedError('Invalid token');
    return lowerRole(claims.role, subject.role);
  }

  private async authenticateBasic(encoded: string, sourceAddress: string): Promise<Authenticated> {
    const decoded = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    const attempt = { address: sourceAddress, account: 'root' };
    this.assertNotThrottled(attempt);
    if (username !== this.secrets.rootUser || !constantTimeEquals(password, this.secrets.rootPassword)) {
      this.recordFailure(attempt);
      throw new UnauthenticatedError('Invalid credentials');
    }
    return {
      principal: { tenantId: DEFAULT_TENANT_ID, userId: ROOT_USER_ID, username: this.secrets.rootUser, role: 'root' },
      session: { method: 'basic-root', subjectKind: 'user', homeTenantId: null },
    };
  }

  private async authenticateApiKey(apiKey: string, sourceAddress: string): Promise<Authenticated> {
    const serviceUser = await this.verifyServiceUserSecret(serviceUserIdOfApiKey(apiKey.trim()), apiKey.trim(), sourceAddress);
    return {
      principal: {
        tenantId: serviceUser.tenantId,
        userId: serviceUser.id,
        username: serviceUser.name,
        role: serviceUser.role,
      },
      session: {
        method: 'api-key',
        subjectKind: 'service-user',
        homeTenantId: serviceUser.tenantId,
        credentialVersion: serviceUser.credentialVersion,
      },
    };
  }

  /**
   * Checks a service user's secret (an API key, also the OAuth `client_secret`): the id must name an active,
   * unexpired service user whose key hash matches. Every failure has the same message, so a caller cannot
   * tell a wrong id from a wrong key. The secret is checked before the throttle: a valid key (190 random
   * bits, not guessable) is never refused because other requests from its address failed; only failures
   * count, and a failure over the limit is answered 429.
   */
  async verifyServiceUserSecret(id: string | null, secret: string, sourceAddress: string): Promise<ServiceUser> {
    const attempt = { address: sourceAddress, account: `client:${id ?? 'malformed'}` };
    const fail = (message: string): never => {
      this.assertNotThrottled(attempt);
      this.recordFailure(attempt);
      throw new UnauthenticatedError(message);
    };
    if (id === null || !UUID.test(id)) return fail('Invalid API key');
    const serviceUser = await failClosed(() => this.serviceUsers.getServiceUserForAuthentication(id.toLowerCase()));
    if (!serviceUser) return fail('Invalid API key');
    const valid = this.verifiedApiKeys.isVerified(secret, serviceUser.apiKeyHash) || (await verifySecret(secret, serviceUser.apiKeyHash));
    if (!valid) return fail('Invalid API key');
    this.verifiedApiKeys.remember(secret, serviceUser.apiKeyHash);
    if (!serviceUser.active || (serviceUser.expiresAt !== null && serviceUser.expiresAt.getTime() <= Date.now())) {
      return fail('Client is inactive or expired');
    }
    return serviceUser;
  }

  /** 429 while the account (from this address) or the address has used up its failed attempts in the window. */
  assertNotThrottled(attempt: CredentialAttempt): void {
    const keys = throttleKeysOf(attempt);
    const wait = Math.max(
      this.accountThrottle.retryAfterSeconds([keys.accountAtAddress]),
      this.addressThrottle.retryAfterSeconds([keys.address]),
    );
    if (wait > 0) throw new TooManyAttemptsException(wait);
  }

  recordFailure(attempt: CredentialAttempt): void {
    const keys = throttleKeysOf(attempt);
    this.accountThrottle.recordFailure([keys.accountAtAddress]);
    this.addressThrottle.recordFailure([keys.address]);
  }

  /** After a success the account's failures from that address are forgotten (the address's are not). */
  recordSuccess(attempt: CredentialAttempt): void {
    this.accountThrottle.reset(throttleKeysOf(attempt).accountAtAddress);
  }

  /** Signs a token for a subject and, for users, records it in `active_tokens`. */
  async issueToken(input: {
    subjectId: string;
    username: string;
    tenantId: string | null;
    role: UserRole;
    lifetimeSeconds: number;
    /** The subject's current credential version: the token ends when it is raised. */
    credentialVersion: number;
    serviceUser?: boolean;
    /** Record in active_tokens (users only: the table's rows reference users). */
    record: boolean;
  }): Promise<IssuedToken> {
    const iat = nowSeconds();
    const claims: TokenClaims = {
      sub: input.subjectId,
      jti: randomUUID(),
      username: input.username,
      tenant_id: input.tenantId,
      role: input.role,
      iat,
      exp: iat + input.lifetimeSeconds,
      ...(input.serviceUser ? { svc: true } : {}),
      cv: input.credentialVersion,
    };
    const token = await signToken(claims, this.secrets.jwtSecret);
    const expiresAt = new Date(claims.exp * 1000);
    if (input.record) {
      await this.tokens.recordToken({
        tokenId: claims.jti,
        userId: input.subjectId,
        tenantId: input.role === 'root' ? null : input.tenantId,
        tokenHash: tokenDigest(token),
        expiresAt,
        createdAt: new Date(iat * 1000),
      });
    }
    return { token, claims, expiresAt };
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function constantTimeEquals(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** Runs an identity-store lookup of the authentication path: any failure refuses the request (503). */
async function failClosed<T>(lookup: () => Promise<T>): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'backend-unavailable') throw error;
    const refused = new BackendUnavailableError('The credential could not be verified: the identity store did not answer');
    Object.defineProperty(refused, 'cause', { value: error, enumerable: false });
    throw refused;
  }
}
