import type { Collection, Db, Document, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import type { DomainError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { translateMongoError } from '../mongo-errors';

/** Collections of the identity records (names match the SQL tables). */
export const IDENTITY_COLLECTIONS = {
  users: 'users',
  activeTokens: 'active_tokens',
  revokedTokens: 'revoked_tokens',
  roles: 'roles',
  permissions: 'permissions',
  userRoles: 'user_roles',
  serviceUsers: 'service_users',
} as const;

/**
 * The root space (users without a tenant) is stored under this tenant key: a value no tenant id can take,
 * so `{tenantKey}` equality is the same null-safe comparison as the SQL adapter's.
 */
const ROOT_SPACE = '\u0000root';
export const keyOf = (tenantId: string | null): string => tenantId ?? ROOT_SPACE;
export const tenantOf = (key: string): string | null => (key === ROOT_SPACE ? null : key);

/**
 * Access to the identity collections, shared by the MongoDB identity adapters (users, tokens, roles and
 * grants, service users, tenant cleanup), through the native driver of the backend's connection. Our ids
 * live in `id` fields (the server owns `_id`). Unique indexes mirror the SQL constraints; writes also check
 * before they insert, because a test server may not enforce unique indexes. Cascading deletes remove the
 * parent first: a token, grant or assignment left behind by an interrupted cascade refers to a user that no
 * longer exists, so it can never authorize anything, and the next cascade or cleanup removes it.
 */
export class MongoIdentityStore {
  constructor(private readonly connection: Connection) {}

  private get db(): Db {
    const db = this.connection.db;
    if (!db) throw new Error('The MongoDB connection is not open');
    return db as unknown as Db;
  }

  collection(name: keyof typeof IDENTITY_COLLECTIONS): Collection<Document> {
    return this.db.collection(IDENTITY_COLLECTIONS[name]);
  }

  /** Runs driver work, translating driver errors (a duplicate key into `onDuplicateKey()`'s error). */
  async run<T>(work: () => Promise<T>, onDuplicateKey?: () => DomainError): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateMongoError(error, onDuplicateKey);
    }
  }

  /** One page of a collection's documents matching the query, in the given order. */
  list<T>(
    name: keyof typeof IDENTITY_COLLECTIONS,
    query: Filter<Document>,
    sort: Record<string, 1>,
    page: Pagination | undefined,
    map: (doc: Document) => T,
  ): Promise<T[]> {
    if (page?.limit === 0) return Promise.resolve([]);
    return this.run(async () => {
      // An aggregation sorts strings in binary order on every server (the contract's order).
      const stages: Document[] = [{ $match: query }, { $sort: sort }];
      if (page?.offset) stages.push({ $skip: page.offset });
      if (page?.limit !== undefined) stages.push({ $limit: page.limit });
      const docs = await this.collection(name).aggregate(stages).toArray();
      return docs.map(map);
    });
  }
}

/** Creates the identity collections' indexes (idempotent); run at boot with the other MongoDB indexes. */
export async function createMongoIdentityIndexes(connection: Connection): Promise<void> {
  const db = connection.db as unknown as Db;
  const c = (name: keyof typeof IDENTITY_COLLECTIONS) => db.collection(IDENTITY_COLLECTIONS[name]);
  await c('users').createIndex({ id: 1 }, { unique: true });
  await c('users').createIndex({ tenantKey: 1, username: 1 }, { unique: true });
  await c('activeTokens').createIndex({ tokenId: 1 }, { unique: true });
  await c('activeTokens').createIndex({ userId: 1 });
  await c('activeTokens').createIndex({ tenantKey: 1, createdAt: 1 });
  await c('revokedTokens').createIndex({ tokenId: 1 }, { unique: true });
  await c('revokedTokens').createIndex({ expiresAt: 1 });
  await c('roles').createIndex({ id: 1 }, { unique: true });
  await c('roles').createIndex({ tenantKey: 1, name: 1 }, { unique: true });
  await c('permissions').createIndex({ id: 1 }, { unique: true });
  await c('permissions').createIndex({ tenantKey: 1, userId: 1 });
  await c('userRoles').createIndex({ userId: 1, roleId: 1 }, { unique: true });
  await c('userRoles').createIndex({ roleId: 1 });
  await c('serviceUsers').createIndex({ id: 1 }, { unique: true });
  await c('serviceUsers').createIndex({ tenantKey: 1, name: 1 }, { unique: true });
}
