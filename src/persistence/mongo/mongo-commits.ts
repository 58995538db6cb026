import { AlreadyExistsError } from '../../common/errors';
import type { Commit } from '../models';
import { CommitsPort } from '../ports';
import { commitFromDoc, commitToDoc } from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import { COLLECTIONS, type CommitDoc } from './mongo-schemas';

export class MongoCommits extends CommitsPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  getCommit(tenantId: string, id: string): Promise<Commit | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.commits.findOne({ tenantId, id }).lean<CommitDoc>();
      return doc ? commitFromDoc(doc) : null;
    });
  }

  /**
   * ONE aggregation: `$graphLookup` collects the head (depth 0, because the walk starts from the head's own
   * id) and its ancestors up to depth `limit - 1`, never leaving the tenant. `$graphLookup` returns its
   * matches in no particular order, so they are unwound and sorted by depth: head first, then parent, ...
   */
  getCommitAncestry(tenantId: string, headCommitId: string | null, limit: number): Promise<Commit[]> {
    if (headCommitId === null || limit <= 0) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.commits.aggregate<CommitDoc>([
        { $match: { tenantId, id: headCommitId } },
        { $limit: 1 },
        {
          $graphLookup: {
            from: COLLECTIONS.commits,
            startWith: '$id',
            connectFromField: 'parentId',
            connectToField: 'id',
            as: 'ancestry',
            maxDepth: limit - 1,
            depthField: 'depth',
            restrictSearchWithMatch: { tenantId },
          },
        },
        { $project: { _id: 0, ancestry: 1 } },
        { $unwind: '$ancestry' },
        { $replaceRoot: { newRoot: '$ancestry' } },
        { $sort: { depth: 1 } },
        { $limit: limit },
        { $project: { _id: 0, depth: 0 } },
      ]);
      return docs.map(commitFromDoc);
    });
  }

  async importCommits(tenantId: string, commits: Commit[]): Promise<void> {
    if (commits.length === 0) return;
    const { commits: collection } = this.ctx.models;
    const ids = commits.map((commit) => commit.id);
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) throw new AlreadyExistsError('commit', id);
      seen.add(id);
    }
    await this.ctx.transactions.run(
      async (session) => {
        const existing = await collection.findOne({ tenantId, id: { $in: ids } }, { id: 1 }).session(session).lean<{ id: string }>();
        if (existing) throw new AlreadyExistsError('commit', existing.id);
        await collection.insertMany(
          commits.map((commit) => commitToDoc({ ...commit, tenantId })),
          { session, ordered: true },
        );
      },
      { onDuplicateKey: () => new AlreadyExistsError('commit', ids.join(', ')) },
    );
  }
}
