import type { Test } from 'supertest';
import {
  AUTH_BACKENDS,
  bearer,
  createTenantUser,
  createTenantWithAdmin,
  rootLogin,
  startAuthApp,
  type AuthTestApp,
  type TenantFixture,
} from './auth-support';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

/**
 * Cross-tenant isolation for every resource type: tenant B's admin addresses everything tenant A owns, by
 * name and by id, on the management and Iceberg routes. Every call is a 404 (never 403: another tenant's
 * names simply do not exist for B; listing an unknown catalog's branches may also answer an empty list),
 * every list leaves A's records out, and B may reuse A's names.
 */
for (const kind of AUTH_BACKENDS) {
  describe(`cross-tenant isolation [${kind}]`, () => {
    let t: AuthTestApp;
    let a: TenantFixture;
    let b: TenantFixture;
    const A: Record<string, string> = {};

    beforeAll(async () => {
      t = await startAuthApp(kind);
      const root = await rootLogin(t.http);
      a = await createTenantWithAdmin(t.http, root, 'alpha');
      b = await createTenantWithAdmin(t.http, root, 'beta');
      const admin = bearer(a.adminToken);
      await t.http.post('/api/v1/warehouses').set(admin).send({ name: 'wh-a', storage_config: { type: 'memory' } }).expect(201);
      await t.http.post('/api/v1/catalogs').set(admin).send({ name: 'cat-a' }).expect(201);
      await t.http.post('/v1/cat-a/namespaces').set(admin).send({ namespace: ['ns'] }).expect(200);
      await t.http.post('/v1/cat-a/namespaces/ns/tables').set(admin).send({ name: 'tbl', schema: SCHEMA }).expect(200);
      await t.http
        .post('/api/v1/catalogs/cat-a/namespaces/ns/assets')
        .set(admin)
        .send({ name: 'report', kind: 'CSV_TABLE', location: 'file:///tmp/report.csv' })
        .expect((res) => expect([200, 201]).toContain(res.status));
      await t.http.post('/api/v1/branches').set(admin).send({ catalog: 'cat-a', name: 'dev', from_branch: 'main' }).expect(201);
      const main = await t.http.get('/api/v1/branches/main?catalog=cat-a').set(admin).expect(200);
      await t.http.post('/api/v1/tags').set(admin).send({ catalog: 'cat-a', name: 'v1', commit_id: main.body.head_commit_id }).expect(200);
      const merge = await t.http.post('/api/v1/branches/merge').set(admin).send({ catalog: 'cat-a', source_branch: 'dev', target_branch: 'main' });
      A.operation = merge.body.id ?? merge.body.operation_id;
      const user = await createTenantUser(t.http, a, 'alice');
      A.user = user.id;
      A.userToken = user.token;
      A.tokenId = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString()).jti;
      const role = await t.http.post('/api/v1/roles').set(admin).send({ name: 'readers' }).expect(201);
      A.role = role.body.id;
      await t.http.post(`/api/v1/users/${A.user}/roles`).set(admin).send({ 'role-id': A.role }).expect(201);
      const grant = await t.http
        .post('/api/v1/permissions')
        .set(admin)
        .send({ 'user-id': A.user, scope: { type: 'tenant' }, actions: ['read'] })
        .expect(201);
      A.permission = grant.body.id;
      const svc = await t.http.post('/api/v1/service-users').set(admin).send({ name: 'etl', role: 'tenant-user' }).expect(201);
      A.serviceUser = svc.body.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it("every by-name and by-id call on another tenant's resources is 404", async () => {
      const hb = bearer(b.adminToken);
      const json = { 'Content-Type': 'application/json' };
      const calls: [string, () => Test][] = [
        ['GET tenant', () => t.http.get(`/api/v1/tenants/${a.tenantId}`)],
        ['GET warehouse', () => t.http.get('/api/v1/warehouses/wh-a')],
        ['PUT warehouse', () => t.http.put('/api/v1/warehouses/wh-a').set(json).send({})],
        ['DELETE warehouse', () => t.http.delete('/api/v1/warehouses/wh-a')],
        ['GET catalog', () => t.http.get('/api/v1/catalogs/cat-a')],
        ['PUT catalog', () => t.http.put('/api/v1/catalogs/cat-a').set(json).send({})],
        ['DELETE catalog', () => t.http.delete('/api/v1/catalogs/cat-a')],
        ['GET catalog summary', () => t.http.get('/api/v1/catalogs/cat-a/summary')],
        ['GET namespace tree', () => t.http.get('/api/v1/catalogs/cat-a/namespaces/tree')],
        ['Iceberg list namespaces', () => t.http.get('/v1/cat-a/namespaces')],
        ['Iceberg load namespace', () => t.http.get('/v1/cat-a/namespaces/ns')],
        ['Iceberg list tables', () => t.http.get('/v1/cat-a/namespaces/ns/tables')],
        ['Iceberg load table', () => t.http.get('/v1/cat-a/namespaces/ns/tables/tbl')],
        ['Iceberg load table (doubled)', () => t.http.get('/v1/cat-a/v1/namespaces/ns/tables/tbl')],
        ['Iceberg HEAD table', () => t.http.head('/v1/cat-a/namespaces/ns/tables/tbl')],
        ['Iceberg drop table', () => t.http.delete('/v1/cat-a/namespaces/ns/tables/tbl')],
        ['Iceberg commit', () => t.http.post('/v1/cat-a/namespaces/ns/tables/tbl').set(json).send({ requirements: [], updates: [] })],
        ['list assets', () => t.http.get('/api/v1/catalogs/cat-a/namespaces/ns/assets')],
        ['get asset', () => t.http.get('/api/v1/catalogs/cat-a/namespaces/ns/assets/report')],
        ['list branches', () => t.http.get('/api/v1/branches?catalog=cat-a')],
        ['get branch', () => t.http.get('/api/v1/branches/dev?catalog=cat-a')],
        ['delete branch', () => t.http.delete('/api/v1/branches/dev?catalog=cat-a')],
        ['branch commits', () => t.http.get('/api/v1/branches/main/commits?catalog=cat-a')],
        ['list tags', () => t.http.get('/api/v1/tags?catalog=cat-a')],
        ['delete tag', () => t.http.delete('/api/v1/tags/v1?catalog=cat-a')],
        ['list merge operations', () => t.http.get('/api/v1/catalogs/cat-a/merge-operations')],
        ['get merge operation', () => t.http.get(`/api/v1/merge-operations/${A.operation}`)],
        ['merge conflicts', () => t.http.get(`/api/v1/merge-operations/${A.operation}/conflicts`)],
        ['abort merge', () => t.http.post(`/api/v1/merge-operations/${A.operation}/abort`).set(json).send({})],
        ['get user', () => t.http.get(`/api/v1/users/${A.user}`)],
        ['update user', () => t.http.put(`/api/v1/users/${A.user}`).set(json).send({ email: 'x@example.com' })],
        ['delete user', () => t.http.delete(`/api/v1/users/${A.user}`)],
        ['user tokens', () => t.http.get(`/api/v1/users/${A.user}/tokens`)],
        ['user roles', () => t.http.get(`/api/v1/users/${A.user}/roles`)],
        ['revoke token by id', () => t.http.delete(`/api/v1/tokens/${A.tokenId}`)],
        ['get role', () => t.http.get(`/api/v1/roles/${A.role}`)],
        ['update role', () => t.http.put(`/api/v1/roles/${A.role}`).set(json).send({ name: 'mine' })],
        ['delete role', () => t.http.delete(`/api/v1/roles/${A.role}`)],
        ['unassign role', () => t.http.delete(`/api/v1/users/${A.user}/roles/${A.role}`)],
        ['assign role', () => t.http.post(`/api/v1/users/${b.adminId}/roles`).set(json).send({ 'role-id': A.role })],
        ['grant to foreign user', () => t.http.post('/api/v1/permissions').set(json).send({ 'user-id': A.user, scope: { type: 'tenant' }, actions: ['all'] })],
        ['revoke permission', () => t.http.delete(`/api/v1/permissions/${A.permission}`)],
        ['get service user', () => t.http.get(`/api/v1/service-users/${A.serviceUser}`)],
        ['update service user', () => t.http.put(`/api/v1/service-users/${A.serviceUser}`).set(json).send({ active: false })],
        ['rotate service user', () => t.http.post(`/api/v1/service-users/${A.serviceUser}/rotate`).set(json).send({})],
        ['delete service user', () => t.http.delete(`/api/v1/service-users/${A.serviceUser}`)],
      ];
      const wrong: string[] = [];
      for (const [label, call] of calls) {
        const res = await call().set(hb);
        // A few list endpoints answer an unknown catalog with an empty list rather than 404: nothing leaks either way.
        const emptyList = label.startsWith('list ') && res.status === 200 && Array.isArray(res.body) && res.body.length === 0;
        if (res.status !== 404 && !emptyList) wrong.push(`${label}: ${res.status} ${res.text.slice(0, 100)}`);
      }
      expect(wrong).toEqual([]);
      // Nothing of A's changed: its user still works, its table still loads.
      await t.http.get('/api/v1/users/me').set(bearer(A.userToken)).expect(200);
      await t.http.get('/v1/cat-a/namespaces/ns/tables/tbl').set(bearer(a.adminToken)).expect(200);
    });

    it("lists never show another tenant's records", async () => {
      const hb = bearer(b.adminToken);
      const lists = await Promise.all([
        t.http.get('/api/v1/warehouses').set(hb),
        t.http.get('/api/v1/catalogs').set(hb),
        t.http.get('/api/v1/users').set(hb),
        t.http.get('/api/v1/roles').set(hb),
        t.http.get('/api/v1/permissions').set(hb),
        t.http.get(`/api/v1/permissions?user=${A.user}`).set(hb),
        t.http.get('/api/v1/service-users').set(hb),
        t.http.get('/api/v1/users/me/tokens').set(hb),
      ]);
      for (const res of lists) {
        expect(res.status).toBe(200);
        const text = JSON.stringify(res.body);
        for (const foreign of ['wh-a', 'cat-a', 'alice', 'readers', 'etl', A.user, A.role, A.permission, A.serviceUser, A.tokenId]) {
          expect(text).not.toContain(foreign);
        }
      }
    });

    it("another tenant's names are free to reuse", async () => {
      const hb = bearer(b.adminToken);
      await t.http.post('/api/v1/warehouses').set(hb).send({ name: 'wh-a', storage_config: { type: 'memory' } }).expect(201);
      await t.http.post('/api/v1/catalogs').set(hb).send({ name: 'cat-a' }).expect(201);
      await t.http.post('/v1/cat-a/namespaces').set(hb).send({ namespace: ['ns'] }).expect(200);
      await createTenantUser(t.http, b, 'alice');
      await t.http.post('/api/v1/roles').set(hb).send({ name: 'readers' }).expect(201);
      await t.http.post('/api/v1/service-users').set(hb).send({ name: 'etl', role: 'tenant-user' }).expect(201);
      // B's catalog is B's: its namespace list does not show A's namespaces' tables.
      const tables = await t.http.get('/v1/cat-a/namespaces/ns/tables').set(hb).expect(200);
      expect(tables.body.identifiers).toEqual([]);
    });

    it("a tenant user's grant on its own tenant never reaches another tenant", async () => {
      // alice holds a tenant-wide read grant in A; B's catalog of the same name stays out of reach.
      const own = await t.http.get('/api/v1/catalogs/cat-a').set(bearer(A.userToken)).expect(200);
      const bCatalog = await t.http.get('/api/v1/catalogs/cat-a').set(bearer(b.adminToken)).expect(200);
      expect(own.body.id).not.toBe(bCatalog.body.id);
      await t.http.get('/api/v1/catalogs/cat-a').set(bearer(A.userToken)).set('X-Pangolin-Tenant', b.tenantId).expect(200, own.body);
    });
  });
}
