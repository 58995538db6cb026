import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Configuration, read from the environment once at boot and validated. An invalid value throws a
 * ConfigError naming the variable; main.ts prints it and exits non-zero. Every variable is documented in
 * the README with its default.
 */

export type DatabaseConfig =
  | { kind: 'memory' }
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgres';
      url: string;
      maxConnections: number;
      minConnections: number;
      connectTimeoutMs: number;
    }
  | { kind: 'mongodb'; url: string; dbName: string; maxPoolSize?: number; minPoolSize?: number };

export interface AppConfig {
  port: number;
  host: string;
  /** Directory for the SQLite file, the default warehouse and generated secrets. */
  dataDir: string;
  /**
   * Absolute directories under which tenant file warehouses may be placed (each warehouse strictly below
   * one of them). Never the data directory or anything containing it.
   */
  allowedStorageRoots: string[];
  database: DatabaseConfig;
  /** Apply pending migrations (SQL) / create indexes (MongoDB) at boot. */
  runMigrations: boolean;
  noAuth: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log lines go to standard output in batches, at the latest this long after the first one (0 = each at once). */
  logFlushMs: number;
  /** Largest accepted JSON request body, in bytes; larger bodies get 413. */
  maxBodyBytes: number;
  /** Serve Prometheus metrics at /metrics. */
  metricsEnabled: boolean;
  /** On SIGTERM, time between turning readiness off and closing the listener (lets load balancers react). */
  shutdownDrainMs: number;
  /**
   * How long an idle keep-alive connection stays open, and how long a client may take to send a request's
   * headers. Both above the idle timeouts of load balancers and engines' connection pools: a server that
   * closes first resets a request the pool sends on the closing connection.
   */
  http: { keepAliveTimeoutMs: number; headersTimeoutMs: number };
  /**
   * How long a catalog or warehouse row read from the database is reused by this instance (0 = never).
   * Bounds how late a change made on ANOTHER replica is seen; this instance's own writes are seen at once.
   */
  lookupCacheMs: number;
  metadata: {
    /** Worker threads for metadata JSON; 0 handles everything inline (tests, tiny deployments). */
    workerThreads: number;
    /** Documents up to this size are parsed on the main thread: a worker round trip costs more. */
    inlineMaxBytes: number;
    /** Nice value of the worker threads (Linux): the event loop gets a core before them. 0 = same priority. */
    workerNice: number;
    /** Size bound of the metadata-bytes cache keyed by location. */
    cacheMaxBytes: number;
    /** Server-side re-runs of a table commit after a pointer conflict. */
    commitMaxRetries: number;
  };
  auth: AuthConfig;
}

/**
 * Authentication settings (auth mode; NO-AUTH mode ignores all but `adminUser`). Secrets left unset here are
 * generated at first start and stored in the data directory; no built-in default is ever used.
 */
export interface AuthConfig {
  /** HS256 signing secret (PANGOLIN_JWT_SECRET, alias JWT_SECRET); at least 32 characters. */
  jwtSecret?: string;
  /** Root credentials (PANGOLIN_ROOT_USER / PANGOLIN_ROOT_PASSWORD). */
  rootUser?: string;
  rootPassword?: string;
  /** Username of the stored admin behind NO-AUTH mode's synthetic session (PANGOLIN_ADMIN_USER). */
  adminUser: string;
  /** Lifetime of a login token, seconds (PANGOLIN_SESSION_TTL_SECS). */
  sessionTtlSeconds: number;
  /** Upper bound of `expires_in_hours` when minting a token (PANGOLIN_MAX_TOKEN_HOURS). */
  maxTokenHours: number;
  /** Lifetime of a token issued by the OAuth client-credentials endpoint, seconds. */
  serviceTokenTtlSeconds: number;
  /** bcrypt cost factor for passwords and API keys (PANGOLIN_BCRYPT_ROUNDS). */
  bcryptRounds: number;
  /** Failed attempts allowed per account within the window (PANGOLIN_AUTH_RATE_LIMIT). */
  rateLimitAttempts: number;
  /** Failed attempts allowed per source address within the window (PANGOLIN_AUTH_ADDRESS_RATE_LIMIT). */
  rateLimitAttemptsPerAddress: number;
  /** Length of the throttling window, seconds (PANGOLIN_AUTH_RATE_WINDOW_SECS). */
  rateLimitWindowSeconds: number;
  /** Use the first X-Forwarded-For address as the source address (PANGOLIN_TRUST_FORWARDED_FOR). */
  trustForwardedFor: boolean;
}

/** Signing secrets and root passwords published in documentation or used as defaults somewhere: refused. */
const KNOWN_DEFAULT_SECRETS = new Set([
  'default_secret_for_dev',
  'secret',
  'changeme',
  'change-me',
  'password',
  'password123',
  'admin',
  'root',
  'pangolin',
  'jwt_secret',
  'your-secret-key',
]);
const MIN_JWT_SECRET_LENGTH = 32;
const MIN_ROOT_PASSWORD_LENGTH = 12;

export function parseAuthConfig(env: Env): AuthConfig {
  const jwtSecret = secretValue(env, 'PANGOLIN_JWT_SECRET')?.trim() || str(env, 'JWT_SECRET');
  if (jwtSecret !== undefined) {
    if (KNOWN_DEFAULT_SECRETS.has(jwtSecret.toLowerCase())) {
      throw new ConfigError('PANGOLIN_JWT_SECRET', 'is a published default; set a random secret or leave it unset to generate one');
    }
    if (jwtSecret.length < MIN_JWT_SECRET_LENGTH) {
      throw new ConfigError('PANGOLIN_JWT_SECRET', `must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
    }
  }
  const rootPassword = secretValue(env, 'PANGOLIN_ROOT_PASSWORD') || undefined;
  if (rootPassword !== undefined) {
    if (KNOWN_DEFAULT_SECRETS.has(rootPassword.toLowerCase())) {
      throw new ConfigError('PANGOLIN_ROOT_PASSWORD', 'is a published default; choose another or leave it unset to generate one');
    }
    if (rootPassword.length < MIN_ROOT_PASSWORD_LENGTH) {
      throw new ConfigError('PANGOLIN_ROOT_PASSWORD', `must be at least ${MIN_ROOT_PASSWORD_LENGTH} characters`);
    }
    if (Buffer.byteLength(rootPassword, 'utf8') > 72) {
      throw new ConfigError('PANGOLIN_ROOT_PASSWORD', 'must be at most 72 bytes (the bcrypt limit)');
    }
  }
  return {
    jwtSecret,
    rootUser: str(env, 'PANGOLIN_ROOT_USER'),
    rootPassword,
    adminUser: str(env, 'PANGOLIN_ADMIN_USER') ?? 'tenant_admin',
    sessionTtlSeconds: int(env, 'PANGOLIN_SESSION_TTL_SECS', 24 * 3600, 60, 365 * 24 * 3600),
    maxTokenHours: int(env, 'PANGOLIN_MAX_TOKEN_HOURS', 8760, 1, 8760),
    serviceTokenTtlSeconds: int(env, 'PANGOLIN_SERVICE_TOKEN_TTL_SECS', 3600, 60, 24 * 3600),
    bcryptRounds: int(env, 'PANGOLIN_BCRYPT_ROUNDS', 12, 4, 15),
    rateLimitAttempts: int(env, 'PANGOLIN_AUTH_RATE_LIMIT', 10, 1, 1_000_000),
    rateLimitAttemptsPerAddress: int(env, 'PANGOLIN_AUTH_ADDRESS_RATE_LIMIT', 50, 1, 1_000_000),
    rateLimitWindowSeconds: int(env, 'PANGOLIN_AUTH_RATE_WINDOW_SECS', 60, 1, 86_400),
    trustForwardedFor: bool(env, 'PANGOLIN_TRUST_FORWARDED_FOR', false),
  };
}

/**
 * A secret given directly (`NAME`) or as the path of a file holding it (`NAME_FILE`, the convention of Docker
 * and Kubernetes secrets, which are mounted as files). The file's trailing line break is not part of the
 * secret. Giving both, an empty file or an unreadable one stops the boot; the message never carries the
 * file's content or path.
 */
function secretValue(env: Env, name: string): string | undefined {
  const fileVariable = `${name}_FILE`;
  const file = str(env, fileVariable);
  if (file === undefined) return env[name];
  if (env[name] !== undefined && env[name] !== '') {
    throw new ConfigError(fileVariable, `cannot be combined with ${name}; set only one of them`);
  }
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(fileVariable, `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const secret = content.replace(/\r?\n$/, '');
  if (secret.trim() === '') throw new ConfigError(fileVariable, 'the file is empty');
  return secret;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  const dataDir = path.resolve(str(env, 'PANGOLIN_DATA_DIR') ?? './data');
  const database = parseDatabase(env, dataDir);
  return {
    port: int(env, 'PORT', 8080, 0, 65535),
    host: str(env, 'PANGOLIN_HOST') ?? '0.0.0.0',
    dataDir,
    allowedStorageRoots: parseAllowedStorageRoots(env, dataDir, database),
    database,
    runMigrations: bool(env, 'PANGOLIN_RUN_MIGRATIONS', true),
    noAuth: bool(env, 'PANGOLIN_NO_AUTH', false),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logFlushMs: int(env, 'PANGOLIN_LOG_FLUSH_MS', 200, 0, 10_000),
    maxBodyBytes: int(env, 'PANGOLIN_MAX_BODY_BYTES', 64 * 1024 * 1024, 1024, 2 ** 31 - 1),
    metricsEnabled: bool(env, 'PANGOLIN_METRICS_ENABLED', true),
    shutdownDrainMs: int(env, 'PANGOLIN_SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    http: parseHttpTimeouts(env),
    lookupCacheMs: int(env, 'PANGOLIN_LOOKUP_CACHE_MS', 1000, 0, 60_000),
    metadata: {
      workerThreads: int(env, 'PANGOLIN_METADATA_WORKERS', 2, 0, 64),
      inlineMaxBytes: int(env, 'PANGOLIN_METADATA_INLINE_MAX_BYTES', 256 * 1024, 0, 2 ** 31 - 1),
      workerNice: int(env, 'PANGOLIN_METADATA_WORKER_NICE', 10, 0, 19),
      cacheMaxBytes: int(env, 'PANGOLIN_METADATA_CACHE_BYTES', 256 * 1024 * 1024, 0, 2 ** 40),
      commitMaxRetries: int(env, 'PANGOLIN_COMMIT_MAX_RETRIES', 8, 0, 100),
    },
    auth: parseAuthConfig(env),
  };
}

/**
 * PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS (default 75: above the 60 s of common load balancers) and
 * PANGOLIN_HEADERS_TIMEOUT_SECS (default keep-alive + 1). The headers timeout must exceed the keep-alive
 * timeout, or a request arriving on a connection about to idle out could be cut off.
 */
export function parseHttpTimeouts(env: Env): AppConfig['http'] {
  const keepAliveSeconds = int(env, 'PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS', 75, 1, 3600);
  const headersSeconds = int(env, 'PANGOLIN_HEADERS_TIMEOUT_SECS', keepAliveSeconds + 1, 1, 3601);
  if (headersSeconds <= keepAliveSeconds) {
    throw new ConfigError(
      'PANGOLIN_HEADERS_TIMEOUT_SECS',
      `must be greater than PANGOLIN_KEEP_ALIVE_TIMEOUT_SECS (${keepAliveSeconds}), got ${headersSeconds}`,
    );
  }
  return { keepAliveTimeoutMs: keepAliveSeconds * 1000, headersTimeoutMs: headersSeconds * 1000 };
}

/**
 * DATABASE_URL, chosen by prefix as in Pangolin: postgres(ql)://, mongodb(+srv)://, sqlite:// or a value
 * ending in `.db`, memory://. Unset means the embedded default: SQLite at <data dir>/pangolin.db.
 * Unlike Pangolin, an unrecognised value is an error rather than a silent fall-back to memory.
 */
export function parseDatabase(env: Env, dataDir: string): DatabaseConfig {
  const raw = str(env, 'DATABASE_URL');
  if (raw === undefined) return { kind: 'sqlite', file: path.join(dataDir, 'pangolin.db') };
  if (raw === 'memory' || raw.startsWith('memory://')) return { kind: 'memory' };
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    return {
      kind: 'postgres',
      url: raw,
      maxConnections: int(env, 'DATABASE_MAX_CONNECTIONS', 10, 1, 1000),
      minConnections: int(env, 'DATABASE_MIN_CONNECTIONS', 2, 0, 1000),
      connectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT', 30, 1, 3600) * 1000,
    };
  }
  if (raw.startsWith('mongodb://') || raw.startsWith('mongodb+srv://')) {
    return {
      kind: 'mongodb',
      url: raw,
      dbName: str(env, 'MONGO_DB_NAME') ?? 'pangolin',
      maxPoolSize: optionalInt(env, 'MONGO_MAX_POOL_SIZE', 1, 10000),
      minPoolSize: optionalInt(env, 'MONGO_MIN_POOL_SIZE', 0, 10000),
    };
  }
  if (raw.startsWith('sqlite:')) {
    // sqlite:///abs/path.db, sqlite://relative.db, sqlite::memory:
    const rest = raw.slice('sqlite:'.length);
    if (rest === ':memory:' || rest === '//:memory:') return { kind: 'sqlite', file: ':memory:' };
    const file = rest.startsWith('//') ? rest.slice(2) : rest;
    if (file === '') throw new ConfigError('DATABASE_URL', 'sqlite URL has no file path');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  if (raw.endsWith('.db')) return { kind: 'sqlite', file: path.resolve(raw) };
  throw new ConfigError(
    'DATABASE_URL',
    `unsupported value '${redactUrl(raw)}' (expected memory://, sqlite:///path, postgres(ql)://, mongodb(+srv)://)`,
  );
}

/**
 * PANGOLIN_ALLOWED_STORAGE_ROOTS: comma-separated absolute directories (default: `<data dir>/warehouse`).
 * Refused: a relative path, a root that is or contains the data directory (the database and
 * auth-secrets.json live there) or the SQLite file, and a root inside the data directory other than
 * `<data dir>/warehouse` itself.
 */
export function parseAllowedStorageRoots(env: Env, dataDir: string, database: DatabaseConfig): string[] {
  const defaultWarehouse = path.join(dataDir, 'warehouse');
  const raw = str(env, 'PANGOLIN_ALLOWED_STORAGE_ROOTS');
  if (raw === undefined) return [defaultWarehouse];
  const protectedPaths = [dataDir];
  if (database.kind === 'sqlite' && database.file !== ':memory:') protectedPaths.push(database.file);
  const roots: string[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    if (!path.isAbsolute(entry)) {
      throw new ConfigError('PANGOLIN_ALLOWED_STORAGE_ROOTS', `'${entry}' is not an absolute directory`);
    }
    const root = path.resolve(entry);
    if (protectedPaths.some((p) => isSameOrInside(p, root))) {
      throw new ConfigError('PANGOLIN_ALLOWED_STORAGE_ROOTS', `'${entry}' contains the data directory or the database file`);
    }
    if (isSameOrInside(root, dataDir) && root !== defaultWarehouse) {
      throw new ConfigError(
        'PANGOLIN_ALLOWED_STORAGE_ROOTS',
        `'${entry}' lies inside the data directory (only <data dir>/warehouse may)`,
      );
    }
    if (!roots.includes(root)) roots.push(root);
  }
  if (roots.length === 0) throw new ConfigError('PANGOLIN_ALLOWED_STORAGE_ROOTS', 'names no directory');
  return roots;
}

/** `inner` equals `outer` or lies below it (absolute, resolved paths). */
function isSameOrInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** Removes the password from a connection URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  return optionalInt(env, name, min, max) ?? fallback;
}

function optionalInt(env: Env, name: string, min: number, max: number): number | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `expected a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `expected a value from ${min} to ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `expected true or false, got '${v}'`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const v = str(env, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got '${v}'`);
  }
  return v as T;
}
