import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { HotRouteDispatcher } from '../../src/http-edge/hot-routes';
import { AUTH_BACKENDS, AUTH_ENV, bearer, createTenantUser, createTenantWithAdmin, rootLogin, type TenantFixture } from './auth/auth-support';
import { startTestApp, type TestApp } from '../support/app-harness';

/**
 * The lean path of the hot routes (config, loadTable, table commit, liveness) must answer exactly as the
 * framework pipeline does. Two instances of the application share ONE store: `lean` serves those routes on the lean
 * path (the default), `framework` sends everything through Nest. Every request below goes to both, and
 * status, body and the headers a client reads must be identical. A spy on the dispatcher proves which
 * requests the lean path actually took.
 */
/** A request body: bytes with a Content-Length, or a stream (sent chunked). */
type PostBody = string | Buffer | ReadableStream<Uint8Array>;

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | undefined>;
}

const COMPARED_HEADERS = ['content-type', 'www-authenticate', 'retry-after', 'vary', 'access-control-expose-headers', 'access-control-allow-origin'];

describe.each(AUTH_BACKENDS)('hot routes answer as the framework does [%s]', (kind) => {
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
    // Each instance has its own default warehouse directory, so each commit table is created (and its file
    // written) by the instance that will commit to it.
    for (const [app, name] of [[lean, 'commit_lean'], [framework, 'commit_framework']] as const) {
      await app.http
        .post('/v1/sales/namespaces/eu%1Ffr/tables')
        .set(admin)
        .send({ name, schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } })
        .expect(200);
    }
    taken = jest.spyOn(HotRouteDispatcher.prototype, 'tryHandle');
  });

  afterAll(async () => {
    taken?.mockRestore();
    await framework?.close();
    await lean?.close();
  });

  async function ask(app: TestApp, path: string, headers: Record<string, string>, post?: PostBody): Promise<Answer> {
    const res = await fetch(`${app.baseUrl}${path}`, post === undefined ? { headers } : { method: 'POST', headers, body: post, duplex: 'half' } as RequestInit);
    const text = await res.text();
    return {
      status: res.status,
      body: text === '' ? '' : JSON.parse(text),
      headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, res.headers.get(name) ?? undefined])),
    };
  }

  /** Sends the request to both instances; returns the lean answer and whether the lean path took it. */
  async function both(
    path: string,
    headers: Record<string, string> = {},
    post?: () => PostBody,
  ): Promise<{ answer: Answer; tookLeanPath: boolean }> {
    taken.mockClear();
    const leanAnswer = await ask(lean, path, headers, post?.());
    const tookLeanPath = taken.mock.results.some((result) => result.value === true);
    const frameworkAnswer = await ask(framework, path, headers, post?.());
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

  const json = { 'Content-Type': 'application/json' };
  const setProperty = (value: string) => JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { owner: value } }] });

  it('a table commit: the same answer on each path, in both URL styles, and a later load sees it', async () => {
    for (const style of ['/v1/sales/namespaces', '/v1/sales/v1/namespaces']) {
      const answers: Answer[] = [];
      for (const [app, name] of [[lean, 'commit_lean'], [framework, 'commit_framework']] as const) {
        taken.mockClear();
        answers.push(await ask(app, `${style}/eu%1Ffr/tables/${name}`, { ...admin(), ...json }, setProperty(style)));
        expect(taken.mock.results.some((result) => result.value === true)).toBe(app === lean);
      }
      const [viaLean, viaFramework] = answers as { status: number; headers: Answer['headers']; body: { metadata: { properties: object } } }[];
      expect(viaLean.status).toBe(200);
      expect({ status: viaLean.status, headers: viaLean.headers, properties: viaLean.body.metadata.properties }).toEqual({
        status: viaFramework.status,
        headers: viaFramework.headers,
        properties: viaFramework.body.metadata.properties,
      });
      const loaded = await ask(lean, '/v1/sales/namespaces/eu%1Ffr/tables/commit_lean', admin());
      expect((loaded.body as { metadata: { properties: Record<string, string> } }).metadata.properties.owner).toBe(style);
    }
  });

  it('table commit errors: requirement failed, malformed or incomplete body, unknown action, missing table, no access', async () => {
    const wrongUuid = JSON.stringify({ requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] });
    const cases: [string, Record<string, string>, string, number][] = [
      [table, { ...admin(), ...json }, wrongUuid, 409],
      [table, { ...admin(), ...json }, '{"requirements":[],"updates":[', 400],
      [table, { ...admin(), ...json }, '{"requirements":[]}', 400],
      [table, { ...admin(), ...json }, '[1,2]', 400],
      [table, { ...admin(), ...json }, JSON.stringify({ requirements: [], updates: [{ action: 'make-coffee' }] }), 400],
      ['/v1/sales/namespaces/eu%1Ffr/tables/nope', { ...admin(), ...json }, setProperty('x'), 404],
      [`${table}?branch=nobranch`, { ...admin(), ...json }, setProperty('x'), 404],
      ['/v1/sales/namespaces/eu%1Ffr/tables/%40', { ...admin(), ...json }, setProperty('x'), 400],
      [table, json, setProperty('x'), 401],
      [table, { ...bearer(userToken), ...json }, setProperty('x'), 403],
      [table, admin(), wrongUuid, 409], // no Content-Type: read as JSON, like the raw-body parser does
    ];
    for (const [path, headers, body, status] of cases) {
      const { answer, tookLeanPath } = await both(path, headers, () => body);
      expect({ path, body, status: answer.status }).toEqual({ path, body, status });
      expect({ path, body, tookLeanPath }).toEqual({ path, body, tookLeanPath: true });
    }
  });

  it('commits that are not plain are left to the framework, with the same answers', async () => {
    const wrongUuid = JSON.stringify({ requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [] });
    const chunked = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(Buffer.from(wrongUuid));
          controller.close();
        },
      });
    const cases: [string, Record<string, string>, () => PostBody][] = [
      [table, { ...admin(), ...json, Origin: 'https://ui.example.com' }, () => wrongUuid],
      [table, { ...admin(), 'Content-Type': 'application/x-www-form-urlencoded' }, () => 'a=1'],
      [table, { ...admin(), ...json, 'Content-Encoding': 'gzip' }, () => gzipSync(wrongUuid)],
      [table, { ...admin(), ...json }, chunked],
      [table, { ...admin(), ...json }, () => ''],
      [`${table}?unknown=1`, { ...admin(), ...json }, () => wrongUuid],
    ];
    for (const [path, headers, body] of cases) {
      const { answer, tookLeanPath } = await both(path, headers, body);
      expect({ path, headers, tookLeanPath }).toEqual({ path, headers, tookLeanPath: false });
      expect(answer.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('a commit whose client goes away mid-body is dropped without an answer, and the instance keeps serving', async () => {
    const { port } = new URL(lean.baseUrl);
    taken.mockClear();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        const head = [`POST ${table} HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: ${admin().Authorization}`, 'Content-Type: application/json', 'Content-Length: 1000', '', ''];
        socket.write(head.join('\r\n') + '{"requirements":[],', () => setTimeout(() => socket.destroy(), 50));
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    expect(taken.mock.results.some((result) => result.value === true)).toBe(true);
    const after = await both('/health/live');
    expect(after.answer.status).toBe(200);
    const committed = await ask(lean, table, { ...admin(), ...json }, setProperty('after-abort'));
    expect(committed.status).toBe(200);
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

  it('a request refused by authentication is labelled with the route it was addressed to on both paths', async () => {
    const loadRoute = '/v1/:prefix/namespaces/:namespace/tables/:table';
    for (const app of [lean, framework]) {
      const res = await fetch(`${app.baseUrl}${table}`);
      expect(res.status).toBe(401);
      await res.arrayBuffer();
      // The framework answers it in its authentication middleware, before its router has matched a route.
      const catalogs = await fetch(`${app.baseUrl}/api/v1/catalogs`);
      expect(catalogs.status).toBe(401);
      const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
      expect(metrics).toContain(`pangolin_http_requests_total{method="GET",route="${loadRoute}",status="401"}`);
      expect(metrics).toContain('pangolin_http_requests_total{method="GET",route="/api/v1/catalogs",status="401"}');
    }
  });
});
