import { randomUUID } from 'node:crypto';
import { signToken } from '../../../src/auth/jwt';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import {
  AUTH_BACKENDS,
  bearer,
  createTenantUser,
  createTenantWithAdmin,
  JWT_SECRET,
  login,
  ROOT_PASSWORD,
  ROOT_USER,
  rootLogin,
  startAuthApp,
  type AuthTestApp,
  type TenantFixture,
} from './auth-support';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Authentication, tokens, users and tenant resolution in auth mode, through the real app, per backend.
 */
for (const kind of AUTH_BACKENDS) {
  describe(`authentication and tokens [${kind}]`, () => {
    let t: AuthTestApp;
    let rootToken: string;
    let acme: TenantFixture;

    beforeAll(async () => {
      t = await startAuthApp(kind);
      rootToken = await rootLogin(t.http);
      acme = await createTenantWithAdmin(t.http, rootToken, 'acme');
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reports auth mode and refuses requests without credentials, routed or not (401 before 404)', async () => {
      await t.http.get('/api/v1/app-config').expect(200, { auth_enabled: true });
      const res = await t.http.get('/api/v1/catalogs').expect(401);
      expect(res.body).toEqual({ error: 'Missing or invalid authorization header' });
      await t.http.get('/api/v1/no-such-route').expect(401);
      await t.http.get('/v1/some-catalog/namespaces').expect(401);
      await t.http.get('/api/v1/catalogs').set('Authorization', 'Token abc').expect(401);
    });

    it('CORS preflight is answered before authentication (browsers send it without credentials)', async () => {
      const res = await t.http
        .options('/api/v1/catalogs')
        .set('Origin', 'http://ui.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization,x-api-key,x-pangolin-tenant');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-headers']).toMatch(/x-api-key/);
    });

    it('public routes match whole route shapes only: a namespace named config or oauth stays protected', async () => {
      await t.http.get('/health').expect(200);
      await t.http.get('/v1/config').expect(200);
      await t.http.get('/v1/anything/config').expect(200);
      await t.http.get('/v1/anything/v1/config').expect(200);
      await t.http.get('/v1/cat/namespaces/config').expect(401);
      await t.http.delete('/v1/cat/namespaces/config').expect(401);
      await t.http.get('/v1/cat/namespaces/oauth/tables/tokens').expect(401);
      await t.http.get('/api/v1/users/login/extra').expect(401);
      await t.http.get('/v1/config/extra').expect(401);
    });

    it('root logs in with the configured credential; /users/me and logout use kebab-case shapes', async () => {
      const res = await t.http.post('/api/v1/users/login').send({ username: ROOT_USER, password: ROOT_PASSWORD }).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['expires-at', 'token', 'user']);
      expect(res.body['expires-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
      expect(res.body.user).toMatchObject({ username: ROOT_USER, role: 'root', 'tenant-id': null, 'oauth-provider': null });
      expect(res.body.user['last-login']).not.toBeNull();
      const me = await t.http.get('/api/v1/users/me').set(bearer(res.body.token)).expect(200);
      expect(me.body).toMatchObject({ username: ROOT_USER, role: 'root', 'tenant-id': null });
      await t.http.post('/api/v1/users/logout').set(bearer(res.body.token)).expect(204);
      const after = await t.http.get('/api/v1/users/me').set(bearer(res.body.token)).expect(401);
      expect(after.body.error).toBe('Token has been revoked');
    });

    it('wrong passwords, unknown users and tenant users without tenant-id all get the same 401', async () => {
      const user = await createTenantUser(t.http, acme, `bob-${randomUUID().slice(0, 6)}`);
      for (const body of [
        { username: ROOT_USER, password: 'wrong-password-123' },
        { username: 'nobody-at-all', password: 'whatever-123' },
        { username: user.username, password: user.password }, // no tenant-id
        { username: user.username, password: user.password, 'tenant-id': randomUUID() },
      ]) {
        const res = await t.http.post('/api/v1/users/login').send(body).expect(401);
        expect(res.body).toEqual({ error: 'Invalid credentials' });
      }
      await login(t.http, user.username, user.password, acme.tenantId);
    });

    it('root HTTP Basic works; a wrong Basic password is 401', async () => {
      const good = Buffer.from(`${ROOT_USER}:${ROOT_PASSWORD}`).toString('base64');
      await t.http.get('/api/v1/tenants').set('Authorization', `Basic ${good}`).expect(200);
      const bad = Buffer.from(`${ROOT_USER}:nope`).toString('base64');
      await t.http.get('/api/v1/tenants').set('Authorization', `Basic ${bad}`).expect(401);
    });

    it('tenants are root-only; a member reads its own tenant, another tenant is 404', async () => {
      const list = await t.http.get('/api/v1/tenants').set(bearer(rootToken)).expect(200);
      expect(list.body.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([DEFAULT_TENANT_ID, acme.tenantId]));
      await t.http.get('/api/v1/tenants').set(bearer(acme.adminToken)).expect(403);
      await t.http.post('/api/v1/tenants').set(bearer(acme.adminToken)).send({ name: 'evil' }).expect(403);
      await t.http.put(`/api/v1/tenants/${acme.tenantId}`).set(bearer(acme.adminToken)).send({ name: 'x' }).expect(403);
      await t.http.delete(`/api/v1/tenants/${acme.tenantId}`).set(bearer(acme.adminToken)).expect(403);
      await t.http.get(`/api/v1/tenants/${acme.tenantId}`).set(bearer(acme.adminToken)).expect(200);
      const other = await t.http.get(`/api/v1/tenants/${DEFAULT_TENANT_ID}`).set(bearer(acme.adminToken)).expect(404);
      expect(other.body).toEqual({ error: 'Tenant not found' });
    });

    it("deleting a tenant deletes its identities: its users' tokens stop working", async () => {
      const doomed = await createTenantWithAdmin(t.http, rootToken, 'doomed');
      const user = await createTenantUser(t.http, doomed, 'doomed-user');
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(200);
      await t.http.delete(`/api/v1/tenants/${doomed.tenantId}`).set(bearer(rootToken)).expect(204);
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(401);
      await t.http.get('/api/v1/catalogs').set(bearer(doomed.adminToken)).expect(401);
      await t.http
        .post('/api/v1/users/login')
        .send({ username: doomed.adminName, password: doomed.adminPassword, 'tenant-id': doomed.tenantId })
        .expect(401);
    });

    it('X-Pangolin-Tenant is honoured for root only', async () => {
      await t.http
        .post('/api/v1/catalogs')
        .set(bearer(acme.adminToken))
        .send({ name: 'acme-only' })
        .expect(201);
      // A tenant admin's header is ignored: it still sees its own tenant.
      const own = await t.http.get('/api/v1/catalogs').set(bearer(acme.adminToken)).set('X-Pangolin-Tenant', DEFAULT_TENANT_ID).expect(200);
      expect(own.body.map((c: { name: string }) => c.name)).toContain('acme-only');
      // Root without the header acts in the default tenant; with it, in acme.
      const rootDefault = await t.http.get('/api/v1/catalogs').set(bearer(rootToken)).expect(200);
      expect(rootDefault.body.map((c: { name: string }) => c.name)).not.toContain('acme-only');
      const rootAcme = await t.http.get('/api/v1/catalogs').set(bearer(rootToken)).set('X-Pangolin-Tenant', acme.tenantId).expect(200);
      expect(rootAcme.body.map((c: { name: string }) => c.name)).toContain('acme-only');
    });

    it('users: created by admins only, listed without secrets, updated as JSON, deactivation stops their tokens', async () => {
      const user = await createTenantUser(t.http, acme, `carol-${randomUUID().slice(0, 6)}`);
      // A tenant user creates nobody, and an admin creates nobody in another tenant or as root.
      await t.http
        .post('/api/v1/users')
        .set(bearer(user.token))
        .send({ username: 'x1', email: 'x@example.com', password: 'password-123', role: 'tenant-user' })
        .expect(403);
      await t.http
        .post('/api/v1/users')
        .set(bearer(acme.adminToken))
        .send({ username: 'x2', email: 'x@example.com', password: 'password-123', role: 'tenant-user', tenant_id: DEFAULT_TENANT_ID })
        .expect(403);
      await t.http
        .post('/api/v1/users')
        .set(bearer(acme.adminToken))
        .send({ username: 'x3', email: 'x@example.com', password: 'password-123', role: 'root' })
        .expect(403);
      // A duplicate username in the tenant is 409; another tenant may reuse it.
      await t.http
        .post('/api/v1/users')
        .set(bearer(acme.adminToken))
        .send({ username: user.username, email: 'x@example.com', password: 'password-123', role: 'tenant-user' })
        .expect(409);

      const list = await t.http.get('/api/v1/users').set(bearer(acme.adminToken)).expect(200);
      expect(JSON.stringify(list.body)).not.toMatch(/hash|\$2[aby]\$/i);
      await t.http.get('/api/v1/users').set(bearer(user.token)).expect(403);
      await t.http.get(`/api/v1/users/${acme.adminId}`).set(bearer(user.token)).expect(403);
      await t.http.get(`/api/v1/users/${user.id}`).set(bearer(user.token)).expect(200);

      const updated = await t.http.put(`/api/v1/users/${user.id}`).set(bearer(user.token)).send({ email: 'new@example.com' }).expect(200);
      expect(updated.body).toMatchObject({ id: user.id, email: 'new@example.com' });
      await t.http.put(`/api/v1/users/${user.id}`).set(bearer(user.token)).send({ active: false }).expect(403);

      await t.http.put(`/api/v1/users/${user.id}`).set(bearer(acme.adminToken)).send({ active: false }).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(401);
      const relogin = await t.http
        .post('/api/v1/users/login')
        .send({ username: user.username, password: user.password, 'tenant-id': acme.tenantId })
        .expect(401);
      expect(relogin.body.error).toBe('Account is disabled');
    });

    it('minted tokens are rank-limited, capped, recorded, listed without the token, revocable by id', async () => {
      const user = await createTenantUser(t.http, acme, `dave-${randomUUID().slice(0, 6)}`);
      // A tenant user cannot mint; an admin cannot mint root, above the user's role, for another tenant, or too long.
      await t.http.post('/api/v1/tokens').set(bearer(user.token)).send({ tenant_id: acme.tenantId }).expect(403);
      await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, roles: ['root'] })
        .expect(403);
      await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, username: user.username, roles: ['tenant-admin'] })
        .expect(403);
      await t.http.post('/api/v1/tokens').set(bearer(acme.adminToken)).send({ tenant_id: DEFAULT_TENANT_ID }).expect(403);
      await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, expires_in_hours: 8761 })
        .expect(400);
      await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, roles: ['superuser'] })
        .expect(400);
      await t.http.post('/api/v1/tokens').set(bearer(acme.adminToken)).send({ tenant_id: 'not-a-uuid' }).expect(400);

      const minted = await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, username: user.username, expires_in_hours: 2 })
        .expect(200);
      expect(minted.body).toMatchObject({ tenant_id: acme.tenantId });
      expect(minted.body.expires_at).toMatch(/\+00:00$/);
      const token = minted.body.token as string;
      const me = await t.http.get('/api/v1/users/me').set(bearer(token)).expect(200);
      expect(me.body).toMatchObject({ id: user.id, role: 'tenant-user' });

      const mine = await t.http.get('/api/v1/users/me/tokens').set(bearer(token)).expect(200);
      expect(mine.body.length).toBeGreaterThanOrEqual(2); // the login token and the minted one
      for (const info of mine.body) {
        expect(Object.keys(info).sort()).toEqual(['created_at', 'expires_at', 'id', 'is_valid', 'tenant_id', 'user_id', 'username']);
      }
      expect(JSON.stringify(mine.body)).not.toContain(token);
      const byAdmin = await t.http.get(`/api/v1/users/${user.id}/tokens`).set(bearer(acme.adminToken)).expect(200);
      const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti as string;
      expect(byAdmin.body.map((x: { id: string }) => x.id)).toContain(jti);
      await t.http.get(`/api/v1/users/${user.id}/tokens`).set(bearer(user.token)).expect(403);

      const revoked = await t.http.post(`/api/v1/auth/revoke/${jti}`).set(bearer(acme.adminToken)).expect(200);
      expect(revoked.body.message).toContain(jti);
      const after = await t.http.get('/api/v1/users/me').set(bearer(token)).expect(401);
      expect(after.body.error).toBe('Token has been revoked');
      // Another tenant's admin cannot see or revoke this tenant's token ids.
      const other = await createTenantWithAdmin(t.http, rootToken, 'other');
      const userJti = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString()).jti as string;
      await t.http.delete(`/api/v1/tokens/${userJti}`).set(bearer(other.adminToken)).expect(404);
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(200);
      await t.http.delete(`/api/v1/tokens/${userJti}`).set(bearer(acme.adminToken)).expect(204);
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(401);
    });

    it('root mints tokens for any tenant: for a user (at most its role) or a root token acting in that tenant', async () => {
      const forAdmin = await t.http
        .post('/api/v1/tokens')
        .set(bearer(rootToken))
        .send({ tenant_id: acme.tenantId, username: acme.adminName })
        .expect(200);
      const me = await t.http.get('/api/v1/users/me').set(bearer(forAdmin.body.token)).expect(200);
      expect(me.body).toMatchObject({ id: acme.adminId, role: 'tenant-admin' });
      await t.http
        .post('/api/v1/tokens')
        .set(bearer(rootToken))
        .send({ tenant_id: acme.tenantId, username: acme.adminName, roles: ['root'] })
        .expect(403);
      const scopedRoot = await t.http.post('/api/v1/tokens').set(bearer(rootToken)).send({ tenant_id: acme.tenantId, roles: ['Root'] }).expect(200);
      const catalogs = await t.http.get('/api/v1/catalogs').set(bearer(scopedRoot.body.token)).expect(200);
      expect(catalogs.body.map((c: { name: string }) => c.name)).toContain('acme-only');
      // A revocation by id needs no body (pypangolin sends none) and answers 404 for an unknown id.
      await t.http.post(`/api/v1/auth/revoke/${randomUUID()}`).set(bearer(rootToken)).expect(404);
    });

    it('rotation issues a working token and the old one stops working; auth/revoke revokes the caller', async () => {
      const user = await createTenantUser(t.http, acme, `erin-${randomUUID().slice(0, 6)}`);
      const rotated = await t.http.post('/api/v1/tokens/rotate').set(bearer(user.token)).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(401);
      await t.http.get('/api/v1/users/me').set(bearer(rotated.body.token)).expect(200);
      await t.http.post('/api/v1/auth/revoke').set(bearer(rotated.body.token)).send({}).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(rotated.body.token)).expect(401);
      // Root rotation keeps a null tenant (v0.4.0 wrote "" and broke the token).
      const rootRotated = await t.http.post('/api/v1/tokens/rotate').set(bearer(await rootLogin(t.http))).expect(200);
      expect(rootRotated.body.tenant_id).toBeNull();
      await t.http.get('/api/v1/tenants').set(bearer(rootRotated.body.token)).expect(200);
    });

    it('expired, forged, tampered, alg=none and wrong-tenant tokens are 401', async () => {
      const user = await createTenantUser(t.http, acme, `frank-${randomUUID().slice(0, 6)}`);
      const claims = JSON.parse(Buffer.from(user.token.split('.')[1], 'base64url').toString());
      const expired = await signToken({ ...claims, jti: randomUUID(), iat: nowSeconds() - 7200, exp: nowSeconds() - 10 }, JWT_SECRET);
      const expiredRes = await t.http.get('/api/v1/users/me').set(bearer(expired)).expect(401);
      expect(expiredRes.body.error).toBe('Token expired');
      const forged = await signToken({ ...claims, role: 'root', tenant_id: null }, 'another-secret-that-is-long-enough-1234');
      await t.http.get('/api/v1/tenants').set(bearer(forged)).expect(401);
      const [header, , signature] = user.token.split('.');
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'root' })).toString('base64url')}.${signature}`;
      await t.http.get('/api/v1/tenants').set(bearer(tampered)).expect(401);
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      await t.http.get('/api/v1/users/me').set(bearer(none)).expect(401);
      // Correctly signed, but claiming root for a tenant user, or another tenant: the subject does not match.
      const escalated = await signToken({ ...claims, jti: randomUUID(), role: 'root' }, JWT_SECRET);
      await t.http.get('/api/v1/tenants').set(bearer(escalated)).expect(401);
      const moved = await signToken({ ...claims, jti: randomUUID(), tenant_id: DEFAULT_TENANT_ID }, JWT_SECRET);
      await t.http.get('/api/v1/users/me').set(bearer(moved)).expect(401);
      await t.http.get('/api/v1/users/me').set(bearer('not.a.jwt')).expect(401);
    });

    it('a tenant user cannot grant itself permissions or roles', async () => {
      const user = await createTenantUser(t.http, acme, `gina-${randomUUID().slice(0, 6)}`);
      await t.http
        .post('/api/v1/permissions')
        .set(bearer(user.token))
        .send({ 'user-id': user.id, scope: { type: 'tenant' }, actions: ['all'] })
        .expect(403);
      await t.http.post('/api/v1/roles').set(bearer(user.token)).send({ name: 'mine', 'tenant-id': acme.tenantId }).expect(403);
      const role = await t.http
        .post('/api/v1/roles')
        .set(bearer(acme.adminToken))
        .send({ name: `readers-${randomUUID().slice(0, 6)}`, 'tenant-id': acme.tenantId })
        .expect(201);
      await t.http.post(`/api/v1/users/${user.id}/roles`).set(bearer(user.token)).send({ 'role-id': role.body.id }).expect(403);
      await t.http.get('/api/v1/permissions').set(bearer(user.token)).expect(200, []);
    });

    it('cleanup removes expired token rows (admin only)', async () => {
      const user = await createTenantUser(t.http, acme, `hank-${randomUUID().slice(0, 6)}`);
      await t.http.post('/api/v1/auth/cleanup-tokens').set(bearer(user.token)).expect(403);
      const res = await t.http.post('/api/v1/auth/cleanup-tokens').set(bearer(acme.adminToken)).expect(200);
      expect(res.body).toEqual({ message: `Cleaned up ${res.body.count} expired tokens`, count: expect.any(Number) });
    });

    it('logins are throttled per account and per source address (429 with Retry-After)', async () => {
      const user = await createTenantUser(t.http, acme, `ivan-${randomUUID().slice(0, 6)}`);
      for (let i = 0; i < 5; i++) {
        await t.http
          .post('/api/v1/users/login')
          .send({ username: user.username, password: 'wrong-password', 'tenant-id': acme.tenantId })
          .expect(401);
      }
      const throttled = await t.http
        .post('/api/v1/users/login')
        .send({ username: user.username, password: user.password, 'tenant-id': acme.tenantId })
        .expect(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      // Another account is not affected by that account's failures...
      await rootLogin(t.http);
      // ...until the source address uses up its own, larger allowance: then every account from it waits.
      let status = 401;
      for (let i = 0; i < 25 && status === 401; i++) {
        const res = await t.http.post('/api/v1/users/login').send({ username: `ghost-${i}`, password: 'wrong-password' });
        status = res.status;
      }
      expect(status).toBe(429);
      await t.http.post('/api/v1/users/login').send({ username: ROOT_USER, password: ROOT_PASSWORD }).expect(429);
      // Tokens already issued keep working.
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(200);
    });
  });
}
