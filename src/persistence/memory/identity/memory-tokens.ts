import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { TokensPort, type ActiveToken, type ActiveTokenWithUser, type RevokedToken } from '../../ports';
import { copy, paginate } from '../memory-state';
import { byTimeThenId, space, type MemoryIdentityState } from './memory-identity-state';

/** Active and revoked tokens in process memory. */
export class MemoryTokens extends TokensPort {
  constructor(private readonly state: MemoryIdentityState) {
    super();
  }

  recordToken(token: ActiveToken): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.userIn(token.tenantId, token.userId)) throw new NotFoundError('user', token.userId, 'User not found');
      if (this.state.activeTokens.has(token.tokenId) || this.state.revokedTokens.has(token.tokenId)) {
        throw new AlreadyExistsError('token', token.tokenId);
      }
      this.state.activeTokens.set(token.tokenId, copy(token));
    });
  }

  async getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null> {
    const token = this.state.activeTokens.get(tokenId);
    if (!token || space(token.tenantId) !== space(tenantId)) return null;
    return this.withUser(token);
  }

  async listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]> {
    const rows = [...this.state.activeTokens.values()].filter(
      (t) =>
        space(t.tenantId) === space(tenantId) &&
        (filter.userId === undefined || t.userId === filter.userId) &&
        t.expiresAt.getTime() > now.getTime(),
    );
    rows.sort(byTimeThenId<ActiveToken>((t) => t.createdAt, (t) => t.tokenId));
    return paginate(rows, page).map((t) => this.withUser(t));
  }

  private withUser(token: ActiveToken): ActiveTokenWithUser {
    return { ...copy(token), username: this.state.users.get(token.userId)?.username ?? 'unknown' };
  }

  revokeToken(revoked: RevokedToken): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.revokedTokens.has(revoked.tokenId)) this.state.revokedTokens.set(revoked.tokenId, copy(revoked));
      this.state.activeTokens.delete(revoked.tokenId);
    });
  }

  async isTokenRevoked(tokenId: string): Promise<boolean> {
    return this.state.revokedTokens.has(tokenId);
  }

  deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.state.exclusive(() => {
      const inScope = (tenantId: string | null) => scope === 'all-tenants' || space(tenantId) === space(scope.tenantId);
      let deleted = 0;
      const tables = [this.state.activeTokens, this.state.revokedTokens] as Map<string, ActiveToken | RevokedToken>[];
      for (const table of tables) {
        for (const [id, row] of table) {
          if (inScope(row.tenantId) && row.expiresAt.getTime() <= now.getTime()) {
            table.delete(id);
            deleted++;
          }
        }
      }
      return deleted;
    });
  }
}
