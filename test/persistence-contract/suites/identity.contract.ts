import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError } from '../../../src/common/errors';
import type {
  ActiveToken,
  Permission,
  PermissionGrant,
  Role,
  ServiceUser,
  User,
} from '../../../src/persistence/ports/identity.port';
import {
  binaryOrderedNames,
  expectPagination,
  expectRejection,
  uniqueName,
  type ContractContext,
} from '../contract-support';

/** Instants with millisecond precision (what every backend stores). */
const at = (offsetMs: number): Date => new Date(1_800_000_000_000 + offsetMs);

export function describeIdentityContract(ctx: ContractContext): void {
  describe('identity', () => {
    const identity = () => ctx.ports.identity;

    const user = (tenantId: string | null, overrides: Partial<User> = {}): User => ({
      id: randomUUID(),
      tenantId,
      username: uniqueName('user'),
      email: 'someone@example.com',
      passwordHash: '$2b$10$abcdefghijklmnopqrstuuQx5Yh3HSmHgtRHTxS.3bRqGb4O8d6hy',
      oauthProvider: null,
      role: 'tenant-user',
      active: true,
      createdAt: at(0),
      updatedAt: at(0),
      lastLoginAt: null,
      credentialVersion: 0,
      ...overrides,
    });

    const token = (u: User, overrides: Partial<ActiveToken> = {}): ActiveToken => ({
      tokenId: randomUUID(),
      userId: u.id,
      tenantId: u.tenantId,
      tokenHash: 'a'.repeat(64),
      expiresAt: at(3_600_000),
      createdAt: at(0),
      ...overrides,
    });

    const role = (tenantId: string, overrides: Partial<Role> = {}): Role => ({
      id: randomUUID(),
      tenantId,
      name: uniqueName('role'),
      description: 'readers',
      permissions: [{ scope: { type: 'catalog', catalog_id: randomUUID() }, actions: ['read', 'list'] }],
      createdBy: 'admin',
      createdAt: at(0),
      updatedAt: at(0),
      ...overrides,
    });

    const permission = (u: User, overrides: Partial<Permission> = {}): Permission => ({
      id: randomUUID(),
      tenantId: u.tenantId as string,
      userId: u.id,
      scope: { type: 'namespace', catalog_id: randomUUID(), namespace: 'sales.eu' },
      actions: ['write'],
      grantedBy: 'admin',
      grantedAt: at(0),
      ...overrides,
    });

    const serviceUser = (tenantId: string, overrides: Partial<ServiceUser> = {}): ServiceUser => ({
      id: randomUUID(),
      tenantId,
      name: uniqueName('engine'),
      description: null,
      apiKeyHash: '$2b$10$hash',
      role: 'tenant-user',
      active: true,
      createdBy: 'admin',
      createdAt: at(0),
      expiresAt: null,
      lastUsedAt: null,
      credentialVersion: 0,
      ...overrides,
    });

    describe('users', () => {
      it('creates and reads a user inside its tenant only', async () => {
        const tenantId = randomUUID();
        const u = user(tenantId, { lastLoginAt: at(5) });
        await expect(identity().createUser(u)).resolves.toEqual(u);
        await expect(identity().getUser(tenantId, u.id)).resolves.toEqual(u);
        await expect(identity().findUserByUsername(tenantId, u.username)).resolves.toEqual(u);
        await expect(identity().getUser(randomUUID(), u.id)).resolves.toBeNull();
        await expect(identity().getUser(null, u.id)).resolves.toBeNull();
        await expect(identity().findUserByUsername(randomUUID(), u.username)).resolves.toBeNull();
      });

      it('keeps the root space (null tenant) apart from every tenant', async () => {
        const root = user(null, { role: 'root' });
        await identity().createUser(root);
        await expect(identity().getUser(null, root.id)).resolves.toEqual(root);
        await expect(identity().findUserByUsername(null, root.username)).resolves.toEqual(root);
        // The same username in a tenant is another account.
        const tenantUser = user(randomUUID(), { username: root.username });
        await identity().createUser(tenantUser);
        await expect(identity().findUserByUsername(null, root.username)).resolves.toEqual(root);
      });

      it('usernames are unique per tenant: a duplicate is AlreadyExistsError(user), another tenant may reuse it', async () => {
        const tenantId = randomUUID();
        const first = await identity().createUser(user(tenantId));
        await expectRejection(identity().createUser(user(tenantId, { username: first.username })), AlreadyExistsError, {
          resource: 'user',
        });
        await expectRejection(identity().createUser(user(randomUUID(), { id: first.id })), AlreadyExistsError, {
          resource: 'user',
        });
        await expect(identity().createUser(user(randomUUID(), { username: first.username }))).resolves.toBeDefined();
      });

      it('lists a tenant’s users by username in binary order, paginated', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('u');
        for (const username of [...names].reverse()) await identity().createUser(user(tenantId, { username }));
        await identity().createUser(user(randomUUID(), { username: names[0] }));
        const listed = await identity().listUsers(tenantId);
        expect(listed.map((u) => u.username)).toEqual(names);
        await expectPagination((page) => identity().listUsers(tenantId, page), listed);
      });

      it('updates only the patched fields, inside the tenant', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const updated = await identity().updateUser(tenantId, u.id, { active: false, lastLoginAt: at(9) }, at(10));
        expect(updated).toEqual({ ...u, active: false, lastLoginAt: at(9), updatedAt: at(10) });
        await expect(identity().getUser(tenantId, u.id)).resolves.toEqual(updated);
        await expectRejection(identity().updateUser(randomUUID(), u.id, { active: true }, at(11)), NotFoundError, {
          resource: 'user',
        });
      });

      it('raises the credential version by one per bump, with the rest of the patch', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        expect(u.credentialVersion).toBe(0);
        const changed = await identity().updateUser(tenantId, u.id, { passwordHash: '$2b$10$new', bumpCredentialVersion: true }, at(10));
        expect(changed).toEqual({ ...u, passwordHash: '$2b$10$new', credentialVersion: 1, updatedAt: at(10) });
        await identity().updateUser(tenantId, u.id, { bumpCredentialVersion: true }, at(11));
        await identity().updateUser(tenantId, u.id, { email: 'other@example.com' }, at(12));
        await expect(identity().getUser(tenantId, u.id)).resolves.toMatchObject({ credentialVersion: 2, email: 'other@example.com' });
        await expect(identity().findUserByUsername(tenantId, u.username)).resolves.toMatchObject({ credentialVersion: 2 });
      });

      it('deleting a user removes its tokens, grants and role assignments', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const t = token(u);
        await identity().recordToken(t);
        await identity().grantPermission(permission(u));
        const r = await identity().createRole(role(tenantId));
        await identity().assignRole({ userId: u.id, roleId: r.id, tenantId, assignedBy: 'admin', assignedAt: at(0) });

        await expectRejection(identity().deleteUser(randomUUID(), u.id), NotFoundError, { resource: 'user' });
        await identity().deleteUser(tenantId, u.id);
        await expect(identity().getUser(tenantId, u.id)).resolves.toBeNull();
        await expect(identity().getActiveToken(tenantId, t.tokenId)).resolves.toBeNull();
        await expect(identity().listPermissions(tenantId, { userId: u.id })).resolves.toEqual([]);
        await expect(identity().listUserRoles(tenantId, u.id)).resolves.toEqual([]);
        await expect(identity().getRole(tenantId, r.id)).resolves.toEqual(r);
      });
    });

    describe('tokens', () => {
      it('records, lists (unexpired, per user, oldest first) and gets tokens within the tenant', async () => {
        const tenantId = randomUUID();
        const alice = await identity().createUser(user(tenantId));
        const bob = await identity().createUser(user(tenantId));
        const t1 = token(alice, { createdAt: at(1) });
        const t2 = token(bob, { createdAt: at(2) });
        const t3 = token(alice, { createdAt: at(3) });
        const expired = token(alice, { createdAt: at(0), expiresAt: at(100) });
        for (const t of [t3, expired, t2, t1]) await identity().recordToken(t);

        const now = at(1000);
        const all = await identity().listActiveTokens(tenantId, {}, now);
        expect(all.map((t) => t.tokenId)).toEqual([t1.tokenId, t2.tokenId, t3.tokenId]);
        expect(all[0]).toEqual({ ...t1, username: alice.username });
        const alices = await identity().listActiveTokens(tenantId, { userId: alice.id }, now);
        expect(alices.map((t) => t.tokenId)).toEqual([t1.tokenId, t3.tokenId]);
        await expect(identity().listActiveTokens(tenantId, {}, now, { limit: 1, offset: 1 })).resolves.toEqual([all[1]]);
        await expect(identity().listActiveTokens(tenantId, {}, now, { limit: 0 })).resolves.toEqual([]);
        await expect(identity().listActiveTokens(randomUUID(), {}, now)).resolves.toEqual([]);
        await expect(identity().getActiveToken(tenantId, t2.tokenId)).resolves.toEqual({ ...t2, username: bob.username });
        await expect(identity().getActiveToken(randomUUID(), t2.tokenId)).resolves.toBeNull();
      });

      it('refuses a token for an unknown user or a user of another tenant', async () => {
        const u = await identity().createUser(user(randomUUID()));
        await expectRejection(identity().recordToken(token(u, { userId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
        await expectRejection(identity().recordToken(token(u, { tenantId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
      });

      it('revocation is recorded once, removes the active token and is visible to isTokenRevoked', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const t = token(u);
        await identity().recordToken(t);
        await expect(identity().isTokenRevoked(t.tokenId)).resolves.toBe(false);
        const revocation = { tokenId: t.tokenId, tenantId, revokedAt: at(5), expiresAt: t.expiresAt, reason: 'logout' };
        await identity().revokeToken(revocation);
        await identity().revokeToken({ ...revocation, reason: 'again' });
        await expect(identity().isTokenRevoked(t.tokenId)).resolves.toBe(true);
        await expect(identity().getActiveToken(tenantId, t.tokenId)).resolves.toBeNull();
        // An id that was never recorded (a login token) can be revoked too.
        const unrecorded = randomUUID();
        await identity().revokeToken({ ...revocation, tokenId: unrecorded });
        await expect(identity().isTokenRevoked(unrecorded)).resolves.toBe(true);
        // A revoked id cannot be recorded again.
        await expectRejection(identity().recordToken(t), AlreadyExistsError, { resource: 'token' });
      });

      it('cleanup deletes expired active and revoked rows of the tenant only', async () => {
        const tenantId = randomUUID();
        const otherTenant = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const other = await identity().createUser(user(otherTenant));
        const live = token(u, { expiresAt: at(10_000) });
        const dead = token(u, { expiresAt: at(10) });
        const otherDead = token(other, { expiresAt: at(10) });
        for (const t of [live, dead, otherDead]) await identity().recordToken(t);
        const revokedDead = randomUUID();
        await identity().revokeToken({ tokenId: revokedDead, tenantId, revokedAt: at(1), expiresAt: at(20), reason: null });

        await expect(identity().deleteExpiredTokens({ tenantId }, at(500))).resolves.toBe(2);
        await expect(identity().isTokenRevoked(revokedDead)).resolves.toBe(false);
        await expect(identity().getActiveToken(tenantId, live.tokenId)).resolves.not.toBeNull();
        await expect(identity().getActiveToken(otherTenant, otherDead.tokenId)).resolves.not.toBeNull();
      });
    });

    describe('roles and grants', () => {
      it('creates, reads, lists (by name) and updates roles inside the tenant', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('r');
        const created: Role[] = [];
        for (const name of [...names].reverse()) created.push(await identity().createRole(role(tenantId, { name })));
        const listed = await identity().listRoles(tenantId);
        expect(listed.map((r) => r.name)).toEqual(names);
        await expectPagination((page) => identity().listRoles(tenantId, page), listed);
        await expect(identity().getRole(tenantId, created[0].id)).resolves.toEqual(created[0]);
        await expect(identity().getRole(randomUUID(), created[0].id)).resolves.toBeNull();

        const grants: PermissionGrant[] = [
          { scope: { type: 'tenant' }, actions: ['list'] },
          { scope: { type: 'asset', catalog_id: 'c', namespace: 'a.b', asset_id: 'x' }, actions: ['ingest-branching'] },
          { scope: { type: 'tag', tag_name: 'pii' }, actions: ['read'] },
        ];
        const updated = await identity().updateRole(tenantId, created[0].id, { name: 'renamed', description: null, permissions: grants }, at(7));
        expect(updated).toEqual({ ...created[0], name: 'renamed', description: null, permissions: grants, updatedAt: at(7) });
        await expect(identity().getRole(tenantId, created[0].id)).resolves.toEqual(updated);
        await expectRejection(
          identity().updateRole(tenantId, created[1].id, { name: 'renamed', description: null, permissions: [] }, at(8)),
          AlreadyExistsError,
          { resource: 'role' },
        );
        await expectRejection(
          identity().updateRole(randomUUID(), created[1].id, { name: 'x', description: null, permissions: [] }, at(8)),
          NotFoundError,
          { resource: 'role' },
        );
      });

      it('role names are unique per tenant', async () => {
        const tenantId = randomUUID();
        const first = await identity().createRole(role(tenantId));
        await expectRejection(identity().createRole(role(tenantId, { name: first.name })), AlreadyExistsError, {
          resource: 'role',
        });
        await expect(identity().createRole(role(randomUUID(), { name: first.name }))).resolves.toBeDefined();
      });

      it('assigns roles within the tenant only, once, and combines them with direct grants', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const readers = await identity().createRole(role(tenantId, { name: 'b-readers' }));
        const writers = await identity().createRole(
          role(tenantId, { name: 'a-writers', permissions: [{ scope: { type: 'tenant' }, actions: ['write'] }] }),
        );
        const foreignRole = await identity().createRole(role(randomUUID()));
        const assignment = { userId: u.id, tenantId, assignedBy: 'admin', assignedAt: at(0) };
        await identity().assignRole({ ...assignment, roleId: readers.id });
        await identity().assignRole({ ...assignment, roleId: writers.id });
        await expectRejection(identity().assignRole({ ...assignment, roleId: readers.id }), AlreadyExistsError, {
          resource: 'role',
        });
        await expectRejection(identity().assignRole({ ...assignment, roleId: foreignRole.id }), NotFoundError, {
          resource: 'role',
        });
        await expectRejection(identity().assignRole({ ...assignment, userId: randomUUID(), roleId: readers.id }), NotFoundError, {
          resource: 'user',
        });
        await expect(identity().listUserRoles(tenantId, u.id)).resolves.toEqual([writers, readers]);

        const direct = await identity().grantPermission(permission(u));
        await expect(identity().getEffectiveGrants(tenantId, u.id)).resolves.toEqual([
          { scope: direct.scope, actions: direct.actions },
          ...writers.permissions,
          ...readers.permissions,
        ]);
        await expect(identity().getEffectiveGrants(randomUUID(), u.id)).resolves.toEqual([]);

        await identity().unassignRole(tenantId, u.id, writers.id);
        await expectRejection(identity().unassignRole(tenantId, u.id, writers.id), NotFoundError, { resource: 'role' });
        await identity().deleteRole(tenantId, readers.id);
        await expect(identity().listUserRoles(tenantId, u.id)).resolves.toEqual([]);
        await expectRejection(identity().deleteRole(tenantId, readers.id), NotFoundError, { resource: 'role' });
      });

      it('grants, lists (oldest first), reads and revokes direct permissions within the tenant', async () => {
        const tenantId = randomUUID();
        const u = await identity().createUser(user(tenantId));
        const v = await identity().createUser(user(tenantId));
        const grants = [
          await identity().grantPermission(permission(u, { grantedAt: at(1) })),
          await identity().grantPermission(permission(v, { grantedAt: at(2) })),
          await identity().grantPermission(permission(u, { grantedAt: at(3), scope: { type: 'tenant' } })),
        ];
        await expectPagination((page) => identity().listPermissions(tenantId, {}, page), grants);
        await expect(identity().listPermissions(tenantId, { userId: u.id })).resolves.toEqual([grants[0], grants[2]]);
        await expect(identity().getPermission(tenantId, grants[1].id)).resolves.toEqual(grants[1]);
        await expect(identity().getPermission(randomUUID(), grants[1].id)).resolves.toBeNull();
        await expectRejection(identity().grantPermission(permission(u, { tenantId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
        await expectRejection(identity().revokePermission(randomUUID(), grants[1].id), NotFoundError, {
          resource: 'permission',
        });
        await identity().revokePermission(tenantId, grants[1].id);
        await expect(identity().getPermission(tenantId, grants[1].id)).resolves.toBeNull();
      });
    });

    describe('service users', () => {
      it('creates, reads, lists by name, updates and deletes service users inside the tenant', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('svc');
        const created: ServiceUser[] = [];
        for (const name of [...names].reverse()) {
          created.push(await identity().createServiceUser(serviceUser(tenantId, { name, expiresAt: at(99) })));
        }
        const listed = await identity().listServiceUsers(tenantId);
        expect(listed.map((s) => s.name)).toEqual(names);
        await expectPagination((page) => identity().listServiceUsers(tenantId, page), listed);

        const s = created[0];
        await expect(identity().getServiceUser(tenantId, s.id)).resolves.toEqual(s);
        await expect(identity().getServiceUser(randomUUID(), s.id)).resolves.toBeNull();
        await expect(identity().getServiceUserForAuthentication(s.id)).resolves.toEqual(s);

        const updated = await identity().updateServiceUser(tenantId, s.id, {
          active: false,
          apiKeyHash: '$2b$10$rotated',
          lastUsedAt: at(50),
          expiresAt: null,
        });
        expect(updated).toEqual({ ...s, active: false, apiKeyHash: '$2b$10$rotated', lastUsedAt: at(50), expiresAt: null });
        await expect(identity().getServiceUser(tenantId, s.id)).resolves.toEqual(updated);
        await expectRejection(identity().updateServiceUser(tenantId, s.id, { name: created[1].name }), AlreadyExistsError, {
          resource: 'service-user',
        });
        await expectRejection(identity().updateServiceUser(randomUUID(), s.id, { active: true }), NotFoundError, {
          resource: 'service-user',
        });
        await expectRejection(identity().createServiceUser(serviceUser(tenantId, { name: s.name })), AlreadyExistsError, {
          resource: 'service-user',
        });
        await expectRejection(identity().deleteServiceUser(randomUUID(), s.id), NotFoundError, { resource: 'service-user' });
        await identity().deleteServiceUser(tenantId, s.id);
        await expect(identity().getServiceUserForAuthentication(s.id)).resolves.toBeNull();
      });

      it('service users receive direct grants inside their tenant; deleting one deletes its grants', async () => {
        const tenantId = randomUUID();
        const s = await identity().createServiceUser(serviceUser(tenantId));
        const other = await identity().createServiceUser(serviceUser(tenantId));
        const grant: Permission = {
          id: randomUUID(),
          tenantId,
          userId: s.id,
          scope: { type: 'tenant' },
          actions: ['read'],
          grantedBy: 'admin',
          grantedAt: at(1),
        };
        await expect(identity().grantPermission(grant)).resolves.toEqual(grant);
        const kept = await identity().grantPermission({ ...grant, id: randomUUID(), userId: other.id });
        await expect(identity().getEffectiveGrants(tenantId, s.id)).resolves.toEqual([{ scope: { type: 'tenant' }, actions: ['read'] }]);
        await expect(identity().listPermissions(tenantId, { userId: s.id })).resolves.toEqual([grant]);
        await expectRejection(identity().grantPermission({ ...grant, id: randomUUID(), tenantId: randomUUID() }), NotFoundError, {
          resource: 'user',
        });
        await identity().deleteServiceUser(tenantId, s.id);
        await expect(identity().listPermissions(tenantId, {})).resolves.toEqual([kept]);
        await expect(identity().getEffectiveGrants(tenantId, s.id)).resolves.toEqual([]);
      });

      it('raises a service user’s credential version by one per bump, with the rest of the patch', async () => {
        const tenantId = randomUUID();
        const s = await identity().createServiceUser(serviceUser(tenantId));
        expect(s.credentialVersion).toBe(0);
        const rotated = await identity().updateServiceUser(tenantId, s.id, { apiKeyHash: '$2b$10$next', bumpCredentialVersion: true });
        expect(rotated).toEqual({ ...s, apiKeyHash: '$2b$10$next', credentialVersion: 1 });
        await identity().updateServiceUser(tenantId, s.id, { lastUsedAt: at(5) });
        await expect(identity().getServiceUserForAuthentication(s.id)).resolves.toMatchObject({ credentialVersion: 1, lastUsedAt: at(5) });
        await expect(identity().getServiceUser(tenantId, s.id)).resolves.not.toHaveProperty('bumpCredentialVersion');
      });
    });

    it('deleting a tenant’s identities leaves other tenants untouched', async () => {
      const tenantId = randomUUID();
      const otherTenant = randomUUID();
      const u = await identity().createUser(user(tenantId));
      const keep = await identity().createUser(user(otherTenant));
      await identity().recordToken(token(u));
      await identity().createRole(role(tenantId));
      const svc = await identity().createServiceUser(serviceUser(tenantId));
      await identity().deleteTenantIdentities(tenantId);
      await expect(identity().listUsers(tenantId)).resolves.toEqual([]);
      await expect(identity().listRoles(tenantId)).resolves.toEqual([]);
      await expect(identity().getServiceUserForAuthentication(svc.id)).resolves.toBeNull();
      await expect(identity().listActiveTokens(tenantId, {}, at(0))).resolves.toEqual([]);
      await expect(identity().getUser(otherTenant, keep.id)).resolves.toEqual(keep);
    });
  });
}
