import * as path from 'node:path';
import { ValidationError } from '../common/errors';
import type { StringMap } from '../persistence/models';

/** Storage types this server can read and write table metadata with (DESIGN §2.10). */
export const SUPPORTED_STORAGE_TYPES = ['s3', 'file', 'memory'] as const;

/**
 * Checks a warehouse's (complete, already merged) storage_config: `type` is one of the supported types
 * (absent means `s3`); a `file` warehouse has `root`, an absolute directory (or `file://` URI) other than
 * the filesystem root. Other keys are free-form and kept untouched. Throws ValidationError (400).
 */
export function validateStorageConfig(config: StringMap): void {
  const rawType = config['type']?.trim().toLowerCase();
  const type = rawType ? rawType : 's3';
  if (!(SUPPORTED_STORAGE_TYPES as readonly string[]).includes(type)) {
    throw new ValidationError(
      `Unsupported storage_config.type '${config['type']}': this server supports ${SUPPORTED_STORAGE_TYPES.join(', ')}`,
    );
  }
  if (type === 'file') validateFileRoot(config['root']);
}

function validateFileRoot(raw: string | undefined): void {
  const root = raw?.trim();
  if (!root) throw new ValidationError('A file warehouse needs storage_config.root, an absolute directory');
  let dir: string;
  if (root.startsWith('file://')) {
    dir = root.slice('file://'.length);
  } else if (root.startsWith('file:')) {
    dir = root.slice('file:'.length);
  } else {
    dir = root;
  }
  if (!path.posix.isAbsolute(dir)) {
    throw new ValidationError(`storage_config.root must be an absolute directory, got '${raw}'`);
  }
  if (path.posix.normalize(dir).replace(/\/+$/, '') === '') {
    throw new ValidationError('storage_config.root cannot be the filesystem root');
  }
}

/**
 * Secrets in warehouse responses.
 *
 * Decision: secret values are never sent back. Pangolin v0.4.0 returns them verbatim (contract management
 * §2.2); here every storage_config key and vending-strategy field that holds a secret (secret keys, session
 * and SAS tokens, account and private keys, passwords) is answered as MASKED_SECRET, so the shape is
 * unchanged but listing warehouses no longer discloses credentials. Edit forms that write a response back
 * (the v0.4.0 UI does) keep working: on update, a value equal to MASKED_SECRET means "unchanged".
 */
export const MASKED_SECRET = '********';

/**
 * THE rule for secret-holding keys: secrets, passwords, tokens, credentials; account, private, customer
 * and encryption keys; server-side encryption keys (`s3.sse.key`, `sse-key`, `s3.sse.c-key`); SAS tokens
 * (`sas`, `adls.sas`, `adls.sas-token.<account>`).
 */
const SECRET_KEY =
  /secret|password|token|credential|(?:account|private|customer|encryption)[-_.]?key|sse(?:[-_.][a-z0-9-]*)?[-_.]?key$|(?:^|[-_.])sas(?:[-_.]|$)/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

// Maps are built with Object.fromEntries: it defines every key as an own property, where an assignment of a
// key named `__proto__` would change the prototype and drop the key.
export function maskStorageConfig(config: StringMap): StringMap {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, isSecretKey(key) ? MASKED_SECRET : value]));
}

/** For an update: drops keys whose value is the mask (they keep their stored value when merged). */
export function withoutMaskedValues(config: StringMap): StringMap {
  return Object.fromEntries(Object.entries(config).filter(([, value]) => value !== MASKED_SECRET));
}

/** For a create: a masked placeholder cannot stand for a secret nobody stored. */
export function rejectMaskedValues(config: StringMap, field: string): void {
  for (const [key, value] of Object.entries(config)) {
    if (value === MASKED_SECRET) {
      throw new ValidationError(`${field}.${key} holds the masked placeholder '${MASKED_SECRET}'; send the real value`);
    }
  }
}
