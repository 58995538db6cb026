import type { Collection, Db, Document, Filter } from 'mongodb';
import type { Connection } from 'mongoose';
import { AlreadyExistsError, NotFoundError, type DomainError } from '../../../common/errors';
import type { Pagination } from '../../models';
import {
  IdentityPort,
  type ActiveToken,
  type ActiveTokenWithUser,
  type Permission,
  type PermissionGrant,
  type RevokedToken,
  type Role,
  type RoleUpdate,
  type ServiceUser,
  type ServiceUserPatch,
  type User,
  type UserPatch,
  type UserRoleAssignment,
} from '../../ports/identity.port';
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
const keyOf = (tenantId: string | null): string => tenantId ?? ROOT_SPACE;
const tenantOf = (key: string): string | null => (key === ROOT_SPACE ? null : key);

/**
 * Identity records on MongoDB, through the native driver of the backend's connection. Our ids live in `id`
 * fields (the server owns `_id`). Unique indexes mirror the SQL constraints; writes also check before they
 * insert, because a test server may not enforce unique indexes. Cascading deletes remove the parent first:
 * a token, grant or assignment left behind by an interrupted cascade refers to a user that no longer exists,
 * so it can never authorize anything, and the next cascade or cleanup removes it.
 */
export class MongoIdentity extends IdentityPort {
  constructor(private readonly connection: Connection) {
    super();
  }

  private get db(): Db {
    const db = this.connection.db;
    if (!db) throw new Error('The MongoDB connection is not open');
    return db as unknown as Db;
  }

  private collection(name: keyof typeof IDENTITY_COLLECTIONS): Collection<Document> {
    return this.db.collection(IDENTITY_COLLECTIONS[name]);
  }

  private async run<T>(work: () => Promise<T>, onDuplicateKey?: () => DomainError): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateMongoError(error, onDuplicateKey);
    }
  }

  // --- users -------------------------------------------------------------------------------------------

  createUser(user: User): Promise<User> {
    const duplicate = () => new AlreadyExistsError('user', user.username);
    return this.run(async () => {
      const users = this.collection('users');
      if (await users.findOne({ $or: [{ id: user.id }, { tenantKey: keyOf(user.tenantId), username: user.username }] })) {
        throw duplicate();
      }
      await users.insertOne(userToDoc(user));
      return { ...user };
    }, duplicate);
  }

  getUser(tenantId: string | null, id: string): Promise<User | null> {
    return this.run(async () => {
      const doc = await this.collection('users').findOne({ id, tenantKey: keyOf(tenantId) });
      return doc ? userFromDoc(doc) : null;
    });
  }

  findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    return this.run(async () => {
      const doc = await this.collection('users').findOne({ username, tenantKey: keyOf(tenantId) }, { sort: { id: 1 } });
      return doc ? userFromDoc(doc) : null;
    });
  }

  listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    return this.list('users', { tenantKey: tenantId }, { username: 1, id: 1 }, page, userFromDoc);
  }

  updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.run(async () => {
      const set: Document = { updatedAt: now.getTime() };
      if (patch.email !== undefined) set.email = patch.email;
      if (patch.passwordHash !== undefined) set.passwordHash = patch.passwordHash;
      if (patch.active !== undefined) set.active = patch.active;
      if (patch.lastLoginAt !== undefined) set.lastLoginAt = millis(patch.lastLoginAt);
      const doc = await this.collection('users').findOneAndUpdate(
        { id, tenantKey: keyOf(tenantId) },
        { $set: set, ...credentialVersionBump(patch) },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('user', id, 'User not found');
      return userFromDoc(doc);
    });
  }

  deleteUser(tenantId: string | null, id: string): Promise<void> {
    return this.run(async () => {
      const result = await this.collection('users').deleteOne({ id, tenantKey: keyOf(tenantId) });
      if (result.deletedCount === 0) throw new NotFoundError('user', id, 'User not found');
      await this.collection('activeTokens').deleteMany({ userId: id });
      await this.collection('permissions').deleteMany({ userId: id });
      await this.collection('userRoles').deleteMany({ userId: id });
    });
  }

  // --- tokens ------------------------------------------------------------------------------------------

  recordToken(token: ActiveToken): Promise<void> {
    const duplicate = () => new AlreadyExistsError('token', token.tokenId);
    return this.run(async () => {
      if (!(await this.collection('users').findOne({ id: token.userId, tenantKey: keyOf(token.tenantId) }))) {
        throw new NotFoundError('user', token.userId, 'User not found');
      }
      const tokenId = token.tokenId;
      if (
        (await this.collection('revokedTokens').findOne({ tokenId })) ||
        (await this.collection('activeTokens').findOne({ tokenId }))
      ) {
        throw duplicate();
      }
      await this.collection('activeTokens').insertOne({
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
    return this.run(async () => {
      const doc = await this.collection('activeTokens').findOne({ tokenId, tenantKey: keyOf(tenantId) });
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
    return this.run(async () => {
      const query: Filter<Document> = { tenantKey: keyOf(tenantId), expiresAt: { $gt: now.getTime() } };
      if (filter.userId !== undefined) query.userId = filter.userId;
      const docs = await this.collection('activeTokens')
        .find(query, { sort: { createdAt: 1, tokenId: 1 }, skip: page?.offset ?? 0, limit: page?.limit ?? 0 })
        .toArray();
      return this.withUsernames(docs);
    });
  }

  private async withUsernames(docs: Document[]): Promise<ActiveTokenWithUser[]> {
    const userIds = [...new Set(docs.map((d) => d.userId as string))];
    const users = await this.collection('users')
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
    return this.run(async () => {
      // An upsert that only inserts: revoking twice keeps the first record.
      await this.collection('revokedTokens').updateOne(
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
      await this.collection('activeTokens').deleteOne({ tokenId: revoked.tokenId });
    });
  }

  isTokenRevoked(tokenId: string): Promise<boolean> {
    return this.run(async () => (await this.collection('revokedTokens').findOne({ tokenId })) !== null);
  }

  deleteExpiredTokens(scope: { tenantId: string | null } | 'all-tenants', now: Date): Promise<number> {
    return this.run(async () => {
      const query: Filter<Document> = { expiresAt: { $lte: now.getTime() } };
      if (scope !== 'all-tenants') query.tenantKey = keyOf(scope.tenantId);
      const active = await this.collection('activeTokens').deleteMany(query);
      const revoked = await this.collection('revokedTokens').deleteMany(query);
      return active.deletedCount + revoked.deletedCount;
    });
  }

  // --- roles and grants --------------------------------------------------------------------------------

  createRole(role: Role): Promise<Role> {
    const duplicate = () => new AlreadyExistsError('role', role.name);
    return this.run(async () => {
      const roles = this.collection('roles');
      if (await roles.findOne({ $or: [{ id: role.id }, { tenantKey: role.tenantId, name: role.name }] })) throw duplicate();
      await roles.insertOne(roleToDoc(role));
      return roleFromDoc(roleToDoc(role));
    }, duplicate);
  }

  getRole(tenantId: string, id: string): Promise<Role | null> {
    return this.run(async () => {
      const doc = await this.collection('roles').findOne({ id, tenantKey: tenantId });
      return doc ? roleFromDoc(doc) : null;
    });
  }

  listRoles(tenantId: string, page?: Pagination): Promise<Role[]> {
    return this.list('roles', { tenantKey: tenantId }, { name: 1, id: 1 }, page, roleFromDoc);
  }

  updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role> {
    const duplicate = () => new AlreadyExistsError('role', update.name);
    return this.run(async () => {
      const roles = this.collection('roles');
      if (!(await roles.findOne({ id, tenantKey: tenantId }))) throw new NotFoundError('role', id, 'Role not found');
      if (await roles.findOne({ tenantKey: tenantId, name: update.name, id: { $ne: id } })) throw duplicate();
      const doc = await roles.findOneAndUpdate(
        { id, tenantKey: tenantId },
        {
          $set: {
            name: update.name,
            description: update.description,
            permissionsJson: JSON.stringify(update.permissions),
            updatedAt: now.getTime(),
          },
        },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('role', id, 'Role not found');
      return roleFromDoc(doc);
    }, duplicate);
  }

  deleteRole(tenantId: string, id: string): Promise<void> {
    return this.run(async () => {
      const result = await this.collection('roles').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('role', id, 'Role not found');
      await this.collection('userRoles').deleteMany({ roleId: id });
    });
  }

  assignRole(assignment: UserRoleAssignment): Promise<void> {
    return this.run(async () => {
      const tenantKey = assignment.tenantId;
      if (!(await this.collection('users').findOne({ id: assignment.userId, tenantKey }))) {
        throw new NotFoundError('user', assignment.userId, 'User not found');
      }
      const role = await this.collection('roles').findOne({ id: assignment.roleId, tenantKey });
      if (!role) throw new NotFoundError('role', assignment.roleId, 'Role not found');
      const duplicate = () => new AlreadyExistsError('role', role.name, `Role '${role.name}' is already assigned`);
      if (await this.collection('userRoles').findOne({ userId: assignment.userId, roleId: assignment.roleId })) {
        throw duplicate();
      }
      await this.run(
        () =>
          this.collection('userRoles').insertOne({
            userId: assignment.userId,
            roleId: assignment.roleId,
            tenantKey,
            assignedBy: assignment.assignedBy,
            assignedAt: assignment.assignedAt.getTime(),
          }),
        duplicate,
      );
    });
  }

  unassignRole(tenantId: string, userId: string, roleId: string): Promise<void> {
    return this.run(async () => {
      const result = await this.collection('userRoles').deleteOne({ userId, roleId, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('role', roleId, 'Role is not assigned to this user');
    });
  }

  listUserRoles(tenantId: string, userId: string): Promise<Role[]> {
    return this.run(async () => {
      const assignments = await this.collection('userRoles').find({ userId, tenantKey: tenantId }).toArray();
      const roles = await this.collection('roles')
        .find({ tenantKey: tenantId, id: { $in: assignments.map((a) => a.roleId as string) } }, { sort: { name: 1, id: 1 } })
        .toArray();
      return roles.map(roleFromDoc);
    });
  }

  grantPermission(permission: Permission): Promise<Permission> {
    const duplicate = () => new AlreadyExistsError('permission', permission.id);
    return this.run(async () => {
      const grantee = { id: permission.userId, tenantKey: permission.tenantId };
      if (!(await this.collection('users').findOne(grantee)) && !(await this.collection('serviceUsers').findOne(grantee))) {
        throw new NotFoundError('user', permission.userId, 'User not found');
      }
      if (await this.collection('permissions').findOne({ id: permission.id })) throw duplicate();
      await this.collection('permissions').insertOne(permissionToDoc(permission));
      return permissionFromDoc(permissionToDoc(permission));
    }, duplicate);
  }

  getPermission(tenantId: string, id: string): Promise<Permission | null> {
    return this.run(async () => {
      const doc = await this.collection('permissions').findOne({ id, tenantKey: tenantId });
      return doc ? permissionFromDoc(doc) : null;
    });
  }

  revokePermission(tenantId: string, id: string): Promise<void> {
    return this.run(async () => {
      const result = await this.collection('permissions').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('permission', id, 'Permission not found');
    });
  }

  listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]> {
    const query: Filter<Document> = { tenantKey: tenantId };
    if (filter.userId !== undefined) query.userId = filter.userId;
    return this.list('permissions', query, { grantedAt: 1, id: 1 }, page, permissionFromDoc);
  }

  getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]> {
    return this.run(async () => {
      const direct = await this.collection('permissions')
        .find({ tenantKey: tenantId, userId }, { sort: { grantedAt: 1, id: 1 } })
        .toArray();
      const roles = await this.listUserRoles(tenantId, userId);
      return [
        ...direct.map(permissionFromDoc).map((p) => ({ scope: p.scope, actions: p.actions })),
        ...roles.flatMap((r) => r.permissions),
      ];
    });
  }

  // --- service users -----------------------------------------------------------------------------------

  createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser> {
    const duplicate = () => new AlreadyExistsError('service-user', serviceUser.name);
    return this.run(async () => {
      const serviceUsers = this.collection('serviceUsers');
      if (
        await serviceUsers.findOne({
          $or: [{ id: serviceUser.id }, { tenantKey: serviceUser.tenantId, name: serviceUser.name }],
        })
      ) {
        throw duplicate();
      }
      await serviceUsers.insertOne(serviceUserToDoc(serviceUser));
      return { ...serviceUser };
    }, duplicate);
  }

  getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null> {
    return this.run(async () => {
      const doc = await this.collection('serviceUsers').findOne({ id, tenantKey: tenantId });
      return doc ? serviceUserFromDoc(doc) : null;
    });
  }

  getServiceUserForAuthentication(id: string): Promise<ServiceUser | null> {
    return this.run(async () => {
      const doc = await this.collection('serviceUsers').findOne({ id });
      return doc ? serviceUserFromDoc(doc) : null;
    });
  }

  listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]> {
    return this.list('serviceUsers', { tenantKey: tenantId }, { name: 1, id: 1 }, page, serviceUserFromDoc);
  }

  updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser> {
    const duplicate = () => new AlreadyExistsError('service-user', patch.name ?? id);
    return this.run(async () => {
      const serviceUsers = this.collection('serviceUsers');
      if (!(await serviceUsers.findOne({ id, tenantKey: tenantId }))) {
        throw new NotFoundError('service-user', id, 'Service user not found');
      }
      if (patch.name !== undefined && (await serviceUsers.findOne({ tenantKey: tenantId, name: patch.name, id: { $ne: id } }))) {
        throw duplicate();
      }
      const set: Document = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.active !== undefined) set.active = patch.active;
      if (patch.expiresAt !== undefined) set.expiresAt = millis(patch.expiresAt);
      if (patch.apiKeyHash !== undefined) set.apiKeyHash = patch.apiKeyHash;
      if (patch.lastUsedAt !== undefined) set.lastUsedAt = millis(patch.lastUsedAt);
      const doc = await serviceUsers.findOneAndUpdate(
        { id, tenantKey: tenantId },
        { $set: set, ...credentialVersionBump(patch) },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('service-user', id, 'Service user not found');
      return serviceUserFromDoc(doc);
    }, duplicate);
  }

  deleteServiceUser(tenantId: string, id: string): Promise<void> {
    return this.run(async () => {
      const result = await this.collection('serviceUsers').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('service-user', id, 'Service user not found');
      await this.collection('permissions').deleteMany({ userId: id, tenantKey: tenantId });
    });
  }

  deleteTenantIdentities(tenantId: string): Promise<void> {
    return this.run(async () => {
      for (const name of ['users', 'serviceUsers', 'roles', 'userRoles', 'permissions', 'activeTokens', 'revokedTokens'] as const) {
        await this.collection(name).deleteMany({ tenantKey: tenantId });
      }
    });
  }

  private list<T>(
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

/** The `$inc` that raises the credential version (a document written before versions existed counts as 0). */
function credentialVersionBump(patch: { bumpCredentialVersion?: boolean }): Document {
  return patch.bumpCredentialVersion ? { $inc: { credentialVersion: 1 } } : {};
}

function millis(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

function optionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as number);
}

function userToDoc(user: User): Document {
  return {
    id: user.id,
    tenantKey: keyOf(user.tenantId),
    username: user.username,
    email: user.email,
    passwordHash: user.passwordHash,
    oauthProvider: user.oauthProvider,
    role: user.role,
    active: user.active,
    createdAt: user.createdAt.getTime(),
    updatedAt: user.updatedAt.getTime(),
    lastLoginAt: millis(user.lastLoginAt),
    credentialVersion: user.credentialVersion,
  };
}

function userFromDoc(doc: Document): User {
  return {
    id: doc.id,
    tenantId: tenantOf(doc.tenantKey),
    username: doc.username,
    email: doc.email ?? null,
    passwordHash: doc.passwordHash ?? null,
    oauthProvider: doc.oauthProvider ?? null,
    role: doc.role,
    active: Boolean(doc.active),
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
    lastLoginAt: optionalDate(doc.lastLoginAt),
    credentialVersion: doc.credentialVersion ?? 0,
  };
}

function roleToDoc(role: Role): Document {
  return {
    id: role.id,
    tenantKey: role.tenantId,
    name: role.name,
    description: role.description,
    // Grants are client JSON (scope fields may hold any string): kept as one JSON string.
    permissionsJson: JSON.stringify(role.permissions),
    createdBy: role.createdBy,
    createdAt: role.createdAt.getTime(),
    updatedAt: role.updatedAt.getTime(),
  };
}

function roleFromDoc(doc: Document): Role {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    name: doc.name,
    description: doc.description ?? null,
    permissions: JSON.parse(doc.permissionsJson),
    createdBy: doc.createdBy,
    createdAt: new Date(doc.createdAt),
    updatedAt: new Date(doc.updatedAt),
  };
}

function permissionToDoc(p: Permission): Document {
  return {
    id: p.id,
    tenantKey: p.tenantId,
    userId: p.userId,
    scopeJson: JSON.stringify(p.scope),
    actions: [...p.actions],
    grantedBy: p.grantedBy,
    grantedAt: p.grantedAt.getTime(),
  };
}

function permissionFromDoc(doc: Document): Permission {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    userId: doc.userId,
    scope: JSON.parse(doc.scopeJson),
    actions: [...doc.actions],
    grantedBy: doc.grantedBy,
    grantedAt: new Date(doc.grantedAt),
  };
}

function serviceUserToDoc(s: ServiceUser): Document {
  return {
    id: s.id,
    tenantKey: s.tenantId,
    name: s.name,
    description: s.description,
    apiKeyHash: s.apiKeyHash,
    role: s.role,
    active: s.active,
    createdBy: s.createdBy,
    createdAt: s.createdAt.getTime(),
    expiresAt: millis(s.expiresAt),
    lastUsedAt: millis(s.lastUsedAt),
    credentialVersion: s.credentialVersion,
  };
}

function serviceUserFromDoc(doc: Document): ServiceUser {
  return {
    id: doc.id,
    tenantId: doc.tenantKey,
    name: doc.name,
    description: doc.description ?? null,
    apiKeyHash: doc.apiKeyHash,
    role: doc.role,
    active: Boolean(doc.active),
    createdBy: doc.createdBy,
    createdAt: new Date(doc.createdAt),
    expiresAt: optionalDate(doc.expiresAt),
    lastUsedAt: optionalDate(doc.lastUsedAt),
    credentialVersion: doc.credentialVersion ?? 0,
  };
}
