import { randomUUID } from 'node:crypto';
import type { Test } from 'supertest';
import { ROOT_USER_ID } from '../../../src/auth/auth.tokens';
import type { Access } from '../../../src/auth/access';
import { RouteAccessIndex } from '../../../src/auth/route-access-index';
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

/**
 * The authorization matrix, GENERATED from the routes the running application registered with Express:
 * every route must have the access rule declared on its handler (or be a public non-Nest route such as the
 * OpenAPI explorer), and every route is called as every kind of caller, the outcome checked against the rule.
 * A route whose rule the index does not know fails the first test; a rule that is not enforced fails the second.
 */

type Caller = 'anonymous' | 'user-no-grant' | 'service-user-no-grant' | 'user-with-grant' | 'tenant-admin' | 'service-admin' | 'root';
const CALLERS: Caller[] = ['anonymous', 'user-no-grant', 'service-user-no-grant', 'user-with-grant', 'tenant-admin', 'service-admin', 'root'];
const ADMIN_LIKE = new Set<Caller>(['tenant-admin', 'service-admin', 'root']);

type Outcome = 'allowed' | 'unauthenticated' | 'forbidden' | 'not-found';

interface RegisteredRoute {
  method: string;
  path: string;
}

/** Every (method, path) Express routes, except Nest's catch-all middleware registration. */
function registeredRoutes(t: AuthTestApp): RegisteredRoute[] {
  const express = t.app.getHttpAdapter().getInstance();
  const stack = (express.router ?? express._router).stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  const routes: RegisteredRoute[] = [];
  for (const layer of stack) {
    if (!layer.route || layer.route.path === '/{*path}') continue;
    for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return routes;
}

function expectedOutcome(access: Access, caller: Caller, path: string): Outcome {
  if (access.kind === 'public') return 'allowed';
  if (caller === 'anonymous') return 'unauthenticated';
  switch (access.kind) {
    case 'authenticated':
    case 'own-tenant':
      return 'allowed';
    case 'admin':
      return ADMIN_LIKE.has(caller) ? 'allowed' : 'forbidden';
    case 'tenant-admin':
      return caller === 'tenant-admin' || caller === 'service-admin' ? 'allowed' : 'forbidden';
    case 'root':
      return caller === 'root' ? 'allowed' : 'forbidden';
    case 'resource':
      if (ADMIN_LIKE.has(caller)) return 'allowed';
      // The matrix addresses a conflict id that does not exist: invisible to tenant users whatever their grants.
      if (path.includes(':conflict_id')) return 'not-found';
      return caller === 'user-with-grant' ? 'allowed' : 'forbidden';
  }
}

/** DELETE routes run last, leaves before containers, so earlier calls find their fixtures. */
const DELETE_ORDER = [
  '/tokens/',
  '/permissions/',
  '/roles/:role_id',
  '/roles/',
  '/service-users/',
  '/users/',
  '/tags/',
  '/tables/',
  '/namespaces/',
  '/branches/',
  '/tenants/',
  '/warehouses/',
  '/catalogs/',
];

function order(route: RegisteredRoute): number {
  if (route.method !== 'DELETE') return -1;
  const index = DELETE_ORDER.findIndex((fragment) => route.path.includes(fragment));
  return index < 0 ? DELETE_ORDER.length : index;
}

/** Calls that consume the caller's token (logout, rotate, revoke): those get a fresh one. */
function consumesSession(route: RegisteredRoute): boolean {
  return (
    route.method === 'POST' &&
    ['/api/v1/users/logout', '/api/v1/tokens/rotate', '/api/v1/auth/revoke'].includes(route.path)
  );
}

for (const kind of AUTH_BACKENDS) {
  describe(`authorization matrix [${kind}]`, () => {
    let t: AuthTestApp;
    let acme: TenantFixture;
    const ids: Record<string, string> = {};
    const credentials: Record<Exclude<Caller, 'anonymous'>, () => Promise<Record<string, string>>> = {} as never;
    const selfIds: Record<Caller, string> = {} as never;

    beforeAll(async () => {
      t = await startAuthApp(kind, { PANGOLIN_AUTH_RATE_LIMIT: '1000', PANGOLIN_AUTH_ADDRESS_RATE_LIMIT: '100000' });
      const rootToken = await rootLogin(t.http);
      acme = await createTenantWithAdmin(t.http, rootToken, 'matrix');
      const admin = bearer(acme.adminToken);
      const noGrant = await createTenantUser(t.http, acme, 'no-grant');
      const withGrant = await createTenantUser(t.http, acme, 'with-grant');
      const victim = await createTenantUser(t.http, acme, 'victim');
      const victim2 = await createTenantUser(t.http, acme, 'victim-two');
      await t.http
        .post('/api/v1/permissions')
        .set(admin)
        .send({ 'user-id': withGrant.id, scope: { type: 'tenant' }, actions: ['all'] })
        .expect(201);
      const victimPermission = await t.http
        .post('/api/v1/permissions')
        .set(admin)
        .send({ 'user-id': victim2.id, scope: { type: 'tenant' }, actions: ['read'] })
        .expect(201);
      const roleToDelete = await t.http.post('/api/v1/roles').set(admin).send({ name: 'to-delete' }).expect(201);
      const roleToUnassign = await t.http.post('/api/v1/roles').set(admin).send({ name: 'to-unassign' }).expect(201);
      await t.http.post(`/api/v1/users/${victim2.id}/roles`).set(admin).send({ 'role-id': roleToUnassign.body.id }).expect(201);

      const svcAdmin = await t.http.post('/api/v1/service-users').set(admin).send({ name: 'svc-admin', role: 'tenant-admin' }).expect(201);
      const svcUser = await t.http.post('/api/v1/service-users').set(admin).send({ name: 'svc-user', role: 'tenant-user' }).expect(201);
      const svcVictim = await t.http.post('/api/v1/service-users').set(admin).send({ name: 'svc-victim', role: 'tenant-user' }).expect(201);

      await t.http
        .post('/api/v1/warehouses')
        .set(admin)
        .send({ name: 'wh', storage_config: { type: 'memory' } })
        .expect(201);
      await t.http.post('/api/v1/catalogs').set(admin).send({ name: 'cat' }).expect(201);
      await t.http.post('/v1/cat/namespaces').set(admin).send({ namespace: ['ns'] }).expect(200);
      await t.http
        .post('/v1/cat/namespaces/ns/tables')
        .set(admin)
        .send({ name: 't1', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] } })
        .expect(200);
      await t.http.post('/api/v1/branches').set(admin).send({ catalog: 'cat', name: 'dev', from_branch: 'main' }).expect(201);
      const merge = await t.http
        .post('/api/v1/branches/merge')
        .set(admin)
        .send({ catalog: 'cat', source_branch: 'dev', target_branch: 'main' });
      expect([200, 409]).toContain(merge.status);
      const operationId = (merge.body.id ?? merge.body.operation_id) as string;
      expect(operationId).toBeDefined();

      Object.assign(ids, {
        tenant: acme.tenantId,
        victim: victim.id,
        victim2: victim2.id,
        victimPermission: victimPermission.body.id,
        roleToDelete: roleToDelete.body.id,
        roleToUnassign: roleToUnassign.body.id,
        svcVictim: svcVictim.body.id,
        operation: operationId,
      });
      Object.assign(selfIds, {
        anonymous: randomUUID(),
        'user-no-grant': noGrant.id,
        'user-with-grant': withGrant.id,
        'tenant-admin': acme.adminId,
        'service-admin': svcAdmin.body.id,
        'service-user-no-grant': svcUser.body.id,
        root: ROOT_USER_ID,
      });
      const userLogin = (u: { username: string; password: string }) => async () =>
        bearer(await login(t.http, u.username, u.password, acme.tenantId));
      Object.assign(credentials, {
        'user-no-grant': userLogin(noGrant),
        'user-with-grant': userLogin(withGrant),
        'tenant-admin': userLogin({ username: acme.adminName, password: acme.adminPassword }),
        'service-admin': async () => ({ 'X-API-Key': svcAdmin.body.api_key }),
        'service-user-no-grant': async () => {
          const res = await t.http
            .post('/v1/oauth/tokens')
            .type('form')
            .send({ grant_type: 'client_credentials', client_id: svcUser.body.id, client_secret: svcUser.body.api_key })
            .expect(200);
          return bearer(res.body.access_token);
        },
        root: async () => ({ ...bearer(await rootLogin(t.http)), 'X-Pangolin-Tenant': acme.tenantId }),
      });
    }, 120_000);

    afterAll(async () => {
      await t?.close();
    });

    it('every registered route has the access rule of its handler (or is a public non-Nest route)', () => {
      const index = t.app.get(RouteAccessIndex);
      const routes = registeredRoutes(t);
      expect(routes.length).toBeGreaterThan(80);
      const missing = routes.filter((r) => !index.accessFor(r.method, r.path) && !index.isPublicPath(r.path));
      expect(missing).toEqual([]);
      // Public rules and the middleware's public shapes agree, so a public route is never half public.
      for (const route of index.routes) {
        expect({ path: route.pattern, public: index.isPublicPath(route.pattern.replace(/:[a-z_]+/g, 'x')) }).toEqual({
          path: route.pattern,
          public: route.access.kind === 'public',
        });
      }
    });

    it('a HEAD request to a GET route is decided by the GET handler\'s rule', async () => {
      const outcomes: Record<string, number> = {};
      for (const caller of ['anonymous', 'user-no-grant', 'user-with-grant'] as const) {
        const headers = caller === 'anonymous' ? {} : await credentials[caller]();
        outcomes[caller] = (await t.http.head('/api/v1/catalogs/cat').set(headers)).status;
      }
      expect(outcomes).toEqual({ anonymous: 401, 'user-no-grant': 403, 'user-with-grant': 200 });
    });

    it('every route x every caller is allowed or denied exactly as its rule says', async () => {
      const index = t.app.get(RouteAccessIndex);
      const routes = registeredRoutes(t)
        .filter((r) => index.accessFor(r.method, r.path))
        .sort((a, b) => order(a) - order(b));
      const failures: string[] = [];
      const cache = new Map<Caller, Record<string, string>>();
      let checked = 0;
      for (const route of routes) {
        const access = index.accessFor(route.method, route.path)!;
        for (const caller of CALLERS) {
          let headers: Record<string, string> = {};
          if (caller !== 'anonymous') {
            if (consumesSession(route) || !cache.has(caller)) cache.set(caller, await credentials[caller]());
            headers = cache.get(caller)!;
            if (consumesSession(route)) cache.delete(caller);
          }
          const url = concreteUrl(route, caller);
          let call: Test = (t.http as unknown as Record<string, (u: string) => Test>)[route.method.toLowerCase()](url);
          call = call.set(headers);
          if (route.method === 'POST' || route.method === 'PUT') call = call.set('Content-Type', 'application/json').send({ catalog: 'cat' });
          const res = await call;
          const outcome = classify(res.status);
          const expected = expectedOutcome(access, caller, route.path);
          checked++;
          const ok = expected === 'allowed' ? outcome === 'allowed' || outcome === 'not-found' : outcome === expected;
          if (!ok) failures.push(`${route.method} ${route.path} as ${caller}: expected ${expected}, got ${res.status} ${res.text.slice(0, 120)}`);
        }
      }
      expect(failures).toEqual([]);
      expect(checked).toBe(routes.length * CALLERS.length);
    }, 300_000);

    function concreteUrl(route: RegisteredRoute, caller: Caller): string {
      const p = route.path;
      const value = (param: string): string => {
        switch (param) {
          case 'prefix':
          case 'catalog_name':
            return 'cat';
          case 'namespace':
            return 'ns';
          case 'table':
            return 't1';
          case 'asset':
            return 'a1';
          case 'view':
            return 'v1';
          case 'name':
            if (p.startsWith('/api/v1/warehouses')) return 'wh';
            if (p.startsWith('/api/v1/catalogs')) return 'cat';
            if (p.startsWith('/api/v1/branches')) return 'dev';
            return 'no-such-tag';
          case 'id':
            if (p.startsWith('/api/v1/tenants')) return ids.tenant;
            if (p.startsWith('/api/v1/roles')) return ids.roleToDelete;
            if (p.startsWith('/api/v1/permissions')) return ids.victimPermission;
            if (p.startsWith('/api/v1/service-users')) return ids.svcVictim;
            if (p === '/api/v1/users/:id' && route.method === 'DELETE') return ids.victim;
            if (p.startsWith('/api/v1/users/:id/roles') && route.method !== 'GET') return ids.victim2;
            return selfIds[caller];
          case 'user_id':
            return selfIds[caller];
          case 'role_id':
            return ids.roleToUnassign;
          case 'operation_id':
            return ids.operation;
          case 'token_id':
          case 'conflict_id':
            return randomUUID();
          default:
            throw new Error(`No matrix value for parameter :${param} of ${route.method} ${p}`);
        }
      };
      const filled = p.replace(/:([a-z_]+)/g, (_m, param: string) => encodeURIComponent(value(param)));
      return `${filled}?catalog=cat`;
    }
  });
}

function classify(status: number): Outcome {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  return 'allowed';
}
