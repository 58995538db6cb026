import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from '@nestjs/common';
import { ForbiddenError, ValidationError } from '../common/errors';
import { ConfigError, loadConfig } from '../config/config';
import type { AppConfig } from '../config/config';
import type { PermissionGrant } from '../persistence/ports/identity.port';
import { AuthorizationGuard } from './authorization.guard';
import { firstStartBanner, resolveAuthSecrets, SECRETS_FILE_NAME } from './bootstrap-secrets';
import { newApiKey, serviceUserIdOfApiKey } from './credentials';
import { signToken, TokenVerificationError, verifyToken, type TokenClaims } from './jwt';
import { actionImplies, grantsAllow, parseActions, parseScope, scopeCovers } from './permissions';
import { publicRouteOf } from './public-routes';
import { parseRoleName } from './roles';
import { ROUTE_RULES, ruleFor } from './route-permissions';
import { AttemptThrottle } from './throttle';

const SECRET = 'unit-test-secret-0123456789-0123456789-abcdef';
const claims = (overrides: Partial<TokenClaims> = {}): TokenClaims => ({
  sub: '11111111-2222-3333-4444-555555555555',
  jti: '66666666-7777-8888-9999-000000000000',
  username: 'alice',
  tenant_id: null,
  role: 'tenant-user',
  iat: 1_000,
  exp: 2_000,
  ...overrides,
});

describe('JWT (HS256 only)', () => {
  it('round-trips claims and rejects expiry, other secrets and tampering', () => {
    const token = signToken(claims(), SECRET);
    expect(verifyToken(token, SECRET, 1_500)).toEqual(claims());
    const failure = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as TokenVerificationError).failure;
      }
      return 'accepted';
    };
    expect(failure(() => verifyToken(token, SECRET, 2_000))).toBe('expired');
    expect(failure(() => verifyToken(token, `${SECRET}x`, 1_500))).toBe('bad-signature');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify(claims({ role: 'root' }))).toString('base64url');
    expect(failure(() => verifyToken(`${h}.${forged}.${s}`, SECRET, 1_500))).toBe('bad-signature');
    const none = Buffer.from('{"alg":"none"}').toString('base64url');
    expect(failure(() => verifyToken(`${none}.${forged}.${s}`, SECRET, 1_500))).toBe('malformed');
    expect(failure(() => verifyToken(signToken(claims({ role: 'god' as never }), SECRET), SECRET, 1_500))).toBe('bad-claims');
    expect(failure(() => verifyToken(signToken(claims({ jti: undefined as never }), SECRET), SECRET, 1_500))).toBe('bad-claims');
    expect(failure(() => verifyToken('a.b', SECRET, 1_500))).toBe('malformed');
  });
});

describe('RBAC rules', () => {
  it('action implication follows the contract', () => {
    expect(actionImplies('all', 'experimental-branching')).toBe(true);
    expect(actionImplies('write', 'delete')).toBe(true);
    expect(actionImplies('write', 'ingest-branching')).toBe(false);
    expect(actionImplies('read', 'list')).toBe(true);
    expect(actionImplies('read', 'write')).toBe(false);
    expect(actionImplies('list', 'read')).toBe(false);
    expect(actionImplies('ingest-branching', 'experimental-branching')).toBe(false);
  });

  it('a scope covers what it contains, never its container', () => {
    const asset = { level: 'asset' as const, catalogId: 'c1', namespace: ['sales', 'eu'], assetId: 'a1' };
    expect(scopeCovers({ type: 'tenant' }, asset)).toBe(true);
    expect(scopeCovers({ type: 'catalog', catalog_id: 'c1' }, asset)).toBe(true);
    expect(scopeCovers({ type: 'catalog', catalog_id: 'c2' }, asset)).toBe(false);
    expect(scopeCovers({ type: 'namespace', catalog_id: 'c1', namespace: 'sales' }, asset)).toBe(true);
    expect(scopeCovers({ type: 'namespace', catalog_id: 'c1', namespace: 'sal' }, asset)).toBe(false);
    expect(scopeCovers({ type: 'namespace', catalog_id: 'c1', namespace: 'sales.eu.x' }, asset)).toBe(false);
    expect(scopeCovers({ type: 'asset', catalog_id: 'c1', namespace: 'sales.eu', asset_id: 'a1' }, asset)).toBe(true);
    expect(scopeCovers({ type: 'asset', catalog_id: 'c1', namespace: 'sales.eu', asset_id: 'a1' }, { level: 'catalog', catalogId: 'c1' })).toBe(false);
    expect(scopeCovers({ type: 'catalog', catalog_id: 'c1' }, { level: 'tenant' })).toBe(false);
    expect(scopeCovers({ type: 'tag', tag_name: 'pii' }, asset)).toBe(false);
    const grants: PermissionGrant[] = [{ scope: { type: 'catalog', catalog_id: 'c1' }, actions: ['read'] }];
    expect(grantsAllow(grants, 'list', asset)).toBe(true);
    expect(grantsAllow(grants, 'write', asset)).toBe(false);
  });

  it('scope, action and role names are validated; unknown roles never become tenant-user', () => {
    expect(() => parseScope({ type: 'catalog' })).toThrow(ValidationError);
    expect(() => parseScope({ type: 'planet' })).toThrow(ValidationError);
    expect(() => parseActions(['read', 'fly'])).toThrow(ValidationError);
    expect(parseActions(['read', 'read', 'ingest-branching'])).toEqual(['read', 'ingest-branching']);
    expect(parseRoleName('TenantAdmin')).toBe('tenant-admin');
    expect(parseRoleName('Root')).toBe('root');
    expect(() => parseRoleName('superuser')).toThrow(ValidationError);
  });
});

describe('public routes', () => {
  it('match whole route shapes, never suffixes or substrings', () => {
    expect(publicRouteOf('/v1/config')).toBe('/v1/config');
    expect(publicRouteOf('/v1/cat/config')).toBe('/v1/:prefix/config');
    expect(publicRouteOf('/v1/cat/v1/oauth/tokens')).toBe('/v1/:prefix/v1/oauth/tokens');
    for (const path of [
      '/v1/cat/namespaces/config',
      '/v1/cat/namespaces/ns/tables/config',
      '/v1/cat/namespaces/oauth/tokens',
      '/v1/cat/x/oauth/tokens/y',
      '/api/v1/users/login/x',
      '/healthz',
      '/oauth/tokens',
      '/api/v1/app-config/x',
    ]) {
      expect({ path, public: publicRouteOf(path) }).toEqual({ path, public: undefined });
    }
  });
});

describe('route permission table', () => {
  it('has one rule per (method, path) and HEAD falls back to GET only when HEAD has no rule', () => {
    const keys = ROUTE_RULES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(ruleFor('HEAD', '/api/v1/catalogs/:name')?.method).toBe('GET');
    expect(ruleFor('GET', '/api/v1/not-in-the-table')).toBeUndefined();
  });

  it('the guard refuses a routed request whose route has no rule, whatever the caller', async () => {
    const guard = new AuthorizationGuard({ noAuth: true } as AppConfig, {} as never, {} as never, {} as never, {} as never, {} as never);
    const req = {
      method: 'GET',
      route: { path: '/api/v1/brand-new-route' },
      principal: { tenantId: 't', userId: 'u', username: 'root', role: 'root' },
      authSession: { method: 'no-auth', subjectKind: 'user', homeTenantId: null },
    };
    const context = { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
    await expect(guard.canActivate(context)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('throttle', () => {
  it('counts failures per key in a window and keeps memory bounded', () => {
    let now = 0;
    const throttle = new AttemptThrottle(3, 60_000, 100, () => now);
    for (let i = 0; i < 3; i++) throttle.recordFailure(['a']);
    expect(throttle.retryAfterSeconds(['a'])).toBe(60);
    expect(throttle.retryAfterSeconds(['b'])).toBe(0);
    now = 60_000;
    expect(throttle.retryAfterSeconds(['a'])).toBe(0);
    for (let i = 0; i < 10_000; i++) throttle.recordFailure([`k${i}`]);
    expect(throttle.trackedKeys).toBeLessThanOrEqual(100);
  });
});

describe('API keys', () => {
  it('are pgl_ + 64 alphanumerics naming their service user', () => {
    const id = '0b6e1c2d-3e4f-4a5b-8c7d-9e0f1a2b3c4d';
    const key = newApiKey(id);
    expect(key).toMatch(/^pgl_[A-Za-z0-9]{64}$/);
    expect(serviceUserIdOfApiKey(key)).toBe(id);
    expect(serviceUserIdOfApiKey('pgl_short')).toBeNull();
    expect(newApiKey(id)).not.toBe(key);
  });
});

describe('secrets configuration', () => {
  it('refuses published default secrets and weak root passwords', () => {
    for (const env of [
      { PANGOLIN_JWT_SECRET: 'default_secret_for_dev' },
      { JWT_SECRET: 'secret' },
      { PANGOLIN_JWT_SECRET: 'too-short' },
      { PANGOLIN_ROOT_PASSWORD: 'password' },
      { PANGOLIN_ROOT_PASSWORD: 'short' },
    ]) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
    }
    expect(loadConfig({}).auth).toMatchObject({ jwtSecret: undefined, rootUser: undefined, rootPassword: undefined });
  });

  it('generates missing secrets once, stores them owner-only and announces them only on that start', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pangolin-secrets-'));
    try {
      const dataDir = path.join(dir, 'data');
      const auth = loadConfig({}).auth;
      const first = await resolveAuthSecrets(auth, dataDir);
      expect(first.generated.sort()).toEqual(['jwt-secret', 'root-password']);
      expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
      const file = path.join(dataDir, SECRETS_FILE_NAME);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
        jwt_secret: first.jwtSecret,
        root_user: 'root',
        root_password: first.rootPassword,
      });
      const banner = firstStartBanner(first)!;
      expect(banner).toContain(first.rootPassword);
      expect(banner).not.toContain(first.jwtSecret);

      const second = await resolveAuthSecrets(auth, dataDir);
      expect(second).toMatchObject({ jwtSecret: first.jwtSecret, rootPassword: first.rootPassword, generated: [] });
      expect(firstStartBanner(second)).toBeNull();

      // A file loosened by someone is tightened again; the environment always wins over the file.
      await chmod(file, 0o644);
      const fromEnv = await resolveAuthSecrets(
        loadConfig({ PANGOLIN_JWT_SECRET: 'x'.repeat(40), PANGOLIN_ROOT_PASSWORD: 'a-long-root-password' }).auth,
        dataDir,
      );
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(fromEnv).toMatchObject({ jwtSecret: 'x'.repeat(40), rootPassword: 'a-long-root-password', generated: [] });
      await writeFile(file, '{}');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in NO-AUTH mode writes no secrets file: generated values live in memory, a data directory may be read-only', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pangolin-secrets-'));
    try {
      const dataDir = path.join(dir, 'data');
      const secrets = await resolveAuthSecrets(loadConfig({}).auth, dataDir, { persist: false });
      expect(secrets.generated.sort()).toEqual(['jwt-secret', 'root-password']);
      expect(secrets.jwtSecret.length).toBeGreaterThanOrEqual(32);
      expect(secrets.file).toBeNull();
      await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(firstStartBanner(secrets)).toMatch(/not stored/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
