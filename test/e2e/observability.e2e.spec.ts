import { Writable } from 'node:stream';
import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { openMemoryPersistence } from '../../src/persistence/memory/memory-persistence';

const MAX_BODY_BYTES = 64 * 1024;

describe('metrics and structured logs', () => {
  let app: NestExpressApplication;
  const logLines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });

  beforeAll(async () => {
    // NO-AUTH: this suite is about metrics and logs; in auth mode an unknown path is 401 before it is 404.
    const config = loadConfig({ DATABASE_URL: 'memory://', LOG_LEVEL: 'info', PANGOLIN_NO_AUTH: 'true', PANGOLIN_MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
    app = await createApp(config, { persistence: await openMemoryPersistence(), logDestination: destination });
    await app.init();
  });
  afterAll(async () => app.close());

  it('counts requests by route pattern, method and status', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200);
    await request(app.getHttpServer()).get('/no/such/route/secret-name').expect(404);
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/pangolin_http_requests_total\{method="GET",route="\/health\/live",status="200"\} 1/);
    expect(res.text).toMatch(/pangolin_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(res.text).toContain('pangolin_http_request_duration_seconds_bucket');
    expect(res.text).not.toContain('secret-name');
    expect(res.text).toMatch(/pangolin_ready 1/);
  });

  it('counts commit conflicts and publishes worker pool, metadata cache and database pool gauges', async () => {
    const http = request(app.getHttpServer());
    await http.post('/api/v1/catalogs').send({ name: 'observed' }).expect(201);
    await http.post('/v1/observed/namespaces').send({ namespace: ['ns'] }).expect(200);
    await http
      .post('/v1/observed/namespaces/ns/tables')
      .send({ name: 't', schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'string' }] } })
      .expect(200);
    await http
      .post('/v1/observed/namespaces/ns/tables/t')
      .send({ requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }], updates: [] })
      .expect(409);
    await http.get('/v1/observed/namespaces/ns/tables/t').expect(200);

    const text = (await http.get('/metrics').expect(200)).text;
    expect(text).toMatch(/^pangolin_table_commit_conflicts_total 1$/m);
    expect(text).toMatch(/^pangolin_table_commit_retries_total 0$/m);
    expect(text).toMatch(/^pangolin_metadata_workers_queue_size 0$/m);
    expect(text).toMatch(/^pangolin_metadata_inline_completed [1-9]\d*$/m);
    expect(text).toMatch(/^pangolin_metadata_cache_bytes [1-9]\d*$/m);
    expect(text).toMatch(/^pangolin_metadata_cache_entries [1-9]\d*$/m);
    expect(text).toMatch(/^pangolin_db_pool_connections -1$/m); // memory: no client-side pool
  });

  it('echoes a well-formed request id, replaces a malformed one, and logs JSON lines with it', async () => {
    const ok = await request(app.getHttpServer()).get('/health/ready').set('X-Request-Id', 'abc-123').expect(200);
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const bad = await request(app.getHttpServer()).get('/health/ready').set('X-Request-Id', 'a b;c<script>').expect(200);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    await request(app.getHttpServer())
      .get('/api/v1/catalogs?token=leak-me')
      .set('Authorization', 'Bearer very-secret-token');
    const line = logLines.find((l) => l.path === '/api/v1/catalogs' && l.method === 'GET');
    expect(line).toMatchObject({ level: 'info', method: 'GET', msg: 'request' });
    expect(typeof line?.requestId).toBe('string');
    const everything = JSON.stringify(logLines);
    expect(everything).not.toContain('very-secret-token');
    expect(everything).not.toContain('leak-me');
  });

  it('labels a request answered before routing with the route it was addressed to, and logs its whole path', async () => {
    // 413 from the Iceberg body parser, which is mounted on /v1 and answers before any route is matched.
    await request(app.getHttpServer())
      .post('/v1/observed/namespaces')
      .set('Content-Type', 'application/json')
      .set('X-Request-Id', 'too-large-1')
      .send(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20))
      .expect(413);
    const line = logLines.find((l) => l.requestId === 'too-large-1');
    expect(line).toMatchObject({ path: '/v1/observed/namespaces', route: '/v1/:prefix/namespaces', status: 413 });
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).toContain('pangolin_http_requests_total{method="POST",route="/v1/:prefix/namespaces",status="413"} 1');
  });
});
