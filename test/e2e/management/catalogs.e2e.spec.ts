import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { describeEachBackend } from '../../support/app-harness';
import { expectManagementError, putAsset, uniqueName, UUID_PATTERN } from './management-test-helpers';

describeEachBackend('management API: catalogs', (ctx) => {
  const createCatalog = (body: Record<string, unknown>) => ctx.http.post('/api/v1/catalogs').send(body);

  describe('create', () => {
    it('answers 201 with the full CatalogResponse, optional fields null, maps objects', async () => {
      const name = uniqueName('cat');
      const res = await createCatalog({ name }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_PATTERN),
        name,
        catalog_type: 'Local',
        warehouse_name: null,
        storage_location: null,
        federated_config: null,
        properties: {},
      });
    });

    it('creates namespace `default` and branch `main` with it', async () => {
      const name = uniqueName('cat');
      await createCatalog({ name }).expect(201);
      expect(await ctx.ports.namespaces.getNamespace(DEFAULT_TENANT_ID, name, ['default'])).not.toBeNull();
      const main = await ctx.ports.branches.getBranch(DEFAULT_TENANT_ID, name, 'main');
      expect(main).toMatchObject({ name: 'main', branchType: 'ingest' });
    });

    it('stores every supplied field', async () => {
      const warehouse = uniqueName('wh');
      await ctx.http.post('/api/v1/warehouses').send({ name: warehouse, storage_config: { type: 'memory', root: `mem://${warehouse}` } }).expect(201);
      const name = uniqueName('cat');
      const body = {
        name,
        catalog_type: 'Local',
        warehouse_name: warehouse,
        storage_location: `mem://${warehouse}/prefix`,
        properties: { owner: 'data-team', 'write.format': 'parquet' },
      };
      const created = await createCatalog(body).expect(201);
      expect(created.body).toMatchObject({ ...body, federated_config: null });
      const read = await ctx.http.get(`/api/v1/catalogs/${name}`).expect(200);
      expect(read.body).toEqual(created.body);
    });

    it('answers 409 for a name already taken, and keeps the original', async () => {
      const name = uniqueName('dup');
      const first = await createCatalog({ name, properties: { v: '1' } }).expect(201);
      const res = await createCatalog({ name, properties: { v: '2' } });
      expectManagementError(res, 409, /already exists/);
      const read = await ctx.http.get(`/api/v1/catalogs/${name}`).expect(200);
      expect(read.body).toEqual(first.body);
    });

    it('answers 400 `Warehouse not found` for an unknown warehouse_name, and stores "" as null', async () => {
      expectManagementError(await createCatalog({ name: uniqueName('c'), warehouse_name: 'nope' }), 400, /^Warehouse not found$/);
      const res = await createCatalog({ name: uniqueName('c'), warehouse_name: '' }).expect(201);
      expect(res.body.warehouse_name).toBeNull();
    });

    it('requires federated_config for a Federated catalog (400) and returns it when given', async () => {
      expectManagementError(
        await createCatalog({ name: uniqueName('fed'), catalog_type: 'Federated' }),
        400,
        /Federated catalog requires configuration/,
      );
      const federated_config = { properties: { uri: 'http://remote:8181', token: 't' } };
      const res = await createCatalog({ name: uniqueName('fed'), catalog_type: 'Federated', federated_config }).expect(201);
      expect(res.body).toMatchObject({ catalog_type: 'Federated', federated_config });
    });

    it('answers 422 for JSON of the wrong shape', async () => {
      const cases: Record<string, unknown>[] = [
        {},
        { name: 42 },
        { name: uniqueName('c'), catalog_type: 'local' },
        { name: uniqueName('c'), catalog_type: 'LOCAL' },
        { name: uniqueName('c'), properties: { retries: 3 } },
        { name: uniqueName('c'), properties: ['a'] },
        { name: uniqueName('c'), warehouse_name: 7 },
        { name: uniqueName('c'), federated_config: { properties: { a: true } } },
        { name: uniqueName('c'), federated_config: 'x' },
      ];
      for (const body of cases) {
        expectManagementError(await createCatalog(body), 422, /^Failed to deserialize the JSON body/);
      }
      for (const body of [[], 'text', 5, null]) {
        const res = await ctx.http.post('/api/v1/catalogs').set('content-type', 'application/json').send(JSON.stringify(body));
        expect([400, 422]).toContain(res.status);
        expectManagementError(res, res.status);
      }
    });

    it('ignores unknown fields', async () => {
      const name = uniqueName('c');
      const res = await createCatalog({ name, color: 'green', nested: { x: 1 } }).expect(201);
      expect(res.body).not.toHaveProperty('color');
    });

    it('answers 415 without a JSON content type and 400 for malformed JSON', async () => {
      const name = uniqueName('c');
      expectManagementError(
        await ctx.http.post('/api/v1/catalogs').set('content-type', 'text/plain').send(JSON.stringify({ name })),
        415,
      );
      expectManagementError(await ctx.http.post('/api/v1/catalogs'), 415);
      expectManagementError(
        await ctx.http.post('/api/v1/catalogs').set('content-type', 'application/json').send('{"name": '),
        400,
        /JSON/,
      );
      // Nothing was created by the refused requests.
      await ctx.http.get(`/api/v1/catalogs/${name}`).expect(404);
      // An empty JSON body has no `name`: wrong shape.
      expectManagementError(await ctx.http.post('/api/v1/catalogs').set('content-type', 'application/json').send(''), 422);
      // Media type parameters are fine.
      await ctx.http
        .post('/api/v1/catalogs')
        .set('content-type', 'Application/JSON; charset=utf-8')
        .send(JSON.stringify({ name }))
        .expect(201);
    });

    it('refuses names that cannot be addressed in a path (400)', async () => {
      for (const name of ['', '   ', 'a/b', 'tab\tname', 'x'.repeat(256)]) {
        expectManagementError(await createCatalog({ name }), 400);
      }
    });
  });

  describe('get, list and pagination', () => {
    const prefix = uniqueName('lst');
    const names = [`${prefix}_c`, `${prefix}_a`, `${prefix}_b`];

    beforeAll(async () => {
      for (const name of names) await createCatalog({ name }).expect(201);
    });

    it('answers 404 for an unknown catalog', async () => {
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${uniqueName('missing')}`), 404, /not found/);
    });

    it('lists every catalog ordered by name', async () => {
      const res = await ctx.http.get('/api/v1/catalogs').expect(200);
      expect(Array.isArray(res.body)).toBe(true);
      const listed: string[] = res.body.map((c: { name: string }) => c.name);
      expect(listed).toEqual([...listed].sort());
      expect(listed.filter((n) => n.startsWith(prefix))).toEqual([...names].sort());
      for (const catalog of res.body) expect(Object.keys(catalog).sort()).toEqual(
        ['catalog_type', 'federated_config', 'id', 'name', 'properties', 'storage_location', 'warehouse_name'],
      );
    });

    it('pages with limit and offset over the same order', async () => {
      const all: string[] = (await ctx.http.get('/api/v1/catalogs').expect(200)).body.map((c: { name: string }) => c.name);
      const page = await ctx.http.get('/api/v1/catalogs?limit=2&offset=1').expect(200);
      expect(page.body.map((c: { name: string }) => c.name)).toEqual(all.slice(1, 3));
      expect((await ctx.http.get('/api/v1/catalogs?limit=0').expect(200)).body).toEqual([]);
      const tail = await ctx.http.get(`/api/v1/catalogs?offset=${all.length - 1}`).expect(200);
      expect(tail.body.map((c: { name: string }) => c.name)).toEqual(all.slice(-1));
      expect((await ctx.http.get(`/api/v1/catalogs?offset=${all.length + 5}`).expect(200)).body).toEqual([]);
      // Unknown query parameters are ignored.
      expect((await ctx.http.get('/api/v1/catalogs?color=red').expect(200)).body).toHaveLength(all.length);
    });

    it('answers 400 for a limit or offset that is not a non-negative integer', async () => {
      for (const query of ['limit=-1', 'limit=abc', 'offset=-3', 'offset=1.5', 'limit=', 'limit=1&limit=2', 'limit=1e3']) {
        expectManagementError(await ctx.http.get(`/api/v1/catalogs?${query}`), 400, /limit|offset/);
      }
    });
  });

  describe('update', () => {
    it('merges properties and applies every supplied field', async () => {
      const name = uniqueName('upd');
      const warehouse = uniqueName('wh');
      await ctx.http.post('/api/v1/warehouses').send({ name: warehouse, storage_config: { type: 'memory', root: `mem://${warehouse}` } }).expect(201);
      const created = await createCatalog({ name, properties: { a: '1', b: '2' } }).expect(201);
      const res = await ctx.http
        .put(`/api/v1/catalogs/${name}`)
        .send({
          warehouse_name: warehouse,
          storage_location: `mem://${warehouse}/location`,
          federated_config: { properties: { uri: 'http://x' } },
          properties: { b: 'two', c: '3' },
        })
        .expect(200);
      expect(res.body).toEqual({
        ...created.body,
        warehouse_name: warehouse,
        storage_location: `mem://${warehouse}/location`,
        federated_config: { properties: { uri: 'http://x' } },
        properties: { a: '1', b: 'two', c: '3' },
      });
      expect((await ctx.http.get(`/api/v1/catalogs/${name}`).expect(200)).body).toEqual(res.body);
    });

    it('leaves absent and null fields unchanged; "" clears warehouse_name and storage_location', async () => {
      const name = uniqueName('upd');
      const warehouse = uniqueName('wh');
      await ctx.http.post('/api/v1/warehouses').send({ name: warehouse }).expect(201);
      // A warehouse naming no bucket keeps its tables in s3://warehouse.
      const created = await createCatalog({ name, warehouse_name: warehouse, storage_location: 's3://warehouse/p' }).expect(201);
      const unchanged = await ctx.http
        .put(`/api/v1/catalogs/${name}`)
        .send({ warehouse_name: null, properties: null })
        .expect(200);
      expect(unchanged.body).toEqual(created.body);
      const cleared = await ctx.http.put(`/api/v1/catalogs/${name}`).send({ warehouse_name: '', storage_location: '' }).expect(200);
      expect(cleared.body).toMatchObject({ warehouse_name: null, storage_location: null });
    });

    it('answers 404 for an unknown catalog, 400 for an unknown warehouse, 422 for a wrong shape, 415 without JSON', async () => {
      expectManagementError(await ctx.http.put(`/api/v1/catalogs/${uniqueName('missing')}`).send({ properties: { a: 'b' } }), 404);
      const name = uniqueName('upd');
      await createCatalog({ name }).expect(201);
      expectManagementError(await ctx.http.put(`/api/v1/catalogs/${name}`).send({ warehouse_name: 'nope' }), 400, /Warehouse not found/);
      expectManagementError(await ctx.http.put(`/api/v1/catalogs/${name}`).send({ properties: { a: 1 } }), 422);
      expectManagementError(await ctx.http.put(`/api/v1/catalogs/${name}`).set('content-type', 'text/plain').send('{}'), 415);
      // None of the refused updates changed anything.
      expect((await ctx.http.get(`/api/v1/catalogs/${name}`).expect(200)).body).toMatchObject({ warehouse_name: null, properties: {} });
    });
  });

  describe('delete', () => {
    it('answers 204, then 404; an unknown catalog is 404 (not 500)', async () => {
      const name = uniqueName('del');
      await createCatalog({ name }).expect(201);
      const res = await ctx.http.delete(`/api/v1/catalogs/${name}`).expect(204);
      expect(res.text).toBe('');
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${name}`), 404);
      expectManagementError(await ctx.http.delete(`/api/v1/catalogs/${name}`), 404);
    });

    it('cascades to namespaces, assets on every branch, branches and tags; a new catalog of the same name starts empty', async () => {
      const name = uniqueName('cascade');
      await createCatalog({ name }).expect(201);
      const t = DEFAULT_TENANT_ID;
      await ctx.ports.namespaces.createNamespace({ tenantId: t, catalogName: name, levels: ['sales'], properties: {} });
      await putAsset(ctx.ports, t, name, 'main', ['sales'], 'orders');
      // Fork-on-write creates `dev` with a row of its own.
      await putAsset(ctx.ports, t, name, 'dev', ['sales'], 'orders', { createBranchIfMissing: true });
      const head = (await ctx.ports.branches.getBranch(t, name, 'main'))!.headCommitId!;
      await ctx.ports.tags.createTag({ tenantId: t, catalogName: name, name: 'v1', commitId: head });

      await ctx.http.delete(`/api/v1/catalogs/${name}`).expect(204);

      expect(await ctx.ports.catalogs.getCatalog(t, name)).toBeNull();
      expect(await ctx.ports.branches.getBranch(t, name, 'dev')).toBeNull();
      expect(await ctx.ports.assets.getAsset(t, name, 'main', ['sales'], 'orders')).toBeNull();
      expect(await ctx.ports.assets.getAsset(t, name, 'dev', ['sales'], 'orders')).toBeNull();
      expect(await ctx.ports.tags.getTag(t, name, 'v1')).toBeNull();

      await createCatalog({ name }).expect(201);
      const namespaces = await ctx.ports.namespaces.listNamespaces(t, name);
      expect(namespaces.map((ns) => ns.levels)).toEqual([['default']]);
      expect((await ctx.ports.branches.listBranches(t, name)).map((b) => b.name)).toEqual(['main']);
      expect(await ctx.ports.assets.listAssets(t, name, 'main')).toEqual([]);
      const summary = await ctx.http.get(`/api/v1/catalogs/${name}/summary`).expect(200);
      expect(summary.body).toMatchObject({ table_count: 0, namespace_count: 1, branch_count: 1 });
    });
  });

  describe('summary and namespace tree', () => {
    it('summary counts tables over all branches, namespaces and branches', async () => {
      const name = uniqueName('sum');
      const storageLocation = `file://${ctx.dataDir}/warehouse/${DEFAULT_TENANT_ID}/${name}`;
      await createCatalog({ name, storage_location: storageLocation }).expect(201);
      const t = DEFAULT_TENANT_ID;
      await ctx.ports.namespaces.createNamespace({ tenantId: t, catalogName: name, levels: ['db'], properties: {} });
      await putAsset(ctx.ports, t, name, 'main', ['db'], 't1');
      await putAsset(ctx.ports, t, name, 'main', ['db'], 't2');
      // A table that exists only on a feature branch counts too.
      await putAsset(ctx.ports, t, name, 'dev', ['db'], 't3', { createBranchIfMissing: true });

      const res = await ctx.http.get(`/api/v1/catalogs/${name}/summary`).expect(200);
      expect(res.body).toEqual({
        name,
        table_count: 3,
        namespace_count: 2,
        branch_count: 2,
        storage_location: storageLocation,
      });
    });

    ctx.itWith(['aggregationMerge'], 'summary counts a table copied onto another branch once', async () => {
      const name = uniqueName('sum');
      await createCatalog({ name }).expect(201);
      const t = DEFAULT_TENANT_ID;
      await putAsset(ctx.ports, t, name, 'main', ['default'], 't1');
      await putAsset(ctx.ports, t, name, 'main', ['default'], 't2');
      // The copies keep their ids: they are the same tables, not new ones.
      await ctx.ports.branches.createBranch(t, name, { name: 'dev', branchType: 'experimental', fromBranch: 'main' });
      const res = await ctx.http.get(`/api/v1/catalogs/${name}/summary`).expect(200);
      expect(res.body).toMatchObject({ table_count: 2, namespace_count: 1, branch_count: 2 });
    });

    it('summary of an unknown catalog is 404 {"error"}', async () => {
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${uniqueName('missing')}/summary`), 404);
    });

    it('tree folds every namespace path, with intermediate nodes that are not stored', async () => {
      const name = uniqueName('tree');
      await createCatalog({ name }).expect(201);
      const t = DEFAULT_TENANT_ID;
      for (const levels of [['sales', 'eu', 'fr'], ['sales'], ['hr']]) {
        await ctx.ports.namespaces.createNamespace({ tenantId: t, catalogName: name, levels, properties: {} });
      }
      const res = await ctx.http.get(`/api/v1/catalogs/${name}/namespaces/tree`).expect(200);
      const byName = (nodes: { name: string }[]) => [...nodes].sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(res.body.root)).toEqual([
        { name: 'default', full_path: ['default'], children: [] },
        { name: 'hr', full_path: ['hr'], children: [] },
        {
          name: 'sales',
          full_path: ['sales'],
          children: [
            {
              name: 'eu',
              full_path: ['sales', 'eu'],
              children: [{ name: 'fr', full_path: ['sales', 'eu', 'fr'], children: [] }],
            },
          ],
        },
      ]);
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${uniqueName('missing')}/namespaces/tree`), 404);
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's catalog is invisible (404, not listed, not deletable) and its name is free here", async () => {
      const otherTenant = await ctx.ports.tenants.createTenant({ id: randomUUID(), name: uniqueName('tenant'), properties: {} });
      const name = uniqueName('iso');
      await ctx.ports.catalogs.createCatalog({
        id: randomUUID(),
        tenantId: otherTenant.id,
        name,
        catalogType: 'Local',
        warehouseName: null,
        storageLocation: null,
        federatedConfig: null,
        properties: { owner: 'other' },
      });

      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${name}`), 404);
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${name}/summary`), 404);
      expectManagementError(await ctx.http.get(`/api/v1/catalogs/${name}/namespaces/tree`), 404);
      expectManagementError(await ctx.http.put(`/api/v1/catalogs/${name}`).send({ properties: { x: 'y' } }), 404);
      expectManagementError(await ctx.http.delete(`/api/v1/catalogs/${name}`), 404);
      const listed = (await ctx.http.get('/api/v1/catalogs').expect(200)).body.map((c: { name: string }) => c.name);
      expect(listed).not.toContain(name);

      // The same name in the caller's tenant is a different catalog.
      await createCatalog({ name }).expect(201);
      const other = await ctx.ports.catalogs.getCatalog(otherTenant.id, name);
      expect(other?.properties).toEqual({ owner: 'other' });
      await ctx.http.delete(`/api/v1/catalogs/${name}`).expect(204);
      expect(await ctx.ports.catalogs.getCatalog(otherTenant.id, name)).not.toBeNull();
    });

    it("a warehouse of another tenant cannot be referenced (400 Warehouse not found)", async () => {
      const otherTenant = await ctx.ports.tenants.createTenant({ id: randomUUID(), name: uniqueName('tenant'), properties: {} });
      const warehouse = uniqueName('wh');
      await ctx.ports.warehouses.createWarehouse({
        id: randomUUID(),
        tenantId: otherTenant.id,
        name: warehouse,
        useSts: false,
        storageConfig: {},
        vendingStrategy: null,
      });
      expectManagementError(await createCatalog({ name: uniqueName('c'), warehouse_name: warehouse }), 400, /Warehouse not found/);
    });
  });
});
