import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, NotFoundError } from '../../../src/common/errors';
import type {
  ActiveToken,
  Permission,
  PermissionGrant,
  Role,
  ServiceUser,
  User,
} from '../../../src/persistence/ports';
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
    // Each aggregate through its own port, as the services use them.
    const users = () => ctx.ports.users;
    const tokens = () => ctx.ports.tokens;
    const rolesAndGrants = () => ctx.ports.rolesAndGrants;
    const serviceUsers = () => ctx.ports.serviceUsers;
    const tenantIdentities = () => ctx.ports.tenantIdentities;

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
        await expect(users().createUser(u)).resolves.toEqual(u);
        await expect(users().getUser(tenantId, u.id)).resolves.toEqual(u);
        await expect(users().findUserByUsername(tenantId, u.username)).resolves.toEqual(u);
        await expect(users().getUser(randomUUID(), u.id)).resolves.toBeNull();
        await expect(users().getUser(null, u.id)).resolves.toBeNull();
        await expect(users().findUserByUsername(randomUUID(), u.username)).resolves.toBeNull();
      });

      it('keeps the root space (null tenant) apart from every tenant', async () => {
        const root = user(null, { role: 'root' });
        await users().createUser(root);
        await expect(users().getUser(null, root.id)).resolves.toEqual(root);
        await expect(users().findUserByUsername(null, root.username)).resolves.toEqual(root);
        // The same username in a tenant is another account.
        const tenantUser = user(randomUUID(), { username: root.username });
        await users().createUser(tenantUser);
        await expect(users().findUserByUsername(null, root.username)).resolves.toEqual(root);
      });

      it('usernames are unique per tenant: a duplicate is AlreadyExistsError(user), another tenant may reuse it', async () => {
        const tenantId = randomUUID();
        const first = await users().createUser(user(tenantId));
        await expectRejection(users().createUser(user(tenantId, { username: first.username })), AlreadyExistsError, {
          resource: 'user',
        });
        await expectRejection(users().createUser(user(randomUUID(), { id: first.id })), AlreadyExistsError, {
          resource: 'user',
        });
        await expect(users().createUser(user(randomUUID(), { username: first.username }))).resolves.toBeDefined();
      });

      it('lists a tenant’s users by username in binary order, paginated', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('u');
        for (const username of [...names].reverse()) await users().createUser(user(tenantId, { username }));
        await users().createUser(user(randomUUID(), { username: names[0] }));
        const listed = await users().listUsers(tenantId);
        expect(listed.map((u) => u.username)).toEqual(names);
        await expectPagination((page) => users().listUsers(tenantId, page), listed);
      });

      it('updates only the patched fields, inside the tenant', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        const updated = await users().updateUser(tenantId, u.id, { active: false, lastLoginAt: at(9) }, at(10));
        expect(updated).toEqual({ ...u, active: false, lastLoginAt: at(9), updatedAt: at(10) });
        await expect(users().getUser(tenantId, u.id)).resolves.toEqual(updated);
        await expectRejection(users().updateUser(randomUUID(), u.id, { active: true }, at(11)), NotFoundError, {
          resource: 'user',
        });
      });

      it('raises the credential version by one per bump, with the rest of the patch', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        expect(u.credentialVersion).toBe(0);
        const changed = await users().updateUser(tenantId, u.id, { passwordHash: '$2b$10$new', bumpCredentialVersion: true }, at(10));
        expect(changed).toEqual({ ...u, passwordHash: '$2b$10$new', credentialVersion: 1, updatedAt: at(10) });
        await users().updateUser(tenantId, u.id, { bumpCredentialVersion: true }, at(11));
        await users().updateUser(tenantId, u.id, { email: 'other@example.com' }, at(12));
        await expect(users().getUser(tenantId, u.id)).resolves.toMatchObject({ credentialVersion: 2, email: 'other@example.com' });
        await expect(users().findUserByUsername(tenantId, u.username)).resolves.toMatchObject({ credentialVersion: 2 });
      });

      it('deleting a user removes its tokens, grants and role assignments', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        const t = token(u);
        await tokens().recordToken(t);
        await rolesAndGrants().grantPermission(permission(u));
        const r = await rolesAndGrants().createRole(role(tenantId));
        await rolesAndGrants().assignRole({ userId: u.id, roleId: r.id, tenantId, assignedBy: 'admin', assignedAt: at(0) });

        await expectRejection(users().deleteUser(randomUUID(), u.id), NotFoundError, { resource: 'user' });
        await users().deleteUser(tenantId, u.id);
        await expect(users().getUser(tenantId, u.id)).resolves.toBeNull();
        await expect(tokens().getActiveToken(tenantId, t.tokenId)).resolves.toBeNull();
        await expect(rolesAndGrants().listPermissions(tenantId, { userId: u.id })).resolves.toEqual([]);
        await expect(rolesAndGrants().listUserRoles(tenantId, u.id)).resolves.toEqual([]);
        await expect(rolesAndGrants().getRole(tenantId, r.id)).resolves.toEqual(r);
      });
    });

    describe('tokens', () => {
      it('records, lists (unexpired, per user, oldest first) and gets tokens within the tenant', async () => {
        const tenantId = randomUUID();
        const alice = await users().createUser(user(tenantId));
        const bob = await users().createUser(user(tenantId));
        const t1 = token(alice, { createdAt: at(1) });
        const t2 = token(bob, { createdAt: at(2) });
        const t3 = token(alice, { createdAt: at(3) });
        const expired = token(alice, { createdAt: at(0), expiresAt: at(100) });
        for (const t of [t3, expired, t2, t1]) await tokens().recordToken(t);

        const now = at(1000);
        const all = await tokens().listActiveTokens(tenantId, {}, now);
        expect(all.map((t) => t.tokenId)).toEqual([t1.tokenId, t2.tokenId, t3.tokenId]);
        expect(all[0]).toEqual({ ...t1, username: alice.username });
        const alices = await tokens().listActiveTokens(tenantId, { userId: alice.id }, now);
        expect(alices.map((t) => t.tokenId)).toEqual([t1.tokenId, t3.tokenId]);
        await expect(tokens().listActiveTokens(tenantId, {}, now, { limit: 1, offset: 1 })).resolves.toEqual([all[1]]);
        await expect(tokens().listActiveTokens(tenantId, {}, now, { limit: 0 })).resolves.toEqual([]);
        await expect(tokens().listActiveTokens(randomUUID(), {}, now)).resolves.toEqual([]);
        await expect(tokens().getActiveToken(tenantId, t2.tokenId)).resolves.toEqual({ ...t2, username: bob.username });
        await expect(tokens().getActiveToken(randomUUID(), t2.tokenId)).resolves.toBeNull();
      });

      it('refuses a token for an unknown user or a user of another tenant', async () => {
        const u = await users().createUser(user(randomUUID()));
        await expectRejection(tokens().recordToken(token(u, { userId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
        await expectRejection(tokens().recordToken(token(u, { tenantId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
      });

      it('revocation is recorded once, removes the active token and is visible to isTokenRevoked', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        const t = token(u);
        await tokens().recordToken(t);
        await expect(tokens().isTokenRevoked(t.tokenId)).resolves.toBe(false);
        const revocation = { tokenId: t.tokenId, tenantId, revokedAt: at(5), expiresAt: t.expiresAt, reason: 'logout' };
        await tokens().revokeToken(revocation);
        await tokens().revokeToken({ ...revocation, reason: 'again' });
        await expect(tokens().isTokenRevoked(t.tokenId)).resolves.toBe(true);
        await expect(tokens().getActiveToken(tenantId, t.tokenId)).resolves.toBeNull();
        // An id that was never recorded (a login token) can be revoked too.
        const unrecorded = randomUUID();
        await tokens().revokeToken({ ...revocation, tokenId: unrecorded });
        await expect(tokens().isTokenRevoked(unrecorded)).resolves.toBe(true);
        // A revoked id cannot be recorded again.
        await expectRejection(tokens().recordToken(t), AlreadyExistsError, { resource: 'token' });
      });

      it('cleanup deletes expired active and revoked rows of the tenant only', async () => {
        const tenantId = randomUUID();
        const otherTenant = randomUUID();
        const u = await users().createUser(user(tenantId));
        const other = await users().createUser(user(otherTenant));
        const live = token(u, { expiresAt: at(10_000) });
        const dead = token(u, { expiresAt: at(10) });
        const otherDead = token(other, { expiresAt: at(10) });
        for (const t of [live, dead, otherDead]) await tokens().recordToken(t);
        const revokedDead = randomUUID();
        await tokens().revokeToken({ tokenId: revokedDead, tenantId, revokedAt: at(1), expiresAt: at(20), reason: null });

        await expect(tokens().deleteExpiredTokens({ tenantId }, at(500))).resolves.toBe(2);
        await expect(tokens().isTokenRevoked(revokedDead)).resolves.toBe(false);
        await expect(tokens().getActiveToken(tenantId, live.tokenId)).resolves.not.toBeNull();
        await expect(tokens().getActiveToken(otherTenant, otherDead.tokenId)).resolves.not.toBeNull();
      });
    });

    describe('roles and grants', () => {
      it('creates, reads, lists (by name) and updates roles inside the tenant', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('r');
        const created: Role[] = [];
        for (const name of [...names].reverse()) created.push(await rolesAndGrants().createRole(role(tenantId, { name })));
        const listed = await rolesAndGrants().listRoles(tenantId);
        expect(listed.map((r) => r.name)).toEqual(names);
        await expectPagination((page) => rolesAndGrants().listRoles(tenantId, page), listed);
        await expect(rolesAndGrants().getRole(tenantId, created[0].id)).resolves.toEqual(created[0]);
        await expect(rolesAndGrants().getRole(randomUUID(), created[0].id)).resolves.toBeNull();

        const grants: PermissionGrant[] = [
          { scope: { type: 'tenant' }, actions: ['list'] },
          { scope: { type: 'asset', catalog_id: 'c', namespace: 'a.b', asset_id: 'x' }, actions: ['ingest-branching'] },
          { scope: { type: 'tag', tag_name: 'pii' }, actions: ['read'] },
        ];
        const updated = await rolesAndGrants().updateRole(tenantId, created[0].id, { name: 'renamed', description: null, permissions: grants }, at(7));
        expect(updated).toEqual({ ...created[0], name: 'renamed', description: null, permissions: grants, updatedAt: at(7) });
        await expect(rolesAndGrants().getRole(tenantId, created[0].id)).resolves.toEqual(updated);
        await expectRejection(
          rolesAndGrants().updateRole(tenantId, created[1].id, { name: 'renamed', description: null, permissions: [] }, at(8)),
          AlreadyExistsError,
          { resource: 'role' },
        );
        await expectRejection(
          rolesAndGrants().updateRole(randomUUID(), created[1].id, { name: 'x', description: null, permissions: [] }, at(8)),
          NotFoundError,
          { resource: 'role' },
        );
      });

      it('role names are unique per tenant', async () => {
        const tenantId = randomUUID();
        const first = await rolesAndGrants().createRole(role(tenantId));
        await expectRejection(rolesAndGrants().createRole(role(tenantId, { name: first.name })), AlreadyExistsError, {
          resource: 'role',
        });
        await expect(rolesAndGrants().createRole(role(randomUUID(), { name: first.name }))).resolves.toBeDefined();
      });

      it('assigns roles within the tenant only, once, and combines them with direct grants', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        const readers = await rolesAndGrants().createRole(role(tenantId, { name: 'b-readers' }));
        const writers = await rolesAndGrants().createRole(
          role(tenantId, { name: 'a-writers', permissions: [{ scope: { type: 'tenant' }, actions: ['write'] }] }),
        );
        const foreignRole = await rolesAndGrants().createRole(role(randomUUID()));
        const assignment = { userId: u.id, tenantId, assignedBy: 'admin', assignedAt: at(0) };
        await rolesAndGrants().assignRole({ ...assignment, roleId: readers.id });
        await rolesAndGrants().assignRole({ ...assignment, roleId: writers.id });
        await expectRejection(rolesAndGrants().assignRole({ ...assignment, roleId: readers.id }), AlreadyExistsError, {
          resource: 'role',
        });
        await expectRejection(rolesAndGrants().assignRole({ ...assignment, roleId: foreignRole.id }), NotFoundError, {
          resource: 'role',
        });
        await expectRejection(rolesAndGrants().assignRole({ ...assignment, userId: randomUUID(), roleId: readers.id }), NotFoundError, {
          resource: 'user',
        });
        await expect(rolesAndGrants().listUserRoles(tenantId, u.id)).resolves.toEqual([writers, readers]);

        const direct = await rolesAndGrants().grantPermission(permission(u));
        await expect(rolesAndGrants().getEffectiveGrants(tenantId, u.id)).resolves.toEqual([
          { scope: direct.scope, actions: direct.actions },
          ...writers.permissions,
          ...readers.permissions,
        ]);
        await expect(rolesAndGrants().getEffectiveGrants(randomUUID(), u.id)).resolves.toEqual([]);

        await rolesAndGrants().unassignRole(tenantId, u.id, writers.id);
        await expectRejection(rolesAndGrants().unassignRole(tenantId, u.id, writers.id), NotFoundError, { resource: 'role' });
        await rolesAndGrants().deleteRole(tenantId, readers.id);
        await expect(rolesAndGrants().listUserRoles(tenantId, u.id)).resolves.toEqual([]);
        await expectRejection(rolesAndGrants().deleteRole(tenantId, readers.id), NotFoundError, { resource: 'role' });
      });

      it('grants, lists (oldest first), reads and revokes direct permissions within the tenant', async () => {
        const tenantId = randomUUID();
        const u = await users().createUser(user(tenantId));
        const v = await users().createUser(user(tenantId));
        const grants = [
          await rolesAndGrants().grantPermission(permission(u, { grantedAt: at(1) })),
          await rolesAndGrants().grantPermission(permission(v, { grantedAt: at(2) })),
          await rolesAndGrants().grantPermission(permission(u, { grantedAt: at(3), scope: { type: 'tenant' } })),
        ];
        await expectPagination((page) => rolesAndGrants().listPermissions(tenantId, {}, page), grants);
        await expect(rolesAndGrants().listPermissions(tenantId, { userId: u.id })).resolves.toEqual([grants[0], grants[2]]);
        await expect(rolesAndGrants().getPermission(tenantId, grants[1].id)).resolves.toEqual(grants[1]);
        await expect(rolesAndGrants().getPermission(randomUUID(), grants[1].id)).resolves.toBeNull();
        await expectRejection(rolesAndGrants().grantPermission(permission(u, { tenantId: randomUUID() })), NotFoundError, {
          resource: 'user',
        });
        await expectRejection(rolesAndGrants().revokePermission(randomUUID(), grants[1].id), NotFoundError, {
          resource: 'permission',
        });
        await rolesAndGrants().revokePermission(tenantId, grants[1].id);
        await expect(rolesAndGrants().getPermission(tenantId, grants[1].id)).resolves.toBeNull();
      });
    });

    describe('service users', () => {
      it('creates, reads, lists by name, updates and deletes service users inside the tenant', async () => {
        const tenantId = randomUUID();
        const names = binaryOrderedNames('svc');
        const created: ServiceUser[] = [];
        for (const name of [...names].reverse()) {
          created.push(await serviceUsers().createServiceUser(serviceUser(tenantId, { name, expiresAt: at(99) })));
        }
        const listed = await serviceUsers().listServiceUsers(tenantId);
        expect(listed.map((s) => s.name)).toEqual(names);
        await expectPagination((page) => serviceUsers().listServiceUsers(tenantId, page), listed);

        const s = created[0];
        await expect(serviceUsers().getServiceUser(tenantId, s.id)).resolves.toEqual(s);
        await expect(serviceUsers().getServiceUser(randomUUID(), s.id)).resolves.toBeNull();
        await expect(serviceUsers().getServiceUserForAuthentication(s.id)).resolves.toEqual(s);

        const updated = await serviceUsers().updateServiceUser(tenantId, s.id, {
          active: false,
          apiKeyHash: '$2b$10$rotated',
          lastUsedAt: at(50),
          expiresAt: null,
        });
        expect(updated).toEqual({ ...s, active: false, apiKeyHash: '$2b$10$rotated', lastUsedAt: at(50), expiresAt: null });
        await expect(serviceUsers().getServiceUser(tenantId, s.id)).resolves.toEqual(updated);
        await expectRejection(serviceUsers().updateServiceUser(tenantId, s.id, { name: created[1].name }), AlreadyExistsError, {
          resource: 'service-user',
        });
        await expectRejection(serviceUsers().updateServiceUser(randomUUID(), s.id, { active: true }), NotFoundError, {
          resource: 'service-user',
        });
        await expectRejection(serviceUsers().createServiceUser(serviceUser(tenantId, { name: s.name })), AlreadyExistsError, {
          resource: 'service-user',
        });
        await expectRejection(serviceUsers().deleteServiceUser(randomUUID(), s.id), NotFoundError, { resource: 'service-user' });
        await serviceUsers().deleteServiceUser(tenantId, s.id);
        await expect(serviceUsers().getServiceUserForAuthentication(s.id)).resolves.toBeNull();
      });

      it('service users receive direct grants inside their tenant; deleting one deletes its grants', async () => {
        const tenantId = randomUUID();
        const s = await serviceUsers().createServiceUser(serviceUser(tenantId));
        const other = await serviceUsers().createServiceUser(serviceUser(tenantId));
        const grant: Permission = {
          id: randomUUID(),
          tenantId,
          userId: s.id,
          scope: { type: 'tenant' },
          actions: ['read'],
          grantedBy: 'admin',
          grantedAt: at(1),
        };
        await expect(rolesAndGrants().grantPermission(grant)).resolves.toEqual(grant);
        const kept = await rolesAndGrants().grantPermission({ ...grant, id: randomUUID(), userId: other.id });
        await expect(rolesAndGrants().getEffectiveGrants(tenantId, s.id)).resolves.toEqual([{ scope: { type: 'tenant' }, actions: ['read'] }]);
        await expect(rolesAndGrants().listPermissions(tenantId, { userId: s.id })).resolves.toEqual([grant]);
        await expectRejection(rolesAndGrants().grantPermission({ ...grant, id: randomUUID(), tenantId: randomUUID() }), NotFoundError, {
          resource: 'user',
        });
        await serviceUsers().deleteServiceUser(tenantId, s.id);
        await expect(rolesAndGrants().listPermissions(tenantId, {})).resolves.toEqual([kept]);
        await expect(rolesAndGrants().getEffectiveGrants(tenantId, s.id)).resolves.toEqual([]);
      });

      it('raises a service user’s credential version by one per bump, with the rest of the patch', async () => {
        const tenantId = randomUUID();
        const s = await serviceUsers().createServiceUser(serviceUser(tenantId));
        expect(s.credentialVersion).toBe(0);
        const rotated = await serviceUsers().updateServiceUser(tenantId, s.id, { apiKeyHash: '$2b$10$next', bumpCredentialVersion: true });
        expect(rotated).toEqual({ ...s, apiKeyHash: '$2b$10$next', credentialVersion: 1 });
        await serviceUsers().updateServiceUser(tenantId, s.id, { lastUsedAt: at(5) });
        await expect(serviceUsers().getServiceUserForAuthentication(s.id)).resolves.toMatchObject({ credentialVersion: 1, lastUsedAt: at(5) });
        await expect(serviceUsers().getServiceUser(tenantId, s.id)).resolves.not.toHaveProperty('bumpCredentialVersion');
      });
    });

    it('deleting a tenant’s identities leaves other tenants untouched', async () => {
      const tenantId = randomUUID();
      const otherTenant = randomUUID();
      const u = await users().createUser(user(tenantId));
      const keep = await users().createUser(user(otherTenant));
      await tokens().recordToken(token(u));
      await rolesAndGrants().createRole(role(tenantId));
      const svc = await serviceUsers().createServiceUser(serviceUser(tenantId));
      await tenantIdentities().deleteTenantIdentities(tenantId);
      await expect(users().listUsers(tenantId)).resolves.toEqual([]);
      await expect(rolesAndGrants().listRoles(tenantId)).resolves.toEqual([]);
      await expect(serviceUsers().getServiceUserForAuthentication(svc.id)).resolves.toBeNull();
      await expect(tokens().listActiveTokens(tenantId, {}, at(0))).resolves.toEqual([]);
      await expect(users().getUser(otherTenant, keep.id)).resolves.toEqual(keep);
    });
  });
}
