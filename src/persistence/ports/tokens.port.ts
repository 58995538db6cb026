import type { Pagination } from '../models';

/**
 * Tokens minted by the server and the revocation list (contract management §4.10). Tokens are stored as
 * SHA-256 digests, never in clear. Conventions as in users.port.ts.
 */

/** A token minted by the server (its JWT `jti`), listed until it expires or is revoked. */
export interface ActiveToken {
  tokenId: string;
  userId: string;
  /** Tenant of the token's user (null for root). */
  tenantId: string | null;
  /** SHA-256 hex digest of the token text; the token itself is never stored. */
  tokenHash: string;
  expiresAt: Date;
  createdAt: Date;
}

/** An active token with the username of its user, as the token lists show it. */
export interface ActiveTokenWithUser extends ActiveToken {
  username: string;
}

export interface RevokedToken {
  tokenId: string;
  tenantId: string | null;
  revokedAt: Date;
  /** When the token would have expired anyway; afterwards the row can be cleaned up. */
  expiresAt: Date;
  reason: string | null;
}

/**
 * Active and revoked tokens, tenant-scoped (`null` = the root space). `isTokenRevoked` is deliberately
 * unscoped: it runs before any tenant is known, and a token id is a random UUID.
 */
export abstract class TokensPort {
  /** Records a minted token. Throws NotFoundError('user') when its user does not exist. */
  abstract recordToken(token: ActiveToken): Promise<void>;

  /** The active (recorded, not revoked) token with this id in the tenant, or null. */
  abstract getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null>;

  /**
   * The tenant's recorded tokens that expire after `now`, optionally only those of one user, ordered by
   * creation (oldest first), then id; paginated.
   */
  abstract listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]>;

  /**
   * Revokes a token id: atomically records it in the revocation list and removes it from the active tokens.
   * Idempotent: revoking a revoked id keeps the first record.
   */
  abstract revokeToken(revoked: RevokedToken): Promise<void>;

  /** True when the token id is on the revocation list. Unscoped (see the class comment). */
  abstract isTokenRevoked(tokenId: string): Promise<boolean>;

  /**
   * Deletes active and revoked token rows that expired at or before `now`, in one tenant (`null`: the root
   * space) or in every tenant (`'all-tenants'`). Returns how many rows were deleted.
   */
  abstract deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number>;
}
