import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { MASKED_SECRET } from '../../../src/warehouses/storage-config';
import { describeEachBackend } from '../../support/app-harness';
import { expectManagementError, uniqueName, UUID_PATTERN } from './management-test-helpers';

describeEachBackend('management API: warehouses', (ctx) => {
  const createWarehouse = (body: Record<string, unknown>) => ctx.http.post('/api/v1/warehouses').send(body);
  const stored = (name: string) => ctx.ports.warehouses.getWarehouse(DEFAULT_TENANT_ID, name);
  /** Where this tenant's file warehouses may live by default: below <data dir>/warehouse/<tenant id>. */
  const tenantStorage = () => `${ctx.dataDir}/warehouse/${DEFAULT_TENANT_ID}`;

  describe('create', () => {
    it('answers 201 with the WarehouseResponse and its defaults (s3, no vending)', async () => {
      const name = uniqueName('wh');
      const res = await createWarehouse({ name }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID_PATTERN),
        name,
        tenant_id: DEFAULT_TENANT_ID,
        use_sts: false,
        storage_config: {},
        vending_strategy: null,
      });
      expect((await ctx.http.get(`/api/v1/warehouses/${name}`).expect(200)).body).toEqual(res.body);
    });

    it('accepts s3 (both key styles), file with an absolute root, and memory', async () => {
      const bodies = [
        { storage_config: { type: 's3', 's3.bucket': 'b', 's3.region': 'eu-west-1', 's3.endpoint': 'http://minio:9000' } },
        { storage_config: { bucket: 'b', region: 'us-east-1', endpoint: 'http://localhost:9000' } },
        { storage_config: { type: 'file', root: `${tenantStorage()}/wh-a` } },
        { storage_config: { type: 'file', root: `file://${tenantStorage()}/wh-b` } },
        { storage_config: { type: 'memory' } },
      ];
      for (const body of bodies) {
        const res = await createWarehouse({ name: uniqueName('wh'), ...body }).expect(201);
        expect(res.body.storage_config).toEqual(body.storage_config);
      }
    });

    it('answers 400 for a storage_config the server cannot use', async () => {
      const cases = [
        { type: 'file' },
        { type: 'file', root: 'relative/dir' },
        { type: 'file', root: '/' },
        { type: 'azure', container: 'c' },
        { type: 'ftp' },
      ];
      for (const storage_config of cases) {
        const name = uniqueName('bad');
        expectManagementError(await createWarehouse({ name, storage_config }), 400, /storage_config|storage type/i);
        expect(await stored(name)).toBeNull();
      }
    });

    it('answers 409 for a name already taken, and keeps the original', async () => {
      const name = uniqueName('dup');
      const first = await createWarehouse({ name, storage_config: { bucket: 'one' } }).expect(201);
      expectManagementError(await createWarehouse({ name, storage_config: { bucket: 'two' } }), 409, /already exists/);
      expect((await ctx.http.get(`/api/v1/warehouses/${name}`).expect(200)).body).toEqual(first.body);
    });

    it('accepts every vending strategy variant and "None"', async () => {
      const strategies = [
        'None',
        { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: 'ext' } },
        { AwsSts: { role_arn: 'arn:aws:iam::1:role/r' } },
        { AwsStatic: { access_key_id: 'AKIA', secret_access_key: 'secret' } },
        { AzureSas: { account_name: 'acct', account_key: 'key' } },
        { GcpDownscoped: { service_account_email: 'sa@x.iam', private_key: 'pk' } },
      ];
      for (const vending_strategy of strategies) {
        const res = await createWarehouse({ name: uniqueName('vend'), use_sts: true, vending_strategy }).expect(201);
        expect(res.body.use_sts).toBe(true);
        expect(res.body.vending_strategy).not.toBeNull();
      }
    });

    it('answers 422 for JSON of the wrong shape, 415 without JSON, 400 for malformed JSON', async () => {
      const cases: Record<string, unknown>[] = [
        {},
        { name: 1 },
        { name: uniqueName('w'), use_sts: 'yes' },
        { name: uniqueName('w'), storage_config: { 's3.path-style-access': true } },
        { name: uniqueName('w'), storage_config: 'bucket=b' },
        // pypangolin without keys sends the bare variant name; the internally tagged form of the docs.
        { name: uniqueName('w'), vending_strategy: 'AwsStatic' },
        { name: uniqueName('w'), vending_strategy: { type: 'AwsSts', role_arn: 'arn' } },
        { name: uniqueName('w'), vending_strategy: { AwsStatic: { access_key_id: 'AKIA' } } },
        { name: uniqueName('w'), vending_strategy: { AwsSts: {}, AwsStatic: {} } },
      ];
      for (const body of cases) {
        expectManagementError(await createWarehouse(body), 422, /^Failed to deserialize the JSON body/);
      }
      expectManagementError(
        await ctx.http.post('/api/v1/warehouses').set('content-type', 'text/plain').send('{"name":"x"}'),
        415,
      );
      expectManagementError(
        await ctx.http.post('/api/v1/warehouses').set('content-type', 'application/json').send('{"name":'),
        400,
      );
    });
  });

  describe('secrets', () => {
    it('masks secret values in every response, stores them intact, and ignores a masked value written back', async () => {
      const name = uniqueName('sec');
      const storage_config = {
        's3.bucket': 'b',
        's3.access-key-id': 'AKIAEXAMPLE',
        's3.secret-access-key': 'very-secret',
        's3.session-token': 'session',
        secret_access_key: 'plain-secret',
      };
      const vending_strategy = { AwsStatic: { access_key_id: 'AKIAEXAMPLE', secret_access_key: 'vend-secret' } };
      const created = await createWarehouse({ name, storage_config, vending_strategy }).expect(201);
      const expectedConfig = {
        's3.bucket': 'b',
        's3.access-key-id': 'AKIAEXAMPLE',
        's3.secret-access-key': MASKED_SECRET,
        's3.session-token': MASKED_SECRET,
        secret_access_key: MASKED_SECRET,
      };
      const expectedVending = { AwsStatic: { access_key_id: 'AKIAEXAMPLE', secret_access_key: MASKED_SECRET } };
      expect(created.body).toMatchObject({ storage_config: expectedConfig, vending_strategy: expectedVending });
      expect((await ctx.http.get(`/api/v1/warehouses/${name}`).expect(200)).body).toEqual(created.body);
      const listed = (await ctx.http.get('/api/v1/warehouses').expect(200)).body.find((w: { name: string }) => w.name === name);
      expect(listed).toEqual(created.body);
      expect(JSON.stringify(listed)).not.toMatch(/very-secret|plain-secret|vend-secret|"session"/);

      // An edit form writing the response back leaves the secrets as they were.
      const written = await ctx.http
        .put(`/api/v1/warehouses/${name}`)
        .send({ ...created.body, storage_config: { ...created.body.storage_config, 's3.bucket': 'b2' } })
        .expect(200);
      expect(written.body.storage_config['s3.bucket']).toBe('b2');
      const after = await stored(name);
      expect(after?.storageConfig).toEqual({ ...storage_config, 's3.bucket': 'b2' });
      expect(after?.vendingStrategy).toEqual(vending_strategy);
    });

    it('refuses the mask as a new secret (400)', async () => {
      expectManagementError(
        await createWarehouse({ name: uniqueName('sec'), storage_config: { 's3.secret-access-key': MASKED_SECRET } }),
        400,
        /masked/,
      );
      expectManagementError(
        await createWarehouse({
          name: uniqueName('sec'),
          vending_strategy: { AwsStatic: { access_key_id: 'a', secret_access_key: MASKED_SECRET } },
        }),
        400,
        /masked/,
      );
    });
  });

  describe('list and pagination', () => {
    it('lists by name and pages with limit/offset; bad values are 400', async () => {
      const prefix = uniqueName('page');
      for (const suffix of ['c', 'a', 'b']) await createWarehouse({ name: `${prefix}_${suffix}` }).expect(201);
      const all: string[] = (await ctx.http.get('/api/v1/warehouses').expect(200)).body.map((w: { name: string }) => w.name);
      expect(all).toEqual([...all].sort());
      expect(all.filter((n) => n.startsWith(prefix))).toEqual([`${prefix}_a`, `${prefix}_b`, `${prefix}_c`]);
      const page = await ctx.http.get('/api/v1/warehouses?limit=2&offset=1').expect(200);
      expect(page.body.map((w: { name: string }) => w.name)).toEqual(all.slice(1, 3));
      expect((await ctx.http.get('/api/v1/warehouses?limit=0').expect(200)).body).toEqual([]);
      for (const query of ['limit=-1', 'offset=x', 'limit=2.5']) {
        expectManagementError(await ctx.http.get(`/api/v1/warehouses?${query}`), 400);
      }
    });
  });

  describe('update', () => {
    it('merges storage_config and applies use_sts, vending_strategy and a rename together', async () => {
      const name = uniqueName('upd');
      await createWarehouse({ name, storage_config: { bucket: 'b', region: 'us-east-1' } }).expect(201);
      const renamed = uniqueName('renamed');
      const res = await ctx.http
        .put(`/api/v1/warehouses/${name}`)
        .send({
          name: renamed,
          use_sts: true,
          storage_config: { region: 'eu-west-1', endpoint: 'http://minio:9000' },
          vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } },
        })
        .expect(200);
      expect(res.body).toMatchObject({
        name: renamed,
        use_sts: true,
        storage_config: { bucket: 'b', region: 'eu-west-1', endpoint: 'http://minio:9000' },
        vending_strategy: { AwsSts: { role_arn: 'arn:aws:iam::1:role/r', external_id: null } },
      });
      expectManagementError(await ctx.http.get(`/api/v1/warehouses/${name}`), 404);
      expect((await ctx.http.get(`/api/v1/warehouses/${renamed}`).expect(200)).body).toEqual(res.body);
    });

    it('validates the merged storage_config (400) and changes nothing then', async () => {
      const name = uniqueName('upd');
      await createWarehouse({ name, storage_config: { type: 'file', root: `${tenantStorage()}/${name}` } }).expect(201);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ storage_config: { root: 'rel' } }), 400);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ storage_config: { type: 'gcs' } }), 400);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ storage_config: { root: '/data/other' } }), 400);
      expect((await stored(name))?.storageConfig).toEqual({ type: 'file', root: `${tenantStorage()}/${name}` });
      await ctx.http.put(`/api/v1/warehouses/${name}`).send({ storage_config: { root: `${tenantStorage()}/other` } }).expect(200);
      expect((await stored(name))?.storageConfig).toEqual({ type: 'file', root: `${tenantStorage()}/other` });
    });

    it('refuses a rename while catalogs refer to the warehouse (409), and onto a taken name (409)', async () => {
      const name = uniqueName('used');
      const other = uniqueName('other');
      await createWarehouse({ name }).expect(201);
      await createWarehouse({ name: other }).expect(201);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ name: other }), 409);
      const catalog = uniqueName('cat');
      await ctx.http.post('/api/v1/catalogs').send({ name: catalog, warehouse_name: name }).expect(201);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ name: uniqueName('new') }), 409);
      expect(await stored(name)).not.toBeNull();
      // Other fields can still change, and "renaming" to the same name is not a rename.
      await ctx.http.put(`/api/v1/warehouses/${name}`).send({ name, use_sts: true }).expect(200);
      // Once no catalog refers to it, the rename goes through.
      await ctx.http.delete(`/api/v1/catalogs/${catalog}`).expect(204);
      const renamed = uniqueName('free');
      await ctx.http.put(`/api/v1/warehouses/${name}`).send({ name: renamed }).expect(200);
      expect((await ctx.http.get(`/api/v1/warehouses/${renamed}`).expect(200)).body.use_sts).toBe(true);
    });

    it('answers 404 for an unknown warehouse and 422 for a wrong shape', async () => {
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${uniqueName('missing')}`).send({ use_sts: true }), 404);
      const name = uniqueName('upd');
      await createWarehouse({ name }).expect(201);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ storage_config: { a: 1 } }), 422);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ vending_strategy: 'AwsSts' }), 422);
    });
  });

  describe('delete', () => {
    it('answers 204 then 404; unknown is 404; refused (409) while a catalog uses it', async () => {
      const name = uniqueName('del');
      await createWarehouse({ name }).expect(201);
      const catalog = uniqueName('cat');
      await ctx.http.post('/api/v1/catalogs').send({ name: catalog, warehouse_name: name }).expect(201);
      expectManagementError(await ctx.http.delete(`/api/v1/warehouses/${name}`), 409, new RegExp(catalog));
      await ctx.http.delete(`/api/v1/catalogs/${catalog}`).expect(204);
      await ctx.http.delete(`/api/v1/warehouses/${name}`).expect(204);
      expectManagementError(await ctx.http.get(`/api/v1/warehouses/${name}`), 404);
      expectManagementError(await ctx.http.delete(`/api/v1/warehouses/${name}`), 404);
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's warehouse is invisible and its name is free here", async () => {
      const otherTenant = await ctx.ports.tenants.createTenant({ id: randomUUID(), name: uniqueName('tenant'), properties: {} });
      const name = uniqueName('iso');
      await ctx.ports.warehouses.createWarehouse({
        id: randomUUID(),
        tenantId: otherTenant.id,
        name,
        useSts: false,
        storageConfig: { bucket: 'theirs' },
        vendingStrategy: null,
      });
      expectManagementError(await ctx.http.get(`/api/v1/warehouses/${name}`), 404);
      expectManagementError(await ctx.http.put(`/api/v1/warehouses/${name}`).send({ use_sts: true }), 404);
      expectManagementError(await ctx.http.delete(`/api/v1/warehouses/${name}`), 404);
      const listed = (await ctx.http.get('/api/v1/warehouses').expect(200)).body.map((w: { name: string }) => w.name);
      expect(listed).not.toContain(name);
      const mine = await createWarehouse({ name, storage_config: { bucket: 'mine' } }).expect(201);
      expect(mine.body.tenant_id).toBe(DEFAULT_TENANT_ID);
      expect((await ctx.ports.warehouses.getWarehouse(otherTenant.id, name))?.storageConfig).toEqual({ bucket: 'theirs' });
    });
  });
});

/** Role rules of the service the routes delegate to (requests themselves run as the NO-AUTH tenant admin). */
describeEachBackend(
  'management API: warehouse and catalog role rules',
  (ctx) => {
    const as = (role: 'root' | 'tenant-user') => ({ tenantId: DEFAULT_TENANT_ID, userId: randomUUID(), username: role, role });

    it('root cannot create warehouses or catalogs; a tenant user cannot change warehouses', async () => {
      const { WarehousesService } = await import('../../../src/warehouses/warehouses.service');
      const { CatalogsService } = await import('../../../src/catalogs/catalogs.service');
      const warehouses = ctx.app.get(WarehousesService);
      const catalogs = ctx.app.get(CatalogsService);
      await expect(warehouses.create(as('root'), { name: uniqueName('w') })).rejects.toThrow(
        'Root user cannot create warehouses. Please login as Tenant Admin.',
      );
      await expect(catalogs.create(as('root'), { name: uniqueName('c') })).rejects.toThrow(
        'Root user cannot create catalogs. Please login as Tenant Admin.',
      );
      const name = uniqueName('w');
      await ctx.http.post('/api/v1/warehouses').send({ name }).expect(201);
      const user = as('tenant-user');
      await expect(warehouses.create(user, { name: uniqueName('w') })).rejects.toThrow(/Only a tenant admin/);
      await expect(warehouses.update(user, name, { use_sts: true })).rejects.toThrow(/Only a tenant admin/);
      await expect(warehouses.delete(user, name)).rejects.toThrow(/Only a tenant admin/);
      expect((await warehouses.get(user, name)).useSts).toBe(false);
    });
  },
  { backends: ['memory'] },
);
