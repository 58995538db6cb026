import type { Document } from 'mongodb';
import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { UsersPort, type User, type UserPatch } from '../../ports';
import { credentialVersionBump, millis, userFromDoc, userToDoc } from './mongo-identity-codec';
import { keyOf, type MongoIdentityStore } from './mongo-identity-store';

/** Users on MongoDB; deleting one removes its tokens, grants and role assignments after it. */
export class MongoUsers extends UsersPort {
  constructor(private readonly store: MongoIdentityStore) {
    super();
  }

  createUser(user: User): Promise<User> {
    const duplicate = () => new AlreadyExistsError('user', user.username);
    return this.store.run(async () => {
      const users = this.store.collection('users');
      if (await users.findOne({ $or: [{ id: user.id }, { tenantKey: keyOf(user.tenantId), username: user.username }] })) {
        throw duplicate();
      }
      await users.insertOne(userToDoc(user));
      return { ...user };
    }, duplicate);
  }

  getUser(tenantId: string | null, id: string): Promise<User | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('users').findOne({ id, tenantKey: keyOf(tenantId) });
      return doc ? userFromDoc(doc) : null;
    });
  }

  findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('users').findOne({ username, tenantKey: keyOf(tenantId) }, { sort: { id: 1 } });
      return doc ? userFromDoc(doc) : null;
    });
  }

  listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    return this.store.list('users', { tenantKey: tenantId }, { username: 1, id: 1 }, page, userFromDoc);
  }

  updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.store.run(async () => {
      const set: Document = { updatedAt: now.getTime() };
      if (patch.email !== undefined) set.email = patch.email;
      if (patch.passwordHash !== undefined) set.passwordHash = patch.passwordHash;
      if (patch.active !== undefined) set.active = patch.active;
      if (patch.lastLoginAt !== undefined) set.lastLoginAt = millis(patch.lastLoginAt);
      const doc = await this.store.collection('users').findOneAndUpdate(
        { id, tenantKey: keyOf(tenantId) },
        { $set: set, ...credentialVersionBump(patch) },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('user', id, 'User not found');
      return userFromDoc(doc);
    });
  }

  deleteUser(tenantId: string | null, id: string): Promise<void> {
    return this.store.run(async () => {
      const result = await this.store.collection('users').deleteOne({ id, tenantKey: keyOf(tenantId) });
      if (result.deletedCount === 0) throw new NotFoundError('user', id, 'User not found');
      await this.store.collection('activeTokens').deleteMany({ userId: id });
      await this.store.collection('permissions').deleteMany({ userId: id });
      await this.store.collection('userRoles').deleteMany({ userId: id });
    });
  }
}
