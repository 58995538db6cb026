/**
 * Group commit: concurrent calls on one key (a branch) share one unit of work instead of queueing one by one
 * for the branch's lock.
 *
 * Leader/follower, without timers: a call on a key with no batch in flight starts a batch of its own at once
 * (no added latency when idle). Calls arriving while a batch of that key is in flight wait, and all of them
 * (up to `maxBatchSize`, in arrival order; the rest wait for the batch after) run together as the next batch
 * once the current one has settled. Batches of one key therefore never overlap, and each batch holds the
 * calls in the order they arrived.
 */
export class BranchCommitBatcher<Call, Result> {
  /** Per key with a batch in flight: the calls waiting for the next batch. No entry = idle key. */
  private readonly waiting = new Map<string, Waiting<Call, Result>[]>();

  /**
   * @param runBatch runs the calls of one batch and settles each of them (one outcome per call, in the same
   *   order); a thrown error is given to every call of the batch.
   */
  constructor(
    private readonly runBatch: (calls: Call[]) => Promise<PromiseSettledResult<Result>[]>,
    private readonly maxBatchSize: number,
  ) {
    if (!(maxBatchSize >= 1)) throw new RangeError('maxBatchSize must be at least 1');
  }

  submit(key: string, call: Call): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const entry = { call, resolve, reject };
      const queue = this.waiting.get(key);
      if (queue) {
        queue.push(entry); // a batch of this key is in flight: join the next one
        return;
      }
      this.waiting.set(key, []);
      void this.drain(key, [entry]);
    });
  }

  /** Runs batch after batch for `key` until nobody waits, then marks the key idle. */
  private async drain(key: string, first: Waiting<Call, Result>[]): Promise<void> {
    const queue = this.waiting.get(key)!;
    for (let batch = first; batch.length > 0; batch = queue.splice(0, this.maxBatchSize)) {
      await this.settle(batch);
    }
    // No await between the last (empty) splice and this delete: a call arriving now starts a new batch.
    this.waiting.delete(key);
  }

  private async settle(batch: Waiting<Call, Result>[]): Promise<void> {
    let outcomes: PromiseSettledResult<Result>[];
    try {
      outcomes = await this.runBatch(batch.map((entry) => entry.call));
      if (outcomes.length !== batch.length) {
        throw new Error(`A batch of ${batch.length} calls was settled with ${outcomes.length} outcomes`);
      }
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => {
      const outcome = outcomes[i];
      if (outcome.status === 'fulfilled') entry.resolve(outcome.value);
      else entry.reject(outcome.reason);
    });
  }
}

interface Waiting<Call, Result> {
  call: Call;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/** The outcome of `work`, as a value. */
export async function settled<T>(work: Promise<T>): Promise<PromiseSettledResult<T>> {
  try {
    return { status: 'fulfilled', value: await work };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}
