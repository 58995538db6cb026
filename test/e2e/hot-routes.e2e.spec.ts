import { Writable } from 'node:stream';
import { HotRouteDispatcher } from '../../src/common/http/hot-routes';
import { AUTH_BACKENDS, AUTH_ENV, bearer, createTenantUser, createTenantWithAdmin, rootLogin, type TenantFixture } from './auth/auth-support';
import { startTestApp, type TestApp } from '../support/app-harness';

/**
 * The lean path of the hot read routes (config, loadTable, liveness) must answer exactly as the framework
 * pipeline does. Two instances of the application share ONE store: `lean` serves those routes on the lean
 * path (the default), `framework` sends everything through Nest. Every request below goes to both, and
 * status, body and the headers a client reads must be identical. A spy on the dispatcher proves which
 * requests the lean path actually took.
 */
interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | undefined>;
}

const COMPARED_HEADERS = ['content-type', 'www-authenticate', 'retry-after', 'vary', 'access-control-expose-headers', 'access-control-allow-origin'];

describe.each(AUTH_BACKENDS)('hot read routes answer as the framework does [%s]', (kind) => {
  let lean: TestApp;
  let framework: TestApp;
  const leanLog: string[] = [];
  let taken: jest.SpyInstance;
  let fixture: TenantFixture;
  let rootToken: string;
  let userToken: string;

  beforeAll(async () => {
    const logDestination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        leanLog.push(chunk.toString('utf8'));
        callback();
      },
    });
    lean = await startTestApp(kind, AUTH_ENV, { logDestination });
    const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    framework = await startTestApp(kind, AUTH_ENV, { wrapPorts: () => lean.ports, hotRoutes: false, logDestination: discard });
    rootToken = await rootLogin(lean.http);
    fixture = await createTenantWithAdmin(lean.http, rootToken, 'hot');
    userToken = (await createTenantUser(lean.http, fixture, 'no-grants')).token;
    const admin = bearer(fixture.adminToken);
    await lean.http.post('/api/v1/catalogs').set(admin).send({ name: 'sales' }).expect(201);
    await lean.http.post('/v1/sales/namespaces').set(admin).send({ namespace: ['eu', 'fr'] }).expect(200);
    await lean.http
      .post('/v1/sales/namespaces/eu%1Ffr/tables')
      .set(admin)
      .send({ name: 'orders', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } })
      .expect(200);
    taken = jest.spyOn(HotRouteDispatcher.prototype, 'tryHandle');
  });

  afterAll(async () => {
    taken?.mockRestore();
    await framework?.close();
    await lean?.close();
  });

  async function ask(app: TestApp, path: string, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${app.baseUrl}${path}`, { headers });
    const text = await res.text();
    return {
      status: res.status,
      body: text === '' ? '' : JSON.parse(text),
      headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, res.headers.get(name) ?? undefined])),
    };
  }

  /** Sends the request to both instances; returns the lean answer and whether the lean path took it. */
  async function both(path: string, headers: Record<string, string> = {}): Promise<{ answer: Answer; tookLeanPath: boolean }> {
    taken.mockClear();
    const leanAnswer = await ask(lean, path, headers);
    const tookLeanPath = taken.mock.results.some((result) => result.value === true);
    const frameworkAnswer = await ask(framework, path, headers);
    expect({ path, ...leanAnswer }).toEqual({ path, ...frameworkAnswer });
    return { answer: leanAnswer, tookLeanPath };
  }

  const admin = () => bearer(fixture.adminToken);
  const table = '/v1/sales/namespaces/eu%1Ffr/tables/orders';

  it('config routes and the liveness probe (public)', async () => {
    for (const path of ['/v1/config', '/v1/sales/config', '/v1/sales/v1/config', '/health/live']) {
      const { answer, tookLeanPath } = await both(path);
      expect(answer.status).toBe(200);
      expect(tookLeanPath).toBe(true);
    }
  });

  it('loadTable in both URL styles and every branch spelling', async () => {
    for (const path of [table, '/v1/sales/v1/namespaces/eu%1Ffr/tables/orders', `${table}?branch=main`, `${table}%40main`, '/v1/sales/namespaces/eu%1Ffr%40main/tables/orders']) {
      const { answer, tookLeanPath } = await both(path, admin());
      expect(answer.status).toBe(200);
      expect((answer.body as { metadata: { 'format-version': number } }).metadata['format-version']).toBeGreaterThan(0);
      expect(tookLeanPath).toBe(true);
    }
  });

  it('loadTable errors: missing table, namespace, catalog and branch', async () => {
    const cases: [string, number][] = [
      ['/v1/sales/namespaces/eu%1Ffr/tables/nope', 404],
      ['/v1/sales/namespaces/nowhere/tables/orders', 404],
      ['/v1/nocatalog/namespaces/eu%1Ffr/tables/orders', 404],
      [`${table}?branch=nobranch`, 404],
      [`${table}%40nobranch`, 404],
      ['/v1/sales/namespaces/eu%1Ffr/tables/%40', 400],
    ];
    for (const [path, status] of cases) {
      const { answer, tookLeanPath } = await both(path, admin());
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(tookLeanPath).toBe(true);
    }
  });

  it('authentication and authorization: anonymous, bad token, no grant, root of another tenant', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [{ Authorization: 'Bearer not-a-token' }, 401],
      [{ Authorization: 'Token abc' }, 401],
      [bearer(userToken), 403],
      [{ ...bearer(rootToken), 'X-Pangolin-Tenant': fixture.tenantId }, 200],
      [bearer(rootToken), 404],
    ];
    for (const [headers, status] of cases) {
      const { answer, tookLeanPath } = await both(table, headers);
      expect({ headers, status: answer.status }).toEqual({ headers, status });
      expect(tookLeanPath).toBe(true);
    }
    const anonymous = await both(table);
    expect(anonymous.answer.headers['www-authenticate']).toBe('Bearer');
  });

  it('requests that are not plain are left to the framework, with the same answers', async () => {
    const cases: [string, Record<string, string>][] = [
      [table, { ...admin(), Origin: 'https://ui.example.com' }],
      [`${table}?branch=main&branch=dev`, admin()],
      [`${table}?unknown=1`, admin()],
      [`${table}/`, admin()],
      ['/V1/config', {}],
      ['/v1/sales/namespaces/eu%1Ffr/tables/a%2Fb', admin()],
      ['/v1/sales/namespaces/eu%1Ffr/tables/%E0%A4%A', admin()],
    ];
    for (const [path, headers] of cases) {
      const { tookLeanPath } = await both(path, headers);
      expect({ path, tookLeanPath }).toEqual({ path, tookLeanPath: false });
    }
  });

  it('the request id, the metrics route label and the log line are those of the framework path', async () => {
    const res = await fetch(`${lean.baseUrl}${table}`, { headers: { ...admin(), 'X-Request-Id': 'trace-hot-1' } });
    await res.arrayBuffer();
    expect(res.headers.get('x-request-id')).toBe('trace-hot-1');
    const line = leanLog.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === 'trace-hot-1');
    expect(line).toMatchObject({
      method: 'GET',
      path: '/v1/sales/namespaces/eu%1Ffr/tables/orders',
      route: '/v1/:prefix/namespaces/:namespace/tables/:table',
      status: 200,
      tenant: fixture.tenantId,
    });
    const metrics = await (await fetch(`${lean.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/pangolin_http_requests_total\{method="GET",route="\/v1\/:prefix\/namespaces\/:namespace\/tables\/:table",status="200"\} [1-9]/);
  });
});
