import {
  AUTH_BACKENDS,
  bearer,
  createTenantUser,
  createTenantWithAdmin,
  login,
  rootLogin,
  startAuthApp,
  type AuthTestApp,
  type TenantFixture,
} from './auth-support';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const US = '%1F';

/**
 * Grants at work: catalog, namespace and asset scopes, roles, action implication, and the branching
 * actions that branch creation checks by branch type.
 */
for (const kind of AUTH_BACKENDS) {
  describe(`RBAC grants [${kind}]`, () => {
    let t: AuthTestApp;
    let acme: TenantFixture;
    let catalogId: string;

    const grant = (userId: string, scope: object, actions: string[]) =>
      t.http.post('/api/v1/permissions').set(bearer(acme.adminToken)).send({ 'user-id': userId, scope, actions }).expect(201);

    beforeAll(async () => {
      t = await startAuthApp(kind);
      acme = await createTenantWithAdmin(t.http, await rootLogin(t.http), 'rbac');
      const admin = bearer(acme.adminToken);
      const catalog = await t.http.post('/api/v1/catalogs').set(admin).send({ name: 'sales' }).expect(201);
      catalogId = catalog.body.id;
      await t.http.post('/api/v1/catalogs').set(admin).send({ name: 'hr' }).expect(201);
      for (const ns of [['eu'], ['eu', 'fr'], ['us']]) {
        await t.http.post('/v1/sales/namespaces').set(admin).send({ namespace: ns }).expect(200);
      }
      for (const [ns, table] of [
        [`eu`, 'orders'],
        [`eu${US}fr`, 'invoices'],
        ['us', 'orders'],
      ]) {
        await t.http.post(`/v1/sales/namespaces/${ns}/tables`).set(admin).send({ name: table, schema: SCHEMA }).expect(200);
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    it("a tenant user's catalog list holds the catalogs its grants show, paginated after filtering", async () => {
      const hrId = (await t.http.get('/api/v1/catalogs/hr').set(bearer(acme.adminToken)).expect(200)).body.id as string;
      const names = async (token: string, query = '') =>
        (await t.http.get(`/api/v1/catalogs${query}`).set(bearer(token)).expect(200)).body.map((c: { name: string }) => c.name);

      const nobody = await createTenantUser(t.http, acme, 'list-no-grant');
      expect(await names(nobody.token)).toEqual([]);

      const namespaceOnly = await createTenantUser(t.http, acme, 'list-namespace-grant');
      await grant(namespaceOnly.id, { type: 'namespace', catalog_id: catalogId, namespace: 'eu' }, ['read']);
      expect(await names(namespaceOnly.token)).toEqual([]); // a namespace grant does not list its catalog

      const discoverer = await createTenantUser(t.http, acme, 'list-discovery');
      await grant(discoverer.id, { type: 'catalog', catalog_id: hrId }, ['manage-discovery']);
      expect(await names(discoverer.token)).toEqual(['hr']);

      const tenantReader = await createTenantUser(t.http, acme, 'list-tenant-read');
      await grant(tenantReader.id, { type: 'tenant' }, ['read']);
      expect(await names(tenantReader.token)).toEqual(['hr', 'sales']);
      expect(await names(tenantReader.token, '?limit=1&offset=1')).toEqual(['sales']);

      const salesReader = await createTenantUser(t.http, acme, 'list-sales-read');
      await grant(salesReader.id, { type: 'catalog', catalog_id: catalogId }, ['write']);
      // Filtered first, then paged: the first page is never cut short by a hidden catalog.
      expect(await names(salesReader.token, '?limit=1')).toEqual(['sales']);
      expect(await names(salesReader.token, '?limit=1&offset=1')).toEqual([]);
      // Admins see every catalog.
      expect(await names(acme.adminToken)).toEqual(['hr', 'sales']);
    });

    it("a tenant user's asset list holds the assets its grants show, paginated after filtering", async () => {
      const admin = bearer(acme.adminToken);
      const usOrders = (await t.http.get('/api/v1/catalogs/sales/namespaces/us/assets/orders').set(admin).expect(200)).body.id as string;
      const names = async (token: string, namespace: string, query = '') =>
        (await t.http.get(`/api/v1/catalogs/sales/namespaces/${namespace}/assets${query}`).set(bearer(token)).expect(200)).body.map(
          (a: { name: string }) => a.name,
        );

      const nobody = await createTenantUser(t.http, acme, 'assets-no-grant');
      expect(await names(nobody.token, 'eu')).toEqual([]);
      await t.http.get('/api/v1/catalogs/missing/namespaces/eu/assets').set(bearer(nobody.token)).expect(404);

      const euReader = await createTenantUser(t.http, acme, 'assets-eu-read');
      await grant(euReader.id, { type: 'namespace', catalog_id: catalogId, namespace: 'eu' }, ['read']);
      expect(await names(euReader.token, 'eu')).toEqual(['orders']);
      expect(await names(euReader.token, 'eu.fr')).toEqual(['invoices']); // a namespace grant covers its children
      expect(await names(euReader.token, 'us')).toEqual([]);

      const oneAsset = await createTenantUser(t.http, acme, 'assets-one');
      await grant(oneAsset.id, { type: 'asset', catalog_id: catalogId, namespace: 'us', asset_id: usOrders }, ['manage-discovery']);
      expect(await names(oneAsset.token, 'us')).toEqual(['orders']);
      expect(await names(oneAsset.token, 'us', '?offset=1')).toEqual([]);
      expect(await names(oneAsset.token, 'eu')).toEqual([]);

      const lister = await createTenantUser(t.http, acme, 'assets-list-only');
      await grant(lister.id, { type: 'catalog', catalog_id: catalogId }, ['list']);
      expect(await names(lister.token, 'us')).toEqual([]); // `list` does not imply read or manage-discovery
      expect(await names(acme.adminToken, 'us')).toEqual(['orders']);
    });

    it('a catalog read grant reads that catalog only, and never writes', async () => {
      const user = await createTenantUser(t.http, acme, 'catalog-reader');
      await grant(user.id, { type: 'catalog', catalog_id: catalogId }, ['read']);
      const h = bearer(user.token);
      await t.http.get('/api/v1/catalogs/sales').set(h).expect(200);
      await t.http.get('/v1/sales/namespaces').set(h).expect(200);
      await t.http.get('/v1/sales/namespaces/us/tables/orders').set(h).expect(200);
      await t.http.get('/api/v1/catalogs/hr').set(h).expect(403);
      // The catalog list shows what the grants show (contract §2.1).
      expect((await t.http.get('/api/v1/catalogs').set(h).expect(200)).body.map((c: { name: string }) => c.name)).toEqual(['sales']);
      await t.http.delete('/v1/sales/namespaces/us/tables/orders').set(h).expect(403);
      await t.http.post('/v1/sales/namespaces').set(h).send({ namespace: ['new'] }).expect(403);
      await t.http.get('/api/v1/catalogs/missing').set(h).expect(404);
    });

    it('a namespace write grant covers that namespace and its children only', async () => {
      const user = await createTenantUser(t.http, acme, 'eu-writer');
      await grant(user.id, { type: 'namespace', catalog_id: catalogId, namespace: 'eu' }, ['write']);
      const h = bearer(user.token);
      await t.http.get('/v1/sales/namespaces/eu/tables/orders').set(h).expect(200);
      await t.http.get(`/v1/sales/namespaces/eu${US}fr/tables/invoices`).set(h).expect(200);
      await t.http.get('/v1/sales/namespaces/eu/tables').set(h).expect(200);
      await t.http.get('/v1/sales/namespaces/us/tables/orders').set(h).expect(403);
      await t.http.get('/v1/sales/namespaces').set(h).expect(403); // the catalog as a whole is not granted
      await t.http.get('/v1/sales/namespaces?parent=eu').set(h).expect(200);
      await t.http.post(`/v1/sales/namespaces/eu/tables`).set(h).send({ name: 'returns', schema: SCHEMA }).expect(200);
      await t.http.delete('/v1/sales/namespaces/eu/tables/returns').set(h).expect(204);
    });

    it('an asset grant covers one table, found by its id', async () => {
      const user = await createTenantUser(t.http, acme, 'one-table');
      const admin = bearer(acme.adminToken);
      const asset = await t.ports.assets.getAsset(acme.tenantId, 'sales', 'main', ['us'], 'orders');
      expect(asset).not.toBeNull();
      await grant(user.id, { type: 'asset', catalog_id: catalogId, namespace: 'us', asset_id: asset!.id }, ['read']);
      await t.http.get('/v1/sales/namespaces/us/tables/orders').set(bearer(user.token)).expect(200);
      await t.http.get('/v1/sales/namespaces/eu/tables/orders').set(bearer(user.token)).expect(403);
      await t.http.get('/v1/sales/namespaces/us/tables').set(bearer(user.token)).expect(403);
      await t.http.get('/v1/sales/namespaces/us/tables/orders').set(admin).expect(200);
    });

    it('grants through roles apply, and stop when the role is unassigned', async () => {
      const user = await createTenantUser(t.http, acme, 'role-holder');
      const admin = bearer(acme.adminToken);
      const role = await t.http
        .post('/api/v1/roles')
        .set(admin)
        .send({ name: 'sales-readers', permissions: [{ scope: { type: 'catalog', catalog_id: catalogId }, actions: ['read'] }] })
        .expect(201);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(user.token)).expect(403);
      await t.http.post(`/api/v1/users/${user.id}/roles`).set(admin).send({ 'role-id': role.body.id }).expect(201);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(user.token)).expect(200);
      const roles = await t.http.get(`/api/v1/users/${user.id}/roles`).set(bearer(user.token)).expect(200);
      expect(roles.body.map((r: { name: string }) => r.name)).toEqual(['sales-readers']);
      expect(roles.body[0].permissions).toEqual([{ scope: { type: 'catalog', catalog_id: catalogId }, actions: ['read'] }]);
      await t.http.delete(`/api/v1/users/${user.id}/roles/${role.body.id}`).set(admin).expect(204);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(user.token)).expect(403);
    });

    it('branch creation checks the action of the branch type; write does not imply branching', async () => {
      const user = await createTenantUser(t.http, acme, 'brancher');
      const h = bearer(user.token);
      await grant(user.id, { type: 'catalog', catalog_id: catalogId }, ['write', 'experimental-branching']);
      await t.http.post('/api/v1/branches').set(h).send({ catalog: 'sales', name: 'exp-1', branch_type: 'experimental' }).expect(201);
      await t.http.post('/api/v1/branches').set(h).send({ catalog: 'sales', name: 'ing-1', branch_type: 'ingest' }).expect(403);
      await t.http.post('/api/v1/branches').set(h).send({ catalog: 'sales', name: 'ing-2', branch_type: 'INGEST' }).expect(403);
      await grant(user.id, { type: 'catalog', catalog_id: catalogId }, ['ingest-branching']);
      await t.http.post('/api/v1/branches').set(h).send({ catalog: 'sales', name: 'ing-1', branch_type: 'ingest' }).expect(201);
      // Merging needs write on the catalog (contract §9 #9); a read-only user cannot.
      const reader = await createTenantUser(t.http, acme, 'merge-reader');
      await grant(reader.id, { type: 'catalog', catalog_id: catalogId }, ['read']);
      await t.http
        .post('/api/v1/branches/merge')
        .set(bearer(reader.token))
        .send({ catalog: 'sales', source_branch: 'exp-1', target_branch: 'main' })
        .expect(403);
      const merged = await t.http.post('/api/v1/branches/merge').set(h).send({ catalog: 'sales', source_branch: 'exp-1', target_branch: 'main' });
      expect([200, 409]).toContain(merged.status);
    });

    it('creating a table on a branch that does not exist yet (fork-on-write) also needs experimental-branching', async () => {
      const user = await createTenantUser(t.http, acme, 'forker');
      const h = bearer(user.token);
      await grant(user.id, { type: 'namespace', catalog_id: catalogId, namespace: 'us' }, ['create']);
      await t.http.post('/v1/sales/namespaces/us/tables').set(h).send({ name: 'on-main', schema: SCHEMA }).expect(200);
      await t.http.post('/v1/sales/namespaces/us/tables').set(h).send({ name: 'forked@feature-x', schema: SCHEMA }).expect(403);
      await t.http.post('/v1/sales/namespaces/us/tables?branch=feature-y').set(h).send({ name: 'forked', schema: SCHEMA }).expect(403);
      await grant(user.id, { type: 'catalog', catalog_id: catalogId }, ['experimental-branching']);
      await t.http.post('/v1/sales/namespaces/us/tables').set(h).send({ name: 'forked@feature-x', schema: SCHEMA }).expect(200);
      // The branch exists now: another table on it needs only `create`.
      const other = await createTenantUser(t.http, acme, 'forker-two');
      await grant(other.id, { type: 'namespace', catalog_id: catalogId, namespace: 'us' }, ['create']);
      await t.http.post('/v1/sales/namespaces/us/tables').set(bearer(other.token)).send({ name: 'second@feature-x', schema: SCHEMA }).expect(200);
    });

    it('revoking a grant takes effect on the next request', async () => {
      const user = await createTenantUser(t.http, acme, 'short-lived');
      const permission = await grant(user.id, { type: 'tenant' }, ['read']);
      const listed = async (token: string) =>
        (await t.http.get('/api/v1/catalogs').set(bearer(token)).expect(200)).body.map((c: { name: string }) => c.name);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(user.token)).expect(200);
      expect(await listed(user.token)).toEqual(['hr', 'sales']);
      await t.http.delete(`/api/v1/permissions/${permission.body.id}`).set(bearer(acme.adminToken)).expect(204);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(user.token)).expect(403);
      expect(await listed(user.token)).toEqual([]);
      // A fresh login changes nothing: grants are read per request, not baked into tokens.
      const fresh = await login(t.http, user.username, user.password, acme.tenantId);
      await t.http.get('/api/v1/catalogs/sales').set(bearer(fresh)).expect(403);
      expect(await listed(fresh)).toEqual([]);
    });
  });
}
