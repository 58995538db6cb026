import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { applyUserPatch, UsersPort, type User, type UserPatch } from '../../ports';
import type { SqlDatabase } from '../sql-database';
import { bool, millis, sameTenant, toUser } from './typeorm-identity-rows';

/**
 * Users on SQLite and PostgreSQL. The null tenant (root space) is compared null-safely. Deleting a user
 * cascades to its tokens and assignments through the foreign keys; its direct grants have no foreign key (a
 * grant names a user or a service user), so they are deleted here, in the same transaction.
 */
export class TypeormUsers extends UsersPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async createUser(user: User): Promise<User> {
    return this.db.write(
      async (s) => {
        const taken = await s.rows(
          `SELECT 1 AS taken FROM users WHERE id = $1 OR (${sameTenant(s, 'tenant_id', 2)} AND username = $3)`,
          [user.id, user.tenantId, user.username],
        );
        if (taken.length > 0) throw new AlreadyExistsError('user', user.username);
        await s.run(
          `INSERT INTO users (id, tenant_id, username, email, password_hash, oauth_provider, oauth_subject, role, active,
             created_at, updated_at, last_login_at, credential_version)
           VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12)`,
          [
            user.id,
            user.tenantId,
            user.username,
            user.email,
            user.passwordHash,
            user.oauthProvider,
            user.role,
            bool(s, user.active),
            user.createdAt.getTime(),
            user.updatedAt.getTime(),
            millis(user.lastLoginAt),
            user.credentialVersion,
          ],
        );
        return { ...user };
      },
      { user: user.username },
    );
  }

  async getUser(tenantId: string | null, id: string): Promise<User | null> {
    const rows = await this.db.read((s) =>
      s.rows(`SELECT * FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [id, tenantId]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    const rows = await this.db.read((s) =>
      s.rows(`SELECT * FROM users WHERE username = $1 AND ${sameTenant(s, 'tenant_id', 2)} ORDER BY id LIMIT 1`, [
        username,
        tenantId,
      ]),
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    if (page?.limit === 0) return [];
    const rows = await this.db.read((s) => {
      const params: unknown[] = [tenantId];
      return s.rows(`SELECT * FROM users WHERE tenant_id = $1 ORDER BY username, id${s.paginate(page, params)}`, params);
    });
    return rows.map(toUser);
  }

  async updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.db.write(async (s) => {
      const rows = await s.rows(`SELECT * FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}${s.forUpdate}`, [
        id,
        tenantId,
      ]);
      if (!rows[0]) throw new NotFoundError('user', id, 'User not found');
      const updated: User = { ...applyUserPatch(toUser(rows[0]), patch), updatedAt: now };
      await s.run(
        `UPDATE users SET email = $2, password_hash = $3, active = $4, last_login_at = $5, updated_at = $6,
           credential_version = $7 WHERE id = $1`,
        [
          id,
          updated.email,
          updated.passwordHash,
          bool(s, updated.active),
          millis(updated.lastLoginAt),
          now.getTime(),
          updated.credentialVersion,
        ],
      );
      return updated;
    });
  }

  async deleteUser(tenantId: string | null, id: string): Promise<void> {
    await this.db.write(async (s) => {
      const deleted = await s.run(`DELETE FROM users WHERE id = $1 AND ${sameTenant(s, 'tenant_id', 2)}`, [id, tenantId]);
      if (deleted === 0) throw new NotFoundError('user', id, 'User not found');
      await s.run('DELETE FROM permissions WHERE user_id = $1', [id]);
    });
  }
}
