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
  ])('an invalid %s stops the boot with a message naming it', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(variable));
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
