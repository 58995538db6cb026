import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { AuthConfig } from '../config/config';
import { randomAlphanumeric } from './credentials';

/** The file in the data directory holding the secrets generated at first start (owner-only, 0600). */
export const SECRETS_FILE_NAME = 'auth-secrets.json';

export const DEFAULT_ROOT_USERNAME = 'root';

export interface AuthSecrets {
  jwtSecret: string;
  rootUser: string;
  rootPassword: string;
  /** Where generated values are kept; null when they live in memory only (NO-AUTH mode). */
  file: string | null;
  /** What this start generated (empty on every later start). */
  generated: ('jwt-secret' | 'root-password')[];
}

interface StoredSecrets {
  jwt_secret?: string;
  root_user?: string;
  root_password?: string;
}

/**
 * The JWT signing secret and the root credential: from the environment when set; otherwise the value
 * generated at first start and kept in `<data dir>/auth-secrets.json` (directory 0700, file 0600, written
 * atomically). Nothing has a built-in default. A stored file readable by others is tightened to 0600.
 * With `persist: false` (NO-AUTH mode, where nobody needs the credential) generated values are kept in memory
 * only: no plain-text secret lands in the data directory, which may then be read-only.
 */
export async function resolveAuthSecrets(
  config: AuthConfig,
  dataDir: string,
  { persist }: { persist: boolean } = { persist: true },
): Promise<AuthSecrets> {
  const file = path.join(dataDir, SECRETS_FILE_NAME);
  const stored = await readStoredSecrets(file);
  const generated: AuthSecrets['generated'] = [];
  const next: StoredSecrets = { ...stored };

  let jwtSecret = config.jwtSecret ?? stored.jwt_secret;
  if (!jwtSecret) {
    jwtSecret = randomBytes(48).toString('base64url');
    next.jwt_secret = jwtSecret;
    generated.push('jwt-secret');
  }
  const rootUser = config.rootUser ?? stored.root_user ?? DEFAULT_ROOT_USERNAME;
  let rootPassword = config.rootPassword;
  if (!rootPassword) {
    // A stored password belongs to the stored username; a different configured username gets its own.
    rootPassword = stored.root_user === rootUser || (!stored.root_user && !config.rootUser) ? stored.root_password : undefined;
    if (!rootPassword) {
      rootPassword = randomAlphanumeric(24);
      next.root_user = rootUser;
      next.root_password = rootPassword;
      generated.push('root-password');
    }
  }
  if (generated.length > 0 && persist) await writeStoredSecrets(dataDir, file, next);
  return { jwtSecret, rootUser, rootPassword, file: persist ? file : null, generated };
}

async function readStoredSecrets(file: string): Promise<StoredSecrets> {
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== 'object') throw new Error(`${file} is not a JSON object`);
  return parsed as StoredSecrets;
}

async function writeStoredSecrets(dataDir: string, file: string, secrets: StoredSecrets): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, file);
}

/**
 * The one-time notice of generated credentials. It goes to the console (standard output), not to the
 * structured log, so log shipping never carries the password; it is printed only on the start that
 * generated it. The signing secret itself is never printed: nobody needs to type it, and it stays in the file.
 */
export function firstStartBanner(secrets: AuthSecrets): string | null {
  if (secrets.generated.length === 0) return null;
  const lines = ['', '================ Pangolin first start ================'];
  if (secrets.generated.includes('root-password')) {
    lines.push(
      'Generated the root credential (shown only this once):',
      `  username: ${secrets.rootUser}`,
      `  password: ${secrets.rootPassword}`,
    );
  }
  if (secrets.generated.includes('jwt-secret')) lines.push('Generated the JWT signing secret.');
  lines.push(
    secrets.file === null
      ? 'Not stored (NO-AUTH mode): valid until this process stops.'
      : `Stored in ${secrets.file} (owner read/write only).`,
    'Set PANGOLIN_ROOT_USER / PANGOLIN_ROOT_PASSWORD / PANGOLIN_JWT_SECRET to choose them yourself.',
    '======================================================',
    '',
  );
  return lines.join('\n');
}
