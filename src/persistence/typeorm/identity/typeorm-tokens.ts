import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { TokensPort, type ActiveToken, type ActiveTokenWithUser, type RevokedToken } from '../../ports';
import type { SqlDatabase } from '../sql-database';
import { sameTenant, toActiveToken } from './typeorm-identity-rows';

/** Active and revoked tokens on SQLite and PostgreSQL (tables active_tokens, revoked_tokens). */
export class TypeormTokens extends TokensPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async recordToken(token: ActiveToken): Promise<void> {
    await this.db.write(
      async (s) => {
        const owner = await s.rows(`SELECT 1 AS found FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [
          token.userId,
          token.tenantId,
        ]);
        if (owner.length === 0) throw new NotFoundError('user', token.userId, 'User not found');
        const revoked = await s.rows('SELECT 1 AS found FROM revoked_tokens WHERE token_id = $1', [token.tokenId]);
        if (revoked.length > 0) throw new AlreadyExistsError('token', token.tokenId);
        await s.run(
          `INSERT INTO active_tokens (token_id, user_id, tenant_id, token_hash, expires_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [token.tokenId, token.userId, token.tenantId, token.tokenHash, token.expiresAt.getTime(), token.createdAt.getTime()],
        );
      },
      { token: token.tokenId },
    );
  }

  async getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null> {
    const rows = await this.db.read((s) =>
      s.rows(
        `SELECT t.*, u.username FROM active_tokens t LEFT JOIN users u ON u.id = t.user_id
         WHERE t.token_id = $1 AND ${sameTenant(s, 't.tenant_id', 2)}`,
        [tokenId, tenantId],
      ),
    );
    return rows[0] ? toActiveToken(rows[0]) : null;
  }

  async listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId, now.getTime()];
      let where = `${sameTenant(s, 't.tenant_id', 1)} AND t.expires_at > $2`;
      if (filter.userId !== undefined) {
        params.push(filter.userId);
        where += ` AND t.user_id = $${params.length}`;
      }
      return s.rows(
        `SELECT t.*, u.username FROM active_tokens t LEFT JOIN users u ON u.id = t.user_id
         WHERE ${where} ORDER BY t.created_at, t.token_id${s.paginate(page, params)}`,
        params,
      );
    });
    return rows.map(toActiveToken);
  }

  async revokeToken(revoked: RevokedToken): Promise<void> {
    await this.db.write(async (s) => {
      await s.run(
        `INSERT INTO revoked_tokens (token_id, tenant_id, revoked_at, expires_at, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (token_id) DO NOTHING`,
        [revoked.tokenId, revoked.tenantId, revoked.revokedAt.getTime(), revoked.expiresAt.getTime(), revoked.reason],
      );
      await s.run('DELETE FROM active_tokens WHERE token_id = $1', [revoked.tokenId]);
    });
  }

  async isTokenRevoked(tokenId: string): Promise<boolean> {
    const rows = await this.db.read((s) => s.rows('SELECT 1 AS revoked FROM revoked_tokens WHERE token_id = $1', [tokenId]));
    return rows.length > 0;
  }

  async deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.db.write(async (s) => {
      let deleted = 0;
      for (const table of ['active_tokens', 'revoked_tokens']) {
        deleted +=
          scope === 'all-tenants'
            ? await s.run(`DELETE FROM ${table} WHERE expires_at <= $1`, [now.getTime()])
            : await s.run(`DELETE FROM ${table} WHERE expires_at <= $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [
                now.getTime(),
                scope.tenantId,
              ]);
      }
      return deleted;
    });
  }
}
