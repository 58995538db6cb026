import { ValidationError } from '../common/errors';
import { isSecretKey, MASKED_SECRET } from './storage-config';

/**
 * VendingStrategy (contract management §0.3, §2.2): externally tagged, `{"AwsStatic": {...}}`, or the bare
 * string `"None"`. The fields of each variant, with whether they are required.
 */
const VARIANTS: Record<string, Record<string, 'required' | 'nullable'>> = {
  AwsSts: { role_arn: 'required', external_id: 'nullable' },
  AwsStatic: { access_key_id: 'required', secret_access_key: 'required' },
  AzureSas: { account_name: 'required', account_key: 'required' },
  GcpDownscoped: { service_account_email: 'required', private_key: 'required' },
};

export type VendingStrategy = 'None' | Record<string, Record<string, string | null>>;

/**
 * Parses a vending_strategy value; returns a normalized copy (unknown inner fields dropped, nullable fields
 * present) or an error message describing the wrong shape (the caller answers 422, as serde would).
 */
export function parseVendingStrategy(value: unknown): { ok: true; value: VendingStrategy } | { ok: false; error: string } {
  if (value === 'None') return { ok: true, value: 'None' };
  const expected = `expected "None" or an object with one key of ${Object.keys(VARIANTS).join(', ')}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `vending_strategy: ${expected}, got ${JSON.stringify(value)}` };
  }
  const keys = Object.keys(value);
  const variant = keys[0];
  if (keys.length !== 1 || !Object.hasOwn(VARIANTS, variant)) {
    return { ok: false, error: `vending_strategy: ${expected}` };
  }
  const inner = (value as Record<string, unknown>)[variant];
  if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) {
    return { ok: false, error: `vending_strategy.${variant}: expected an object` };
  }
  const normalized: Record<string, string | null> = {};
  for (const [field, presence] of Object.entries(VARIANTS[variant])) {
    const fieldValue = (inner as Record<string, unknown>)[field];
    if (typeof fieldValue === 'string') normalized[field] = fieldValue;
    else if (presence === 'nullable' && (fieldValue === undefined || fieldValue === null)) normalized[field] = null;
    else return { ok: false, error: `vending_strategy.${variant}.${field}: expected a string` };
  }
  return { ok: true, value: { [variant]: normalized } };
}

/** The strategy as answered to clients: secret fields masked (see MASKED_SECRET). */
export function maskVendingStrategy(strategy: unknown): unknown {
  if (strategy === null || typeof strategy !== 'object') return strategy ?? null;
  const masked: Record<string, unknown> = {};
  for (const [variant, inner] of Object.entries(strategy as Record<string, unknown>)) {
    if (inner === null || typeof inner !== 'object') {
      masked[variant] = inner;
      continue;
    }
    const fields: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(inner as Record<string, unknown>)) {
      fields[field] = isSecretKey(field) && typeof value === 'string' ? MASKED_SECRET : value;
    }
    masked[variant] = fields;
  }
  return masked;
}

/**
 * A strategy sent on update may carry masked secrets written back from a response: they are replaced by
 * the stored values of the same variant. A masked secret with nothing to stand for is a 400.
 */
export function restoreMaskedSecrets(incoming: VendingStrategy, stored: unknown): VendingStrategy {
  if (incoming === 'None') return incoming;
  const [variant, fields] = Object.entries(incoming)[0];
  const storedFields =
    stored !== null && typeof stored === 'object' ? ((stored as Record<string, unknown>)[variant] as Record<string, unknown>) : undefined;
  const restored: Record<string, string | null> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value !== MASKED_SECRET) {
      restored[field] = value;
      continue;
    }
    const previous = storedFields?.[field];
    if (typeof previous !== 'string') {
      throw new ValidationError(
        `vending_strategy.${variant}.${field} holds the masked placeholder '${MASKED_SECRET}'; send the real value`,
      );
    }
    restored[field] = previous;
  }
  return { [variant]: restored };
}
