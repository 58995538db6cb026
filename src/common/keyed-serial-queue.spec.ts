import { KeyedSerialQueue } from './keyed-serial-queue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedSerialQueue', () => {
  it('runs tasks of one key one at a time, in arrival order', async () => {
    const queue = new KeyedSerialQueue();
    const events: string[] = [];
    const gate = deferred();
    const first = queue.run('t', async () => {
      events.push('start 1');
      await gate.promise;
      events.push('end 1');
    });
    const second = queue.run('t', async () => {
      events.push('start 2');
    });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['start 1']);
    gate.resolve();
    await Promise.all([first, second]);
    expect(events).toEqual(['start 1', 'end 1', 'start 2']);
  });

  it('runs tasks of different keys concurrently', async () => {
    const queue = new KeyedSerialQueue();
    const gate = deferred();
    const blocked = queue.run('a', () => gate.promise);
    let otherRan = false;
    await queue.run('b', async () => {
      otherRan = true;
    });
    expect(otherRan).toBe(true);
    gate.resolve();
    await blocked;
  });

  it('keeps going after a failed task and hands each caller its own outcome', async () => {
    const queue = new KeyedSerialQueue();
    const failed = queue.run('t', async () => {
      throw new Error('boom');
    });
    const next = queue.run('t', async () => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
  });

  it('forgets a key once its queue is empty', async () => {
    const queue = new KeyedSerialQueue();
    await queue.run('t', async () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(queue.activeKeys).toBe(0);
  });
});
