import { createHash, randomBytes, randomInt } from 'node:crypto';
import * as bcrypt from 'bcryptjs';
import { ValidationError } from '../common/errors';

/**
 * Hashing and generation of secrets: bcrypt (bcryptjs, pure JavaScript) for passwords and API keys, SHA-256
 * digests for the token texts recorded in `active_tokens`, and random API keys / passwords.
 */

/** bcrypt reads at most 72 bytes; a longer password would be silently truncated, so it is refused. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 8;

export function validateNewPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new ValidationError(`The password must be at most ${MAX_PASSWORD_BYTES} bytes`);
  }
}

export function hashSecret(secret: string, rounds: number): Promise<string> {
  return bcrypt.hash(secret, rounds);
}

export async function verifySecret(secret: string, hash: string | null): Promise<boolean> {
  if (hash === null || Buffer.byteLength(secret, 'utf8') > MAX_PASSWORD_BYTES) return false;
  try {
    return await bcrypt.compare(secret, hash);
  } catch {
    return false;
  }
}

/**
 * A hash nobody's password matches, compared against when the account does not exist, so a login for an
 * unknown user costs the same as one with a wrong password (no username probing by timing).
 */
export function decoyHash(rounds: number): string {
  return bcrypt.hashSync(randomBytes(16).toString('hex'), rounds);
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/**
 * API keys are `pgl_` followed by 64 alphanumerics (contract management §4.12): the service user's id
 * (32 hex digits, so the key names its owner without a scan) and 32 random characters (190 bits).
 */
export function newApiKey(serviceUserId: string): string {
  return `pgl_${serviceUserId.replace(/-/g, '').toLowerCase()}${randomAlphanumeric(32)}`;
}

/** The service-user id an API key names, or null for anything that is not a well-formed key. */
export function serviceUserIdOfApiKey(key: string): string | null {
  const match = /^pgl_([0-9a-f]{32})[A-Za-z0-9]{32}$/.exec(key);
  if (!match) return null;
  const hex = match[1];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
