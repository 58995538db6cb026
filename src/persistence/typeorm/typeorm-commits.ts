import { AlreadyExistsError } from '../../common/errors';
import type { Commit } from '../models';
import { CommitsPort } from '../ports';
import { CommitEntity } from './entities';
import { commitEntity, commitFromRow, CommitRow, toCommit } from './mappers';
import type { SqlDatabase } from './sql-database';

/** Rows per INSERT when importing history (keeps every statement under SQLite's bound-parameter limit). */
const IMPORT_CHUNK = 500;

export class TypeormCommits extends CommitsPort {
  constructor(private readonly db: SqlDatabase) {
    super();
  }

  async getCommit(tenantId: string, id: string): Promise<Commit | null> {
    const row = await this.db.read((s) => s.repo(CommitEntity).findOneBy({ tenantId, id }));
    return row ? toCommit(row) : null;
  }

  /**
   * ONE recursive query: start at the head, follow parent_id through the primary key, carry the depth, stop
   * at `limit` commits (which also ends a cycle), order by depth. A missing parent simply ends the chain.
   */
  async getCommitAncestry(tenantId: string, headCommitId: string | null, limit: number): Promise<Commit[]> {
    if (headCommitId === null || limit <= 0) return [];
    const rows = await this.db.read((s) =>
      s.rows<CommitRow>(
        `WITH RECURSIVE ancestry (tenant_id, id, parent_id, committed_at, author, message, operations, depth) AS (
           SELECT tenant_id, id, parent_id, committed_at, author, message, operations, 0
           FROM commits WHERE tenant_id = $1 AND id = $2
           UNION ALL
           SELECT c.tenant_id, c.id, c.parent_id, c.committed_at, c.author, c.message, c.operations, a.depth + 1
           FROM ancestry a JOIN commits c ON c.tenant_id = $1 AND c.id = a.parent_id
           WHERE a.depth + 1 < CAST($3 AS integer)
         )
         SELECT tenant_id, id, parent_id, committed_at, author, message, operations, depth
         FROM ancestry ORDER BY depth LIMIT CAST($3 AS integer)`,
        [tenantId, headCommitId, limit],
      ),
    );
    return rows.map(commitFromRow);
  }

  async importCommits(tenantId: string, commits: Commit[]): Promise<void> {
    if (commits.length === 0) return;
    const ids = commits.map((c) => c.id);
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new AlreadyExistsError('commit', id);
      seen.add(id);
    }
    await this.db.write(async (s) => {
      const existing = await s.rows<{ id: string }>(
        `SELECT id FROM commits WHERE tenant_id = $1 AND id IN (${s.jsonStrings(2)}) LIMIT 1`,
        [tenantId, JSON.stringify(ids)],
      );
      if (existing.length > 0) throw new AlreadyExistsError('commit', existing[0].id);
      for (let i = 0; i < commits.length; i += IMPORT_CHUNK) {
        const chunk = commits.slice(i, i + IMPORT_CHUNK).map((c) => commitEntity({ ...c, tenantId }));
        await s.repo(CommitEntity).insert(chunk);
      }
    });
  }
}
