import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { NO_AUTH_ADMIN_ID } from '../../../src/auth/auth.tokens';
import { SECRETS_FILE_NAME } from '../../../src/auth/bootstrap-secrets';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';
import {
  AUTH_BACKENDS,
  bearer,
  createTenantUser,
  createTenantWithAdmin,
  JWT_SECRET,
  login,
  ROOT_PASSWORD,
  rootLogin,
  startAuthApp,
  type AuthTestApp,
} from './auth-support';

for (const kind of AUTH_BACKENDS) {
  describe(`NO-AUTH mode [${kind}]`, () => {
    let t: AuthTestApp;

    beforeAll(async () => {
      t = await startAuthApp(kind, { PANGOLIN_NO_AUTH: 'true' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('serves credential-less requests as the default tenant admin, with the default tenant present', async () => {
      await t.http.get('/api/v1/app-config').expect(200, { auth_enabled: false });
      const tenant = await t.http.get(`/api/v1/tenants/${DEFAULT_TENANT_ID}`).expect(200);
      expect(tenant.body).toEqual({ id: DEFAULT_TENANT_ID, name: 'default', properties: {} });
      const me = await t.http.get('/api/v1/users/me').expect(200);
      expect(me.body).toMatchObject({ id: NO_AUTH_ADMIN_ID, role: 'tenant-admin', 'tenant-id': DEFAULT_TENANT_ID });
      await t.http.post('/api/v1/catalogs').send({ name: 'local' }).expect(201);
      await t.http.post('/v1/local/namespaces').send({ namespace: ['ns'] }).expect(200);
      const created = await t.http.post('/api/v1/tenants').send({ name: 'nope' }).expect(403);
      expect(created.body).toEqual({
        error: 'Tenant creation is disabled in NO_AUTH mode',
        hint: expect.stringContaining('PANGOLIN_NO_AUTH'),
      });
      expect(t.logs()).toMatch(/NOT authenticated/);
    });

    it('still verifies a supplied Authorization header', async () => {
      await t.http.get('/api/v1/catalogs').set('Authorization', 'Bearer not-a-token').expect(401);
      await t.http.get('/api/v1/catalogs').set('Authorization', 'Basic cm9vdDp3cm9uZw==').expect(401);
      const root = await rootLogin(t.http);
      const me = await t.http.get('/api/v1/users/me').set(bearer(root)).expect(200);
      expect(me.body.role).toBe('root');
    });
  });
}

describe('first start without configured secrets', () => {
  it('generates the root credential and signing secret, stores them owner-only, prints the password once and never logs it', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    let t: AuthTestApp | undefined;
    try {
      t = await startAuthApp('sqlite', { PANGOLIN_JWT_SECRET: '', PANGOLIN_ROOT_USER: '', PANGOLIN_ROOT_PASSWORD: '' });
    } finally {
      spy.mockRestore();
    }
    try {
      const file = path.join(t.dataDir, SECRETS_FILE_NAME);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const stored = JSON.parse(await readFile(file, 'utf8')) as { jwt_secret: string; root_user: string; root_password: string };
      expect(stored.root_user).toBe('root');
      expect(stored.root_password.length).toBeGreaterThanOrEqual(16);
      expect(stored.jwt_secret.length).toBeGreaterThanOrEqual(32);
      const banner = written.join('');
      expect(banner).toContain(stored.root_password);
      expect(banner).not.toContain(stored.jwt_secret);
      expect(t.logs()).not.toContain(stored.root_password);
      expect(t.logs()).not.toContain(stored.jwt_secret);

      const token = await login(t.http, 'root', stored.root_password);
      await t.http.get('/api/v1/tenants').set(bearer(token)).expect(200);
      // No published default works.
      for (const [username, password] of [
        ['admin', 'password'],
        ['root', 'password'],
        ['tenant_admin', 'password123'],
      ]) {
        await t.http.post('/api/v1/users/login').send({ username, password }).expect(401);
      }
    } finally {
      await t.close();
    }
  });
});

describe('secrets never reach logs or responses', () => {
  it('passwords, tokens, API keys and the signing secret stay out of the log and of list responses', async () => {
    const t = await startAuthApp('memory', { LOG_LEVEL: 'trace' });
    try {
      const rootToken = await rootLogin(t.http);
      const acme = await createTenantWithAdmin(t.http, rootToken, 'logs');
      const user = await createTenantUser(t.http, acme, 'logged-user');
      await t.http.post('/api/v1/users/login').send({ username: user.username, password: 'Wrong-Password-987', 'tenant-id': acme.tenantId }).expect(401);
      const minted = await t.http.post('/api/v1/tokens').set(bearer(acme.adminToken)).send({ tenant_id: acme.tenantId }).expect(200);
      const svc = await t.http.post('/api/v1/service-users').set(bearer(acme.adminToken)).send({ name: 'svc', role: 'tenant-admin' }).expect(201);
      const oauth = await t.http
        .post('/v1/oauth/tokens')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: svc.body.id, client_secret: svc.body.api_key })
        .expect(200);
      await t.http.get('/api/v1/catalogs').set('X-API-Key', svc.body.api_key).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(oauth.body.access_token)).expect(200);
      await t.http.get('/api/v1/catalogs').set(bearer(`${minted.body.token}x`)).expect(401);
      const secrets = [
        ROOT_PASSWORD,
        JWT_SECRET,
        acme.adminPassword,
        user.password,
        'Wrong-Password-987',
        rootToken,
        acme.adminToken,
        user.token,
        minted.body.token,
        svc.body.api_key,
        oauth.body.access_token,
      ];
      const logs = t.logs();
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of secrets) expect({ leaked: logs.includes(secret) }).toEqual({ leaked: false });

      const responses = await Promise.all([
        t.http.get('/api/v1/users').set(bearer(acme.adminToken)),
        t.http.get(`/api/v1/users/${user.id}`).set(bearer(acme.adminToken)),
        t.http.get('/api/v1/users/me/tokens').set(bearer(acme.adminToken)),
        t.http.get(`/api/v1/users/${user.id}/tokens`).set(bearer(acme.adminToken)),
        t.http.get('/api/v1/service-users').set(bearer(acme.adminToken)),
        t.http.get('/api/v1/users/me').set(bearer(acme.adminToken)),
      ]);
      for (const res of responses) {
        expect(res.status).toBe(200);
        for (const secret of secrets) expect(res.text.includes(secret)).toBe(false);
        expect(res.text).not.toMatch(/\$2[aby]\$|password|hash/i);
      }
    } finally {
      await t.close();
    }
  });
});

describe('the authentication path fails closed', () => {
  it('an identity store that cannot answer refuses the request (503), never lets it through', async () => {
    const faults = { revocation: false, subject: false, grants: false };
    /** The port with one method failing (with `error`) while `failing()` holds. */
    const faulty = <T extends object>(port: T, method: string, failing: () => boolean, error: string): T =>
      new Proxy(port, {
        get(target, property, receiver) {
          const original = Reflect.get(target, property, receiver) as unknown;
          if (typeof original !== 'function') return original;
          return (...args: unknown[]) => {
            if (property === method && failing()) return Promise.reject(new Error(error));
            return (original as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const wrap = (ports: PersistencePorts): PersistencePorts => ({
      ...ports,
      tokens: faulty(ports.tokens, 'isTokenRevoked', () => faults.revocation, 'connection reset'),
      users: faulty(ports.users, 'getUser', () => faults.subject, 'socket hang up'),
      rolesAndGrants: faulty(ports.rolesAndGrants, 'getEffectiveGrants', () => faults.grants, 'timeout'),
    });
    const t = await startAuthApp('memory', {}, wrap);
    try {
      const rootToken = await rootLogin(t.http);
      const acme = await createTenantWithAdmin(t.http, rootToken, 'faults');
      const user = await createTenantUser(t.http, acme, `u-${randomUUID().slice(0, 6)}`);
      await t.http.post('/api/v1/permissions').set(bearer(acme.adminToken)).send({ 'user-id': user.id, scope: { type: 'tenant' }, actions: ['all'] }).expect(201);
      await t.http.get('/api/v1/catalogs').set(bearer(user.token)).expect(200);

      faults.revocation = true;
      const revocation = await t.http.get('/api/v1/catalogs').set(bearer(user.token));
      expect(revocation.status).toBe(503);
      expect(revocation.text).not.toContain('connection reset');
      faults.revocation = false;

      faults.subject = true;
      expect((await t.http.get('/api/v1/catalogs').set(bearer(user.token))).status).toBe(503);
      faults.subject = false;

      faults.grants = true;
      const grants = await t.http.get('/api/v1/catalogs').set(bearer(user.token));
      expect(grants.status).toBe(503);
      faults.grants = false;

      await t.http.get('/api/v1/catalogs').set(bearer(user.token)).expect(200);
    } finally {
      await t.close();
    }
  });
});
