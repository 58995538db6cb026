import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createApp } from '../../../src/app.factory';
import { loadConfig } from '../../../src/config/config';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';
import { openTestPersistence, type TestBackend, type TestPersistence } from '../../support/app-harness';

/** The backends the auth suites run on (the issue's: memory, SQLite, PostgreSQL). */
export const AUTH_BACKENDS: readonly TestBackend[] = ['memory', 'sqlite', 'postgres'];

export const ROOT_USER = 'platform-root';
export const ROOT_PASSWORD = 'root-pass-0123456789';
export const JWT_SECRET = 'test-signing-secret-0123456789-abcdefghijklmnop';

/** Auth mode with fixed secrets, cheap bcrypt (tests only) and a throttle the tests can reach. */
export const AUTH_ENV: Record<string, string> = {
  PANGOLIN_NO_AUTH: 'false',
  PANGOLIN_JWT_SECRET: JWT_SECRET,
  PANGOLIN_ROOT_USER: ROOT_USER,
  PANGOLIN_ROOT_PASSWORD: ROOT_PASSWORD,
  PANGOLIN_BCRYPT_ROUNDS: '4',
  PANGOLIN_AUTH_RATE_LIMIT: '5',
  PANGOLIN_AUTH_ADDRESS_RATE_LIMIT: '20',
  PANGOLIN_AUTH_RATE_WINDOW_SECS: '600',
  LOG_LEVEL: 'info',
  PANGOLIN_METADATA_WORKERS: '0',
};

export type Agent = ReturnType<typeof request>;

export interface AuthTestApp {
  app: NestExpressApplication;
  http: Agent;
  baseUrl: string;
  ports: PersistencePorts;
  dataDir: string;
  /** Every structured log line written so far. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * Starts the real application (createApp, as production) on a fresh store, capturing its structured log.
 * `persistence` may wrap the opened ports (fault injection).
 */
export async function startAuthApp(
  kind: TestBackend,
  env: Record<string, string> = {},
  wrapPorts: (ports: PersistencePorts) => PersistencePorts = (p) => p,
): Promise<AuthTestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pangolin-auth-'));
  let persistence: TestPersistence | undefined;
  let app: NestExpressApplication | undefined;
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  try {
    persistence = await openTestPersistence(kind);
    const config = loadConfig({
      ...AUTH_ENV,
      DATABASE_URL: persistence.databaseUrl,
      PANGOLIN_DATA_DIR: dataDir,
      PORT: '0',
      PANGOLIN_HOST: '127.0.0.1',
      ...env,
    });
    app = await createApp(config, { persistence: wrapPorts(persistence.ports), logDestination: destination });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const opened = { app, persistence };
    let closed = false;
    return {
      app,
      http: request(baseUrl),
      baseUrl,
      ports: persistence.ports,
      dataDir,
      logs: () => lines.join(''),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await opened.app.close();
        } finally {
          await opened.persistence.close();
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await persistence?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export async function login(http: Agent, username: string, password: string, tenantId: string | null = null): Promise<string> {
  const res = await http
    .post('/api/v1/users/login')
    .send({ username, password, 'tenant-id': tenantId })
    .set('Content-Type', 'application/json');
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

export function rootLogin(http: Agent): Promise<string> {
  return login(http, ROOT_USER, ROOT_PASSWORD);
}

export interface TenantFixture {
  tenantId: string;
  adminId: string;
  adminName: string;
  adminPassword: string;
  adminToken: string;
}

let counter = 0;

/** A new tenant (created by root) with one tenant admin, logged in. */
export async function createTenantWithAdmin(http: Agent, rootToken: string, label = 'tenant'): Promise<TenantFixture> {
  counter++;
  const tenant = await http
    .post('/api/v1/tenants')
    .set(bearer(rootToken))
    .send({ name: `${label}-${counter}-${Date.now()}` })
    .expect(201);
  const tenantId = tenant.body.id as string;
  const adminName = `admin-${counter}`;
  const adminPassword = `admin-password-${counter}-xyz`;
  const admin = await http
    .post('/api/v1/users')
    .set(bearer(rootToken))
    .send({ username: adminName, email: `${adminName}@example.com`, password: adminPassword, tenant_id: tenantId, role: 'tenant-admin' })
    .expect(201);
  const adminToken = await login(http, adminName, adminPassword, tenantId);
  return { tenantId, adminId: admin.body.id, adminName, adminPassword, adminToken };
}

/** A tenant user created by the tenant's admin; returns its id, password and a login token. */
export async function createTenantUser(
  http: Agent,
  fixture: TenantFixture,
  username: string,
): Promise<{ id: string; username: string; password: string; token: string }> {
  const password = `${username}-password-123`;
  const res = await http
    .post('/api/v1/users')
    .set(bearer(fixture.adminToken))
    .send({ username, email: `${username}@example.com`, password, role: 'tenant-user' })
    .expect(201);
  const token = await login(http, username, password, fixture.tenantId);
  return { id: res.body.id, username, password, token };
}
