import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/common/errors';
import type { Principal } from '../../../src/common/http/principal';
import { NO_AUTH_PRINCIPAL } from '../../../src/common/http/principal.middleware';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { NO_AUTH_TENANT_CREATE_BODY } from '../../../src/tenants/tenants.controller';
import { TenantsService } from '../../../src/tenants/tenants.service';
import { describeEachBackend } from '../../support/app-harness';
import { expectManagementError, uniqueName } from './management-test-helpers';

/**
 * Requests run as the NO-AUTH principal (a tenant admin of the default tenant) until authentication exists,
 * so root-only operations are exercised through the service the routes delegate to, with a root principal.
 */
const ROOT: Principal = { tenantId: DEFAULT_TENANT_ID, userId: randomUUID(), username: 'root', role: 'root' };

describeEachBackend('management API: tenants (NO-AUTH mode)', (ctx) => {
  const service = () => ctx.app.get(TenantsService);

  it('the default tenant exists at start, and starting again does not duplicate it', async () => {
    const res = await ctx.http.get(`/api/v1/tenants/${DEFAULT_TENANT_ID}`).expect(200);
    expect(res.body).toEqual({ id: DEFAULT_TENANT_ID, name: 'default', properties: {} });
    // Boot runs the same idempotent step; a second app on the same store would do exactly this.
    const { ensureDefaultTenant } = await import('../../../src/common/http/default-tenant.bootstrap');
    await ensureDefaultTenant(ctx.ports.tenants);
    const all = (await ctx.http.get('/api/v1/tenants').expect(200)).body;
    expect(all.filter((t: { id: string }) => t.id === DEFAULT_TENANT_ID)).toHaveLength(1);
  });

  it('lists tenants ordered by name, with pagination', async () => {
    const prefix = uniqueName('t');
    for (const suffix of ['b', 'c', 'a']) {
      await ctx.ports.tenants.createTenant({ id: randomUUID(), name: `${prefix}_${suffix}`, properties: { k: suffix } });
    }
    const res = await ctx.http.get('/api/v1/tenants').expect(200);
    const names: string[] = res.body.map((t: { name: string }) => t.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('default');
    expect(names.filter((n) => n.startsWith(prefix))).toEqual([`${prefix}_a`, `${prefix}_b`, `${prefix}_c`]);
    for (const tenant of res.body) expect(Object.keys(tenant).sort()).toEqual(['id', 'name', 'properties']);
    const page = await ctx.http.get('/api/v1/tenants?limit=2&offset=1').expect(200);
    expect(page.body.map((t: { name: string }) => t.name)).toEqual(names.slice(1, 3));
    expect((await ctx.http.get('/api/v1/tenants?limit=0').expect(200)).body).toEqual([]);
    expectManagementError(await ctx.http.get('/api/v1/tenants?offset=-1'), 400);
  });

  it('get answers 404 {"error":"Tenant not found"} for an unknown id and 400 for a non-UUID id', async () => {
    expectManagementError(await ctx.http.get(`/api/v1/tenants/${randomUUID()}`), 404, /^Tenant not found$/);
    expectManagementError(await ctx.http.get('/api/v1/tenants/not-a-uuid'), 400, /UUID/);
    // Any tenant can be read in NO-AUTH mode; the id is matched case-insensitively, answered lower-case.
    const other = await ctx.ports.tenants.createTenant({ id: randomUUID(), name: uniqueName('t'), properties: {} });
    const res = await ctx.http.get(`/api/v1/tenants/${other.id.toUpperCase()}`).expect(200);
    expect(res.body).toEqual({ id: other.id, name: other.name, properties: {} });
  });

  it('create answers 403 with the NO-AUTH hint body; update and delete answer 403', async () => {
    const name = uniqueName('t');
    const created = await ctx.http.post('/api/v1/tenants').send({ name }).expect(403);
    expect(created.body).toEqual(NO_AUTH_TENANT_CREATE_BODY);
    expect((await ctx.http.get('/api/v1/tenants').expect(200)).body.map((t: { name: string }) => t.name)).not.toContain(name);
    expectManagementError(await ctx.http.put(`/api/v1/tenants/${DEFAULT_TENANT_ID}`).send({ name: 'renamed' }), 403, /Only Root/);
    expectManagementError(await ctx.http.delete(`/api/v1/tenants/${DEFAULT_TENANT_ID}`), 403, /Only Root/);
    expect((await ctx.ports.tenants.getTenant(DEFAULT_TENANT_ID))?.name).toBe('default');
    // The body is still checked first: wrong shape is 422, no JSON is 415.
    expectManagementError(await ctx.http.post('/api/v1/tenants').send({ name: 5 }), 422);
    expectManagementError(await ctx.http.post('/api/v1/tenants').set('content-type', 'text/plain').send('x'), 415);
  });

  describe('root operations (service the routes delegate to)', () => {
    it('create stores a tenant with a new id; a taken name is AlreadyExistsError (409)', async () => {
      const name = uniqueName('t');
      const tenant = await service().create(ROOT, { name, properties: { tier: 'gold' } });
      expect(tenant).toEqual({ id: expect.any(String), name, properties: { tier: 'gold' } });
      expect((await ctx.http.get(`/api/v1/tenants/${tenant.id}`).expect(200)).body).toEqual(tenant);
      await expect(service().create(ROOT, { name })).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(service().create(ROOT, { name: 'a/b' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('update renames and merges properties; unknown id is NotFoundError', async () => {
      const tenant = await service().create(ROOT, { name: uniqueName('t'), properties: { a: '1', b: '2' } });
      const newName = uniqueName('renamed');
      const updated = await service().update(ROOT, tenant.id, { name: newName, properties: { b: 'two', c: '3' } });
      expect(updated).toEqual({ id: tenant.id, name: newName, properties: { a: '1', b: 'two', c: '3' } });
      expect((await ctx.http.get(`/api/v1/tenants/${tenant.id}`).expect(200)).body).toEqual(updated);
      await expect(service().update(ROOT, randomUUID(), { name: uniqueName('x') })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('delete removes an empty tenant, refuses one that owns a catalog or warehouse, and the default tenant', async () => {
      const empty = await service().create(ROOT, { name: uniqueName('t') });
      await service().delete(ROOT, empty.id);
      await ctx.http.get(`/api/v1/tenants/${empty.id}`).expect(404);
      await expect(service().delete(ROOT, empty.id)).rejects.toBeInstanceOf(NotFoundError);

      const busy = await service().create(ROOT, { name: uniqueName('t') });
      await ctx.ports.warehouses.createWarehouse({
        id: randomUUID(),
        tenantId: busy.id,
        name: 'wh',
        useSts: false,
        storageConfig: {},
        vendingStrategy: null,
      });
      await expect(service().delete(ROOT, busy.id)).rejects.toBeInstanceOf(ConflictError);
      expect(await ctx.ports.tenants.getTenant(busy.id)).not.toBeNull();
      await ctx.ports.warehouses.deleteWarehouse(busy.id, 'wh');
      await ctx.ports.catalogs.createCatalog({
        id: randomUUID(),
        tenantId: busy.id,
        name: 'cat',
        catalogType: 'Local',
        warehouseName: null,
        storageLocation: null,
        federatedConfig: null,
        properties: {},
      });
      await expect(service().delete(ROOT, busy.id)).rejects.toBeInstanceOf(ConflictError);
      await ctx.ports.catalogs.deleteCatalog(busy.id, 'cat');
      await service().delete(ROOT, busy.id);

      await expect(service().delete(ROOT, DEFAULT_TENANT_ID)).rejects.toThrow(/default tenant cannot be deleted/);
      expect(await ctx.ports.tenants.getTenant(DEFAULT_TENANT_ID)).not.toBeNull();
    });

    it('a tenant admin may not create, update or delete tenants', async () => {
      const admin: Principal = { ...NO_AUTH_PRINCIPAL };
      await expect(service().create(admin, { name: uniqueName('t') })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(service().update(admin, DEFAULT_TENANT_ID, { name: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(service().delete(admin, DEFAULT_TENANT_ID)).rejects.toBeInstanceOf(ForbiddenError);
    });
  });
});

/**
 * Outside NO-AUTH mode a tenant admin only sees its own tenant. Checked on the service (the caller is given
 * explicitly, independent of how requests are authenticated). Backend-independent.
 */
describeEachBackend(
  'management API: tenants (auth mode rules)',
  (ctx) => {
    it('a tenant admin cannot list tenants or read another tenant, but reads its own; root reads all', async () => {
      const service = ctx.app.get(TenantsService);
      const admin: Principal = { ...NO_AUTH_PRINCIPAL };
      await expect(service.list(admin, {})).rejects.toThrow(new ForbiddenError('Only Root can list tenants'));
      expect((await service.get(admin, DEFAULT_TENANT_ID)).name).toBe('default');
      const other = await ctx.ports.tenants.createTenant({ id: randomUUID(), name: uniqueName('t'), properties: {} });
      await expect(service.get(admin, other.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await service.get(ROOT, other.id)).id).toBe(other.id);
      expect((await service.list(ROOT, {})).map((t) => t.id)).toEqual(expect.arrayContaining([DEFAULT_TENANT_ID, other.id]));
    });
  },
  { env: { PANGOLIN_NO_AUTH: 'false' }, backends: ['memory'] },
);
