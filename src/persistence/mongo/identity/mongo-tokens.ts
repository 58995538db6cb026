import type { Document, Filter } from 'mongodb';
import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { TokensPort, type ActiveToken, type ActiveTokenWithUser, type RevokedToken } from '../../ports';
import { keyOf, tenantOf, type MongoIdentityStore } from './mongo-identity-store';

/** Active and revoked tokens on MongoDB. */
export class MongoTokens extends TokensPort {
  constructor(private readonly store: MongoIdentityStore) {
    super();
  }

  recordToken(token: ActiveToken): Promise<void> {
    const duplicate = () => new AlreadyExistsError('token', token.tokenId);
    return this.store.run(async () => {
      if (!(await this.store.collection('users').findOne({ id: token.userId, tenantKey: keyOf(token.tenantId) }))) {
        throw new NotFoundError('user', token.userId, 'User not found');
      }
      const tokenId = token.tokenId;
      if (
        (await this.store.collection('revokedTokens').findOne({ tokenId })) ||
        (await this.store.collection('activeTokens').findOne({ tokenId }))
      ) {
        throw duplicate();
      }
      await this.store.collection('activeTokens').insertOne({
        tokenId,
        userId: token.userId,
        tenantKey: keyOf(token.tenantId),
        tokenHash: token.tokenHash,
        expiresAt: token.expiresAt.getTime(),
        createdAt: token.createdAt.getTime(),
      });
    }, duplicate);
  }

  getActiveToken(tenantId: string | null, tokenId: string): Promise<ActiveTokenWithUser | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('activeTokens').findOne({ tokenId, tenantKey: keyOf(tenantId) });
      if (!doc) return null;
      const [withUser] = await this.withUsernames([doc]);
      return withUser;
    });
  }

  listActiveTokens(
    tenantId: string | null,
    filter: { userId?: string },
    now: Date,
    page?: Pagination,
  ): Promise<ActiveTokenWithUser[]> {
    if (page?.limit === 0) return Promise.resolve([]);
    return this.store.run(async () => {
      const query: Filter<Document> = { tenantKey: keyOf(tenantId), expiresAt: { $gt: now.getTime() } };
      if (filter.userId !== undefined) query.userId = filter.userId;
      const docs = await this.store.collection('activeTokens')
        .find(query, { sort: { createdAt: 1, tokenId: 1 }, skip: page?.offset ?? 0, limit: page?.limit ?? 0 })
        .toArray();
      return this.withUsernames(docs);
    });
  }

  private async withUsernames(docs: Document[]): Promise<ActiveTokenWithUser[]> {
    const userIds = [...new Set(docs.map((d) => d.userId as string))];
    const users = await this.store.collection('users')
      .find({ id: { $in: userIds } })
      .toArray();
    const names = new Map(users.map((u) => [u.id as string, u.username as string]));
    return docs.map((d) => ({
      tokenId: d.tokenId,
      userId: d.userId,
      tenantId: tenantOf(d.tenantKey),
      tokenHash: d.tokenHash,
      expiresAt: new Date(d.expiresAt),
      createdAt: new Date(d.createdAt),
      username: names.get(d.userId) ?? 'unknown',
    }));
  }

  revokeToken(revoked: RevokedToken): Promise<void> {
    return this.store.run(async () => {
      // An upsert that only inserts: revoking twice keeps the first record.
      await this.store.collection('revokedTokens').updateOne(
        { tokenId: revoked.tokenId },
        {
          $setOnInsert: {
            tokenId: revoked.tokenId,
            tenantKey: keyOf(revoked.tenantId),
            revokedAt: revoked.revokedAt.getTime(),
            expiresAt: revoked.expiresAt.getTime(),
            reason: revoked.reason,
          },
        },
        { upsert: true },
      );
      await this.store.collection('activeTokens').deleteOne({ tokenId: revoked.tokenId });
    });
  }

  isTokenRevoked(tokenId: string): Promise<boolean> {
    return this.store.run(async () => (await this.store.collection('revokedTokens').findOne({ tokenId })) !== null);
  }

  deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.store.run(async () => {
      const query: Filter<Document> = { expiresAt: { $lte: now.getTime() } };
      if (scope !== 'all-tenants') query.tenantKey = keyOf(scope.tenantId);
      const active = await this.store.collection('activeTokens').deleteMany(query);
      const revoked = await this.store.collection('revokedTokens').deleteMany(query);
      return active.deletedCount + revoked.deletedCount;
    });
  }
}
