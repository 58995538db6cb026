import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, ValidationError } from '../common/errors';
import { ConfigError, loadConfig } from '../config/config';
import type { AppConfig } from '../config/config';
import type { PermissionGrant } from '../persistence/ports';
import { AuthorizationGuard } from './authorization.guard';
import { openMemoryPersistence } from '../persistence/memory/memory-persistence';
import { ROOT_USER_ID } from './auth.tokens';
import { firstStartBanner, resolveAuthSecrets, SECRETS_FILE_NAME } from './bootstrap-secrets';
import { IdentityBootstrap } from './identity-bootstrap';
import { newApiKey, serviceUserIdOfApiKey } from './credentials';
import { signToken, TokenVerificationError, verifyToken, type TokenClaims } from './jwt';
import { actionImplies, grantsAllow, parseActions, parseScope, scopeCovers } from './permissions';
import { parseRoleName } from './roles';
import { AttemptThrottle, throttleKeysOf } from './throttle';
import { VerifiedApiKeys } from './verified-api-keys';

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
  /** The reason verifyToken refuses a token, or 'accepted'. */
  const failure = async (token: string, secret = SECRET, now = 1_500): Promise<string> => {
    try {
      await verifyToken(token, secret, now);
      return 'accepted';
    } catch (error) {
      return (error as TokenVerificationError).failure;
    }
  };
  const segment = (json: string) => Buffer.from(json).toString('base64url');

  it('round-trips claims and rejects expiry, other secrets and tampering', async () => {
    const token = await signToken(claims(), SECRET);
    expect(await verifyToken(token, SECRET, 1_500)).toEqual(claims());
    expect(await failure(token, SECRET, 2_000)).toBe('expired');
    expect(await failure(token, `${SECRET}x`)).toBe('bad-signature');
    const [h, , s] = token.split('.');
    const forged = segment(JSON.stringify(claims({ role: 'root' })));
    expect(await failure(`${h}.${forged}.${s}`)).toBe('bad-signature');
    const none = segment('{"alg":"none"}');
    expect(await failure(`${none}.${forged}.${s}`)).toBe('malformed');
    expect(await failure(await signToken(claims({ role: 'god' as never }), SECRET))).toBe('bad-claims');
    expect(await failure(await signToken(claims({ jti: undefined as never }), SECRET))).toBe('bad-claims');
    expect(await failure('a.b')).toBe('malformed');
  });

  it('carries the credential version (cv) when present; a malformed one is refused', async () => {
    expect(await verifyToken(await signToken(claims({ cv: 3 }), SECRET), SECRET, 1_500)).toEqual(claims({ cv: 3 }));
    expect(await verifyToken(await signToken(claims(), SECRET), SECRET, 1_500)).not.toHaveProperty('cv');
    for (const cv of [-1, 1.5, '2', null]) {
      expect(await failure(await signToken(claims({ cv: cv as never }), SECRET))).toBe('bad-claims');
    }
  });

  it('signs in the exact format tokens already issued have (header, claim order, encoding)', async () => {
    const issued = await signToken(
      claims({ tenant_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', role: 'tenant-admin', svc: true, cv: 7 }),
      SECRET,
    );
    expect(issued).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJqdGkiOiI2NjY2NjY2Ni03Nzc3LTg4ODgtOTk5OS0wMDAwMDAwMDAwMDAiLCJ1c2VybmFtZSI6ImFsaWNlIiwidGVuYW50X2lkIjoiYWFhYWFhYWEtYmJiYi1jY2NjLWRkZGQtZWVlZWVlZWVlZWVlIiwicm9sZSI6InRlbmFudC1hZG1pbiIsImlhdCI6MTAwMCwiZXhwIjoyMDAwLCJzdmMiOnRydWUsImN2Ijo3fQ.kddPwdwIphiTT3dafVJq8LsahsGJrEvRZIt2lagRzZc',
    );
  });

  it('a token is expired from the second its exp names', async () => {
    const token = await signToken(claims(), SECRET);
    expect(await failure(token, SECRET, 1_999)).toBe('accepted');
    expect(await failure(token, SECRET, 2_000)).toBe('expired');
  });

  it('accepts one spelling of a signature only: other encodings of the same bytes are refused', async () => {
    const token = await signToken(claims(), SECRET);
    const last = token.at(-1)!;
    // The last of 43 base64url characters carries 4 bits and 2 unused ones: flipping an unused bit keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sameBytes = alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(token.split('.')[2].slice(0, -1) + sameBytes, 'base64url')).toEqual(Buffer.from(token.split('.')[2], 'base64url'));
    expect(await failure(token.slice(0, -1) + sameBytes)).toBe('bad-signature');
    expect(await failure(`${token}=`)).toBe('malformed');
    expect(await failure(token.replace('.', '.\n'))).toBe('malformed');
  });

  it('refuses headers that are not an HS256 JSON object, whatever the signature', async () => {
    const [, payload] = (await signToken(claims(), SECRET)).split('.');
    for (const header of ['null', '[]', '1', '"HS256"', '{"alg":"HS512","typ":"JWT"}', '{"typ":"JWT"}', 'not json']) {
      const signingInput = `${segment(header)}.${payload}`;
      const signature = createHmac('sha256', SECRET).update(signingInput).digest('base64url');
      expect(await failure(`${signingInput}.${signature}`)).toBe('malformed');
    }
  });

  it('refuses a payload that is not a JSON object, and claims of the wrong type', async () => {
    const header = segment('{"alg":"HS256","typ":"JWT"}');
    const signed = (payloadJson: string) => {
      const signingInput = `${header}.${segment(payloadJson)}`;
      return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
    };
    expect(await failure(signed('not json'))).toBe('malformed');
    expect(await failure(signed('"a string"'))).toBe('malformed');
    expect(await failure(signed(JSON.stringify({ ...claims(), exp: '2000' })))).toBe('bad-claims');
    expect(await failure(signed(JSON.stringify({ ...claims(), iat: undefined })))).toBe('bad-claims');
    expect(await failure(signed(JSON.stringify({ ...claims(), sub: 'not-a-uuid' })))).toBe('bad-claims');
    expect(await failure(signed(JSON.stringify({ ...claims(), tenant_id: 'x' })))).toBe('bad-claims');
    expect(await failure(signed(JSON.stringify({ ...claims(), username: 7 })))).toBe('bad-claims');
    expect(await failure(signed(JSON.stringify(claims())))).toBe('accepted');
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

describe('authorization guard', () => {
  it('refuses a routed request whose handler has no access rule, whatever the caller', async () => {
    const guard = new AuthorizationGuard(
      { noAuth: true } as AppConfig,
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      {} as never,
      new Reflector(),
    );
    const req = {
      method: 'GET',
      principal: { tenantId: 't', userId: 'u', username: 'root', role: 'root' },
      authSession: { method: 'no-auth', subjectKind: 'user', homeTenantId: null },
    };
    class BrandNewController {
      brandNewRoute(): void {
        return undefined;
      }
    }
    const context = {
      getType: () => 'http',
      getClass: () => BrandNewController,
      getHandler: () => BrandNewController.prototype.brandNewRoute,
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext;
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

  it('keys the account limit by (account, address) and the address limit by the address alone', () => {
    const alice = (address: string) => throttleKeysOf({ account: 'user:t1/alice', address });
    expect(alice('10.0.0.1').accountAtAddress).toBe(alice('10.0.0.1').accountAtAddress);
    expect(alice('10.0.0.1').accountAtAddress).not.toBe(alice('10.0.0.2').accountAtAddress);
    expect(alice('10.0.0.1').address).toBe('10.0.0.1');
    expect(throttleKeysOf({ account: 'user:t1/bob', address: '10.0.0.1' }).address).toBe(alice('10.0.0.1').address);
    // No username or address can make two pairs collide.
    expect(throttleKeysOf({ account: 'a|b', address: 'c' }).accountAtAddress).not.toBe(
      throttleKeysOf({ account: 'a', address: 'b|c' }).accountAtAddress,
    );
    expect(throttleKeysOf({ account: 'a","b', address: 'c' }).accountAtAddress).not.toBe(
      throttleKeysOf({ account: 'a', address: 'b","c' }).accountAtAddress,
    );

    // Failures from an attacker's address exhaust that pair only.
    const accounts = new AttemptThrottle(3, 60_000, 100, () => 0);
    for (let i = 0; i < 5; i++) accounts.recordFailure([alice('203.0.113.9').accountAtAddress]);
    expect(accounts.retryAfterSeconds([alice('203.0.113.9').accountAtAddress])).toBeGreaterThan(0);
    expect(accounts.retryAfterSeconds([alice('192.0.2.1').accountAtAddress])).toBe(0);
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

describe('verified API keys', () => {
  const START = 1_700_000_000_000;
  let clock: number;
  let keys: VerifiedApiKeys;
  beforeEach(() => {
    clock = START;
    keys = new VerifiedApiKeys(() => clock);
  });

  it('reuses a check of the same key against the same stored hash only', () => {
    expect(keys.isVerified('pgl_key', '$2a$hash')).toBe(false);
    keys.remember('pgl_key', '$2a$hash');
    expect(keys.isVerified('pgl_key', '$2a$hash')).toBe(true);
    expect(keys.isVerified('pgl_key', '$2a$rotated')).toBe(false);
    expect(keys.isVerified('pgl_other', '$2a$hash')).toBe(false);
  });

  it('forgets a check a minute after the key was last used successfully', () => {
    keys.remember('pgl_key', '$2a$hash');
    clock = START + 59_000;
    expect(keys.isVerified('pgl_key', '$2a$hash')).toBe(true);
    keys.remember('pgl_key', '$2a$hash'); // used again: another minute
    clock = START + 118_000;
    expect(keys.isVerified('pgl_key', '$2a$hash')).toBe(true);
    clock = START + 119_001;
    expect(keys.isVerified('pgl_key', '$2a$hash')).toBe(false);
  });

  it('holds at most 1000 keys, least recently used out first', () => {
    for (let i = 0; i < 1000; i++) keys.remember(`pgl_${i}`, 'h');
    keys.remember('pgl_0', 'h'); // used again: now the most recent
    keys.remember('pgl_1000', 'h');
    expect(keys.isVerified('pgl_1', 'h')).toBe(false);
    expect(keys.isVerified('pgl_0', 'h')).toBe(true);
    expect(keys.isVerified('pgl_1000', 'h')).toBe(true);
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

describe('identity bootstrap', () => {
  it('a new root password at boot raises the root credential version (ending older root tokens); the same one does not', async () => {
    const ports = await openMemoryPersistence();
    const config = loadConfig({ PANGOLIN_BCRYPT_ROUNDS: '4' });
    const boot = (rootPassword: string) =>
      new IdentityBootstrap(
        config,
        { jwtSecret: SECRET, rootUser: 'root', rootPassword, file: 'unused', generated: [] },
        () => undefined,
        ports.tenants,
        ports.users,
      ).onApplicationBootstrap();
    const version = async () => (await ports.users.getUser(null, ROOT_USER_ID))?.credentialVersion;
    await boot('first-root-password');
    expect(await version()).toBe(0);
    await boot('first-root-password');
    expect(await version()).toBe(0);
    await boot('second-root-password');
    expect(await version()).toBe(1);
  });
});
