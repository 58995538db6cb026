import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
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

const TOKEN_ALIASES = [
  '/v1/oauth/tokens',
  '/v1/any-catalog/oauth/tokens',
  '/v1/any-catalog/v1/oauth/tokens',
  '/api/v1/iceberg/any-catalog/oauth/tokens',
  '/api/v1/iceberg/any-catalog/v1/oauth/tokens',
];

const SCHEMA = { type: 'struct' as const, 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long' as const, required: true }] };

/**
 * Service users, API keys (`X-API-Key`) and the OAuth2 client-credentials exchange, driven by a real Iceberg
 * REST client (iceberg-js): with the key as a header, and with the bearer token the exchange issued.
 */
for (const kind of AUTH_BACKENDS) {
  describe(`service users, API keys and OAuth client credentials [${kind}]`, () => {
    let t: AuthTestApp;
    let acme: TenantFixture;
    let svc: { id: string; api_key: string };

    const exchange = (path: string, form: Record<string, string>) => t.http.post(path).type('form').send(form);

    beforeAll(async () => {
      t = await startAuthApp(kind);
      acme = await createTenantWithAdmin(t.http, await rootLogin(t.http), 'svc');
      await t.http.post('/api/v1/catalogs').set(bearer(acme.adminToken)).send({ name: 'lake' }).expect(201);
      const created = await t.http
        .post('/api/v1/service-users')
        .set(bearer(acme.adminToken))
        .send({ name: 'spark', description: 'nightly', role: 'tenant-admin', expires_in_days: 30 })
        .expect(201);
      svc = created.body;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('shows the API key once; list and get never carry the key or its hash', async () => {
      expect(svc.api_key).toMatch(/^pgl_[A-Za-z0-9]{64}$/);
      const list = await t.http.get('/api/v1/service-users').set(bearer(acme.adminToken)).expect(200);
      const got = await t.http.get(`/api/v1/service-users/${svc.id}`).set(bearer(acme.adminToken)).expect(200);
      expect(got.body).toMatchObject({ id: svc.id, name: 'spark', 'tenant-id': acme.tenantId, role: 'tenant-admin', active: true });
      for (const body of [list.body, got.body]) {
        const text = JSON.stringify(body);
        expect(text).not.toContain(svc.api_key);
        expect(text).not.toMatch(/hash|\$2[aby]\$/i);
      }
      const user = await createTenantUser(t.http, acme, 'plain-user');
      await t.http.get('/api/v1/service-users').set(bearer(user.token)).expect(403);
      await t.http
        .post('/api/v1/service-users')
        .set(bearer(acme.adminToken))
        .send({ name: 'boss', role: 'root' })
        .expect(403);
    });

    it('an Iceberg client authenticates with X-API-Key', async () => {
      const catalog = new IcebergRestCatalog({
        baseUrl: t.baseUrl,
        catalogName: 'lake',
        auth: { type: 'header', name: 'X-API-Key', value: svc.api_key },
      });
      await catalog.createNamespace({ namespace: ['keyed'] });
      await catalog.createTable({ namespace: ['keyed'] }, { name: 'events', schema: SCHEMA });
      const loaded = await catalog.loadTable({ namespace: ['keyed'], name: 'events' });
      expect(loaded['table-uuid']).toEqual(expect.any(String));
      expect((await catalog.listNamespaces()).namespaces.map((n) => n.namespace)).toContainEqual(['keyed']);

      const wrong = new IcebergRestCatalog({
        baseUrl: t.baseUrl,
        catalogName: 'lake',
        auth: { type: 'header', name: 'X-API-Key', value: withLastCharacterChanged(svc.api_key) },
      });
      await expect(wrong.listNamespaces()).rejects.toMatchObject({ status: 401 });
      await t.http.get('/api/v1/catalogs').set('X-API-Key', 'pgl_not-a-key').expect(401);
    });

    it('client credentials are exchanged on every token alias; the token drives an Iceberg client', async () => {
      for (const path of TOKEN_ALIASES) {
        const res = await exchange(path, { grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.api_key, scope: 'catalog' }).expect(200);
        expect(res.body).toEqual({
          access_token: expect.any(String),
          token_type: 'Bearer',
          expires_in: 3600,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        });
      }
      const res = await exchange('/v1/lake/v1/oauth/tokens', {
        grant_type: 'client_credentials',
        client_id: svc.id,
        client_secret: svc.api_key,
      }).expect(200);
      const catalog = new IcebergRestCatalog({ baseUrl: `${t.baseUrl}/v1/lake/`, auth: { type: 'bearer', token: res.body.access_token } });
      await catalog.createNamespace({ namespace: ['oauth'] });
      expect(await catalog.namespaceExists({ namespace: ['oauth'] })).toBe(true);
      const me = await t.http.get('/api/v1/users/me').set(bearer(res.body.access_token)).expect(200);
      expect(me.body).toMatchObject({ id: svc.id, username: 'spark', role: 'tenant-admin', 'tenant-id': acme.tenantId });
    });

    it('token endpoint errors use the OAuth error shape', async () => {
      const bad = await exchange('/v1/oauth/tokens', { grant_type: 'client_credentials', client_id: svc.id, client_secret: 'pgl_wrong' }).expect(401);
      expect(bad.body).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
      const grant = await exchange('/v1/oauth/tokens', { grant_type: 'password', client_id: svc.id, client_secret: svc.api_key }).expect(400);
      expect(grant.body.error).toBe('unsupported_grant_type');
      const id = await exchange('/v1/oauth/tokens', { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' }).expect(400);
      expect(id.body.error).toBe('invalid_request');
      const unknown = await exchange('/v1/oauth/tokens', {
        grant_type: 'client_credentials',
        client_id: '00000000-0000-4000-8000-000000000000',
        client_secret: svc.api_key,
      }).expect(401);
      expect(unknown.body).toEqual(bad.body);
    });

    it('rotation replaces the key at once; deactivation and expiry stop keys, exchanges and issued tokens', async () => {
      const created = await t.http
        .post('/api/v1/service-users')
        .set(bearer(acme.adminToken))
        .send({ name: `flink-${Date.now()}`, role: 'tenant-admin' })
        .expect(201);
      const id = created.body.id as string;
      const rotated = await t.http.post(`/api/v1/service-users/${id}/rotate`).set(bearer(acme.adminToken)).expect(200);
      expect(rotated.body.api_key).not.toBe(created.body.api_key);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', created.body.api_key).expect(401);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', rotated.body.api_key).expect(200);

      const issued = await exchange('/v1/oauth/tokens', { grant_type: 'client_credentials', client_id: id, client_secret: rotated.body.api_key }).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(issued.body.access_token)).expect(200);

      await t.http.put(`/api/v1/service-users/${id}`).set(bearer(acme.adminToken)).send({ active: false }).expect(200);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', rotated.body.api_key).expect(401);
      await t.http.get('/api/v1/catalogs').set(bearer(issued.body.access_token)).expect(401);
      const inactive = await exchange('/v1/oauth/tokens', { grant_type: 'client_credentials', client_id: id, client_secret: rotated.body.api_key }).expect(401);
      expect(inactive.body.error).toBe('invalid_client');

      await t.http.put(`/api/v1/service-users/${id}`).set(bearer(acme.adminToken)).send({ active: true }).expect(200);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', rotated.body.api_key).expect(200);
      await t.ports.serviceUsers.updateServiceUser(acme.tenantId, id, { expiresAt: new Date(Date.now() - 1000) });
      await t.http.get('/api/v1/catalogs').set('X-API-Key', rotated.body.api_key).expect(401);
      await exchange('/v1/oauth/tokens', { grant_type: 'client_credentials', client_id: id, client_secret: rotated.body.api_key }).expect(401);

      await t.http.delete(`/api/v1/service-users/${id}`).set(bearer(acme.adminToken)).expect(204);
      await t.http.get(`/api/v1/service-users/${id}`).set(bearer(acme.adminToken)).expect(404);
    });

    it('a tenant-user service user has no access without grants (403 through the Iceberg client)', async () => {
      const created = await t.http
        .post('/api/v1/service-users')
        .set(bearer(acme.adminToken))
        .send({ name: `reader-${Date.now()}`, role: 'tenant-user' })
        .expect(201);
      const catalog = new IcebergRestCatalog({
        baseUrl: t.baseUrl,
        catalogName: 'lake',
        auth: { type: 'header', name: 'X-API-Key', value: created.body.api_key },
      });
      const error = await catalog.listNamespaces().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IcebergError);
      expect((error as IcebergError).status).toBe(403);
    });
  });
}

/** The key with its last character replaced by a different one (a fixed replacement could equal it). */
function withLastCharacterChanged(key: string): string {
  const last = key.slice(-1);
  return `${key.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
}
