import request from 'supertest';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import type { PersistencePorts } from '../../src/persistence/persistence-ports';
import { ReadinessState } from '../../src/health/readiness.state';

/**
 * Readiness depends on the backend answering. An unreachable backend is a fault that cannot be produced
 * with a real server cheaply and deterministically, so the health port alone is replaced here.
 */
function portsWithHealth(ping: () => Promise<void>): PersistencePorts {
  return { health: { ping, close: async () => undefined } } as unknown as PersistencePorts;
}

describe('health endpoints', () => {
  let app: NestExpressApplication;
  let backendUp = true;

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: 'memory://', LOG_LEVEL: 'silent' });
    app = await createApp(config, {
      persistence: portsWithHealth(async () => {
        if (!backendUp) throw new Error('connection refused');
      }),
    });
    await app.init();
  });
  afterAll(async () => app.close());

  it('live answers without touching the backend', async () => {
    backendUp = false;
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'alive' });
    backendUp = true;
  });

  it('ready and its alias report the backend', async () => {
    for (const path of ['/health/ready', '/health']) {
      const res = await request(app.getHttpServer()).get(path).expect(200);
      expect(res.body).toMatchObject({ status: 'ready', store: 'ok' });
      expect(typeof res.body.store_latency_ms).toBe('number');
    }
  });

  it('ready is 503 when the backend does not answer, without leaking the driver error', async () => {
    backendUp = false;
    const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'unready', store: 'unreachable' });
    expect(JSON.stringify(res.body)).not.toContain('connection refused');
    backendUp = true;
  });

  it('ready is 503 while draining', async () => {
    app.get(ReadinessState).draining = true;
    await request(app.getHttpServer()).get('/health/ready').expect(503, { status: 'draining' });
    app.get(ReadinessState).draining = false;
  });
});
