import { LRUCache } from 'lru-cache';
import { tokenDigest } from './credentials';

/** How long a successful check of an API key is reused, counted from its last successful use. */
const REUSE_MS = 60_000;
const MAX_KEYS = 1000;

/**
 * API keys whose bcrypt check passed recently, so a client sending its key on every request pays the
 * (deliberately slow) hash comparison about once a minute instead of on every request. Only the check is
 * reused: whether the service user is active and unexpired is read on every request. An entry is keyed by
 * the key's digest and the stored hash, so rotating the key (a new hash) invalidates it. At most 1000
 * keys, least recently used out first.
 */
export class VerifiedApiKeys {
  private readonly entries: LRUCache<string, true>;

  constructor(now: () => number = Date.now) {
    // ttlResolution 0: read the clock on every check rather than reuse a reading for a millisecond (which
    // would start a timer per request).
    this.entries = new LRUCache<string, true>({ max: MAX_KEYS, ttl: REUSE_MS, ttlResolution: 0, perf: { now } });
  }

  /** True while `secret` was found to match `apiKeyHash` within the last minute. */
  isVerified(secret: string, apiKeyHash: string): boolean {
    return this.entries.has(keyOf(secret, apiKeyHash));
  }

  /** Records a successful check; a key in use stays remembered. */
  remember(secret: string, apiKeyHash: string): void {
    this.entries.set(keyOf(secret, apiKeyHash), true);
  }
}

function keyOf(secret: string, apiKeyHash: string): string {
  return `${tokenDigest(secret)}:${apiKeyHash}`;
}
