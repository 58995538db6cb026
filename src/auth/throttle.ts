/** One credential check, for throttling: the source address and the account (or client) tried. */
export interface CredentialAttempt {
  address: string;
  account: string;
}

/**
 * The throttle keys of a credential check. The per-account limit counts the account as tried from one source
 * address, so failures sent from an attacker's address never lock the account's owner out elsewhere; the
 * per-address limit counts the address alone, across every account it tries. The pair is written as a JSON
 * array, so no username or address can make two different pairs share a key.
 */
export function throttleKeysOf(attempt: CredentialAttempt): { accountAtAddress: string; address: string } {
  return { accountAtAddress: JSON.stringify([attempt.account, attempt.address]), address: attempt.address };
}

/**
 * In-process throttling of credential checks (login, Basic root, API keys, OAuth client credentials): a
 * fixed window of failed attempts per key (a source address, an account). Memory is bounded: at most
 * `maxKeys` keys are tracked; when full, the key whose window started first is dropped (Map order is
 * insertion order, and a key is re-inserted when its window restarts).
 */
export class AttemptThrottle {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the first of `keys` may try again, or 0 when none of them is throttled. */
  retryAfterSeconds(keys: string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const window = this.windows.get(key);
      if (!window) continue;
      if (now - window.startedAt >= this.windowMs) {
        this.windows.delete(key);
        continue;
      }
      if (window.failures >= this.maxFailures) {
        wait = Math.max(wait, Math.ceil((window.startedAt + this.windowMs - now) / 1000));
      }
    }
    return wait;
  }

  recordFailure(keys: string[]): void {
    const now = this.now();
    for (const key of keys) {
      const window = this.windows.get(key);
      if (window && now - window.startedAt < this.windowMs) {
        window.failures++;
        continue;
      }
      this.windows.delete(key);
      while (this.windows.size >= this.maxKeys) {
        const oldest = this.windows.keys().next().value as string;
        this.windows.delete(oldest);
      }
      this.windows.set(key, { startedAt: now, failures: 1 });
    }
  }

  /** Forgets an account's failures after it authenticated successfully. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  get trackedKeys(): number {
    return this.windows.size;
  }
}
