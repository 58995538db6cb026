import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseDatabase, redactUrl } from './config';

describe('loadConfig', () => {
  it('defaults to the embedded SQLite database and warehouse under ./data on port 8080', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.database).toEqual({ kind: 'sqlite', file: path.resolve('./data/pangolin.db') });
    expect(config.runMigrations).toBe(true);
    expect(config.noAuth).toBe(false);
    expect(config.maxBodyBytes).toBeGreaterThanOrEqual(16 * 1024 * 1024);
  });

  it.each([
    ['memory://', { kind: 'memory' }],
    ['sqlite:///tmp/x.db', { kind: 'sqlite', file: '/tmp/x.db' }],
    ['sqlite::memory:', { kind: 'sqlite', file: ':memory:' }],
    ['/var/lib/pangolin/catalog.db', { kind: 'sqlite', file: '/var/lib/pangolin/catalog.db' }],
  ])('DATABASE_URL %s selects %j', (url, expected) => {
    expect(parseDatabase({ DATABASE_URL: url }, '/data')).toEqual(expected);
  });

  it('recognises both PostgreSQL prefixes with the pool variables', () => {
    for (const url of ['postgres://u:p@h/db', 'postgresql://u:p@h/db']) {
      const db = parseDatabase({ DATABASE_URL: url, DATABASE_MAX_CONNECTIONS: '7' }, '/data');
      expect(db).toMatchObject({ kind: 'postgres', url, maxConnections: 7, minConnections: 2, connectTimeoutMs: 30000 });
    }
  });

  it('recognises both MongoDB prefixes and MONGO_DB_NAME', () => {
    expect(parseDatabase({ DATABASE_URL: 'mongodb+srv://h/x', MONGO_DB_NAME: 'cat' }, '/d')).toMatchObject({
      kind: 'mongodb',
      dbName: 'cat',
    });
    expect(parseDatabase({ DATABASE_URL: 'mongodb://h:27017' }, '/d')).toMatchObject({ kind: 'mongodb', dbName: 'pangolin' });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PANGOLIN_NO_AUTH', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://h/db'],
    ['PANGOLIN_METADATA_WORKERS', '-1'],
    ['PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS', '0'],
    ['PANGOLIN_HEADERS_TIMEOUT_SECS', 'soon'],
  ])('an invalid %s stops the boot with a message naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });

  it('keeps idle connections 75 s and waits 76 s for headers unless configured', () => {
    expect(loadConfig({}).http).toEqual({ keepAliveTimeoutMs: 75_000, headersTimeoutMs: 76_000 });
    expect(loadConfig({ PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS: '650' }).http).toEqual({ keepAliveTimeoutMs: 650_000, headersTimeoutMs: 651_000 });
    expect(loadConfig({ PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS: '10', PANGOLIN_HEADERS_TIMEOUT_SECS: '30' }).http).toEqual({
      keepAliveTimeoutMs: 10_000,
      headersTimeoutMs: 30_000,
    });
    // A headers timeout at or below the keep-alive timeout could cut off a request on a reused connection.
    expect(() => loadConfig({ PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS: '75', PANGOLIN_HEADERS_TIMEOUT_SECS: '75' })).toThrow(/PANGOLIN_HEADERS_TIMEOUT_SECS/);
  });

  it('never echoes a database password', () => {
    expect(redactUrl('postgres://user:s3cret@db:5432/x')).toBe('postgres://user:***@db:5432/x');
    try {
      loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(String(err)).not.toContain('s3cret');
    }
  });

  describe('secrets as files (*_FILE, the Docker and Kubernetes secrets convention)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'pangolin-config-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const secretFile = (name: string, content: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };

    it('reads PANGOLIN_JWT_SECRET_FILE and PANGOLIN_ROOT_PASSWORD_FILE, without the trailing line break', () => {
      const auth = loadConfig({
        PANGOLIN_JWT_SECRET_FILE: secretFile('jwt', `${'j'.repeat(40)}\n`),
        PANGOLIN_ROOT_PASSWORD_FILE: secretFile('root', 'a root password \r\n'),
      }).auth;
      expect(auth.jwtSecret).toBe('j'.repeat(40));
      // A password keeps its inner and trailing spaces, as it does when given directly.
      expect(auth.rootPassword).toBe('a root password ');
    });

    it('applies the same rules to a secret from a file as to one given directly', () => {
      expect(() => loadConfig({ PANGOLIN_JWT_SECRET_FILE: secretFile('jwt', 'too-short\n') })).toThrow(/PANGOLIN_JWT_SECRET/);
      expect(() => loadConfig({ PANGOLIN_ROOT_PASSWORD_FILE: secretFile('root', 'password\n') })).toThrow(/PANGOLIN_ROOT_PASSWORD/);
    });

    it('refuses a secret given both ways, an empty file and an unreadable file, without echoing either', () => {
      const jwtFile = secretFile('jwt', 'k'.repeat(40));
      expect(() => loadConfig({ PANGOLIN_JWT_SECRET_FILE: jwtFile, PANGOLIN_JWT_SECRET: 'x'.repeat(40) })).toThrow(
        /PANGOLIN_JWT_SECRET_FILE/,
      );
      expect(() => loadConfig({ PANGOLIN_ROOT_PASSWORD_FILE: secretFile('empty', '\n') })).toThrow(/PANGOLIN_ROOT_PASSWORD_FILE.*empty/);
      const missing = path.join(dir, 'missing');
      try {
        loadConfig({ PANGOLIN_ROOT_PASSWORD_FILE: missing });
        throw new Error('expected a ConfigError');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect(String(err)).toMatch(/PANGOLIN_ROOT_PASSWORD_FILE/);
        expect(String(err)).not.toContain(dir);
      }
    });
  });
});

describe('PANGOLIN_ALLOWED_STORAGE_ROOTS', () => {
  const roots = (value: string | undefined, extra: Record<string, string> = {}) =>
    loadConfig({ PANGOLIN_DATA_DIR: '/srv/pangolin', PANGOLIN_ALLOWED_STORAGE_ROOTS: value, ...extra }).allowedStorageRoots;

  it('defaults to <data dir>/warehouse only', () => {
    expect(roots(undefined)).toEqual(['/srv/pangolin/warehouse']);
  });

  it('takes comma-separated absolute directories, normalized', () => {
    expect(roots('/lake/a, /lake/b/ ,/srv/pangolin/warehouse')).toEqual(['/lake/a', '/lake/b', '/srv/pangolin/warehouse']);
  });

  it.each([
    ['relative/dir', /not an absolute directory/],
    ['/srv/pangolin', /contains the data directory/],
    ['/srv', /contains the data directory/],
    ['/', /contains the data directory/],
    ['/srv/pangolin/other', /inside the data directory/],
    ['/srv/pangolin/warehouse/../secrets', /inside the data directory/],
    [' , ', /names no directory/],
  ])('refuses %j at boot', (value, message) => {
    expect(() => roots(value)).toThrow(ConfigError);
    expect(() => roots(value)).toThrow(message);
  });

  it('refuses a root containing the SQLite file kept outside the data directory', () => {
    expect(() => roots('/var/db', { DATABASE_URL: 'sqlite:///var/db/catalog.db' })).toThrow(/database file/);
    expect(roots('/var/lake', { DATABASE_URL: 'sqlite:///var/db/catalog.db' })).toEqual(['/var/lake']);
  });
});
