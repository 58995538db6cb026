import { randomUUID } from 'node:crypto';
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
} from '../auth/auth-support';

const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

/**
 * Sessions and credential checks under attack: password changes and key rotations end the sessions issued
 * before them, throttling cannot be turned against the real owner of an account or key, and service users
 * are authorized by grants like any tenant user. Source addresses are simulated with X-Forwarded-For.
 */
for (const kind of AUTH_BACKENDS) {
  describe(`sessions, throttling and service-user grants [${kind}]`, () => {
    let t: AuthTestApp;
    let acme: TenantFixture;
    let catalogId: string;

    /** A distinct simulated source address per call, so tests never share a throttle window. */
    let addressCounter = 0;
    const newAddress = () => `198.51.100.${++addressCounter}`;

    const loginFrom = (address: string, username: string, password: string) =>
      t.http
        .post('/api/v1/users/login')
        .set('X-Forwarded-For', address)
        .send({ username, password, 'tenant-id': acme.tenantId });

    const exchange = (form: Record<string, string>, address?: string) => {
      const req = t.http.post('/v1/oauth/tokens').type('form');
      if (address !== undefined) req.set('X-Forwarded-For', address);
      return req.send(form);
    };

    const createServiceUser = async (role: string) =>
      (
        await t.http
          .post('/api/v1/service-users')
          .set(bearer(acme.adminToken))
          .send({ name: `svc-${randomUUID().slice(0, 8)}`, role })
          .expect(201)
      ).body as { id: string; api_key: string };

    beforeAll(async () => {
      t = await startAuthApp(kind, { PANGOLIN_TRUST_FORWARDED_FOR: 'true' });
      acme = await createTenantWithAdmin(t.http, await rootLogin(t.http), 'sessions');
      const admin = bearer(acme.adminToken);
      catalogId = (await t.http.post('/api/v1/catalogs').set(admin).send({ name: 'lake' }).expect(201)).body.id;
      await t.http.post('/v1/lake/namespaces').set(admin).send({ namespace: ['ns'] }).expect(200);
      for (const table of ['granted', 'other']) {
        await t.http.post('/v1/lake/namespaces/ns/tables').set(admin).send({ name: table, schema: SCHEMA }).expect(200);
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    it("a password change ends the user's sessions: a self change all of them, an admin reset all of them", async () => {
      const user = await createTenantUser(t.http, acme, `pat-${randomUUID().slice(0, 6)}`);
      const otherSession = await login(t.http, user.username, user.password, acme.tenantId);
      const minted = await t.http
        .post('/api/v1/tokens')
        .set(bearer(acme.adminToken))
        .send({ tenant_id: acme.tenantId, username: user.username })
        .expect(200);
      for (const token of [user.token, otherSession, minted.body.token]) {
        await t.http.get('/api/v1/users/me').set(bearer(token)).expect(200);
      }

      const selfChosen = 'self-chosen-password-1';
      await t.http
        .put(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .send({ password: selfChosen, current_password: user.password })
        .expect(200);
      // Every session issued before the change stops at once, the one that made the change included.
      for (const token of [user.token, otherSession, minted.body.token]) {
        await t.http.get('/api/v1/users/me').set(bearer(token)).expect(401);
      }
      const afterSelfChange = await login(t.http, user.username, selfChosen, acme.tenantId);
      await t.http.get('/api/v1/users/me').set(bearer(afterSelfChange)).expect(200);

      const adminChosen = 'admin-chosen-password-2';
      await t.http.put(`/api/v1/users/${user.id}`).set(bearer(acme.adminToken)).send({ password: adminChosen }).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(afterSelfChange)).expect(401);
      await loginFrom(newAddress(), user.username, selfChosen).expect(401);
      const afterReset = await login(t.http, user.username, adminChosen, acme.tenantId);
      await t.http.get('/api/v1/users/me').set(bearer(afterReset)).expect(200);
      // Other changes (an email) end nothing.
      await t.http.put(`/api/v1/users/${user.id}`).set(bearer(afterReset)).send({ email: 'pat@example.com' }).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(afterReset)).expect(200);
    });

    it('changing your own password needs the current one (400 missing, 401 wrong, throttled)', async () => {
      const user = await createTenantUser(t.http, acme, `quinn-${randomUUID().slice(0, 6)}`);
      const address = newAddress();
      const change = (body: object) =>
        t.http.put(`/api/v1/users/${user.id}`).set(bearer(user.token)).set('X-Forwarded-For', address).send(body);

      const missing = await change({ password: 'new-password-123' }).expect(400);
      expect(missing.body.error).toMatch(/current_password/);
      const wrong = await change({ password: 'new-password-123', current_password: 'not-my-password' }).expect(401);
      expect(wrong.body.error).toBe('Invalid credentials');
      // Neither attempt changed anything: the old password and the old session still work.
      await t.http.get('/api/v1/users/me').set(bearer(user.token)).expect(200);
      await login(t.http, user.username, user.password, acme.tenantId);

      // Wrong current passwords count like failed logins (limit 5 per window in the test configuration).
      for (let i = 0; i < 4; i++) await change({ password: 'new-password-123', current_password: `guess-${i}` }).expect(401);
      const throttled = await change({ password: 'new-password-123', current_password: user.password }).expect(429);
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
      // From another address the right current password is accepted.
      await t.http
        .put(`/api/v1/users/${user.id}`)
        .set(bearer(user.token))
        .set('X-Forwarded-For', newAddress())
        .send({ password: 'new-password-123', current_password: user.password })
        .expect(200);
      await login(t.http, user.username, 'new-password-123', acme.tenantId);
    });

    it("failed logins from one address cannot lock the account's owner out at another address", async () => {
      const alice = await createTenantUser(t.http, acme, `alice-${randomUUID().slice(0, 6)}`);
      const attacker = newAddress();
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await loginFrom(attacker, alice.username, `wrong-${i}`)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
      // The attacker's address stays locked for that account, even with the right password...
      await loginFrom(attacker, alice.username, alice.password).expect(429);
      // ...while alice, elsewhere, logs in.
      const res = await loginFrom(newAddress(), alice.username, alice.password).expect(200);
      await t.http.get('/api/v1/users/me').set(bearer(res.body.token)).expect(200);
    });

    it('a valid API key or client secret is never refused for the failures of others at its address', async () => {
      const svc = await createServiceUser('tenant-admin');
      const shared = newAddress();
      // Well-formed keys of unknown service users: each names another client, so only the address fills up.
      const unknownKey = () => `pgl_${randomUUID().replace(/-/g, '')}${'k'.repeat(32)}`;
      let status = 401;
      for (let i = 0; i < 30 && status !== 429; i++) {
        status = (await t.http.get('/api/v1/catalogs').set('X-API-Key', unknownKey()).set('X-Forwarded-For', shared)).status;
      }
      expect(status).toBe(429);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', svc.api_key).set('X-Forwarded-For', shared).expect(200);
      const issued = await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.api_key }, shared).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(issued.body.access_token)).expect(200);
      // Failures from that address are still answered 429.
      const refused = await t.http.get('/api/v1/catalogs').set('X-API-Key', `${svc.api_key.slice(0, -1)}!`).set('X-Forwarded-For', shared);
      expect(refused.status).toBe(429);
      await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: 'pgl_wrong' }, shared).expect(429);
    });

    it('rotating an API key ends the OAuth tokens issued with the old key', async () => {
      const svc = await createServiceUser('tenant-admin');
      const issued = await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.api_key }).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(issued.body.access_token)).expect(200);

      const rotated = await t.http.post(`/api/v1/service-users/${svc.id}/rotate`).set(bearer(acme.adminToken)).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(issued.body.access_token)).expect(401);
      await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.api_key }).expect(401);
      const fresh = await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: rotated.body.api_key }).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(fresh.body.access_token)).expect(200);
      // A token rotated from the fresh one keeps working; other changes (a description) end nothing.
      const rerolled = await t.http.post('/api/v1/tokens/rotate').set(bearer(fresh.body.access_token)).expect(200);
      await t.http.put(`/api/v1/service-users/${svc.id}`).set(bearer(acme.adminToken)).send({ description: 'etl' }).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(rerolled.body.token)).expect(200);
    });

    it('service users receive grants and are authorized by them, by API key and by OAuth token', async () => {
      const svc = await createServiceUser('tenant-user');
      const asset = await t.ports.assets.getAsset(acme.tenantId, 'lake', 'main', ['ns'], 'granted');
      expect(asset).not.toBeNull();
      const granted = await t.http
        .post('/api/v1/permissions')
        .set(bearer(acme.adminToken))
        .send({ 'user-id': svc.id, scope: { type: 'asset', catalog_id: catalogId, namespace: 'ns', asset_id: asset!.id }, actions: ['read'] })
        .expect(201);
      expect(granted.body['user-id']).toBe(svc.id);
      const listed = await t.http.get(`/api/v1/permissions?user=${svc.id}`).set(bearer(acme.adminToken)).expect(200);
      expect(listed.body.map((p: { id: string }) => p.id)).toEqual([granted.body.id]);

      const issued = await exchange({ grant_type: 'client_credentials', client_id: svc.id, client_secret: svc.api_key }).expect(200);
      for (const credential of [{ 'X-API-Key': svc.api_key }, bearer(issued.body.access_token)]) {
        await t.http.get('/v1/lake/namespaces/ns/tables/granted').set(credential).expect(200);
        await t.http.get('/v1/lake/namespaces/ns/tables/other').set(credential).expect(403);
        await t.http.get('/v1/lake/namespaces/ns/tables').set(credential).expect(403);
        await t.http.post('/v1/lake/namespaces/ns/tables').set(credential).send({ name: 'new', schema: SCHEMA }).expect(403);
        await t.http.get('/api/v1/service-users').set(credential).expect(403);
      }

      // A grant cannot name an id that is neither a user nor a service user of the tenant.
      await t.http
        .post('/api/v1/permissions')
        .set(bearer(acme.adminToken))
        .send({ 'user-id': randomUUID(), scope: { type: 'tenant' }, actions: ['read'] })
        .expect(404);
      // Deleting the service user deletes its grants.
      await t.http.delete(`/api/v1/service-users/${svc.id}`).set(bearer(acme.adminToken)).expect(204);
      const after = await t.http.get(`/api/v1/permissions?user=${svc.id}`).set(bearer(acme.adminToken)).expect(200);
      expect(after.body).toEqual([]);
    });
  });
}
