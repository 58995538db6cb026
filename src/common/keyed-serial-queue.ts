/**
 * Runs tasks that share a key one after another, in arrival order; tasks with different keys run
 * concurrently. A failed task does not stop the ones queued behind it. Keys are dropped once their
 * queue is empty, so the map only holds keys with work in flight.
 */
export class KeyedSerialQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks (for tests and diagnostics). */
  get activeKeys(): number {
    return this.tails.size;
  }
}
