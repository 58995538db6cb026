import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { PersistencePorts } from '../../../src/persistence/persistence-ports';
import { startTestApp, type TestBackend } from '../../support/app-harness';

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
 * Starts the real application (createApp, as production) on a fresh store in auth mode, capturing its
 * structured log. `wrapPorts` may wrap the opened ports (fault injection).
 */
export async function startAuthApp(
  kind: TestBackend,
  env: Record<string, string> = {},
  wrapPorts: (ports: PersistencePorts) => PersistencePorts = (p) => p,
): Promise<AuthTestApp> {
  const lines: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const started = await startTestApp(kind, { ...AUTH_ENV, ...env }, { wrapPorts, logDestination });
  return { ...started, logs: () => lines.join('') };
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
