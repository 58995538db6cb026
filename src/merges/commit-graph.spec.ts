import { randomUUID } from 'node:crypto';
import type { Commit } from '../persistence/models';
import { AncestryLoader, compareHistories, isInHistory, mergeCommitMessage, mergedCommitIds } from './commit-graph';

/** A commit store with the port's ancestry semantics, counting what it hands out. */
class History {
  readonly commits = new Map<string, Commit>();
  private readonly names = new Map<string, string>();
  loadedCommits = 0;
  loads = 0;

  add(name: string, parent: string | null, merged?: string): string {
    const id = randomUUID();
    this.names.set(id, name);
    const parentId = parent ? this.id(parent) : null;
    const message = mergeCommitMessage(`commit ${name}`, merged ? this.id(merged) : null);
    this.commits.set(id, { id, tenantId: 't', parentId, timestamp: this.commits.size, author: 'a', message, operations: [] });
    this.names.set(name, id);
    return id;
  }

  /** Adds `count` commits in a line on top of `parent`, named prefix0..prefixN; returns the last name. */
  line(prefix: string, parent: string | null, count: number): string {
    let last = parent;
    for (let i = 0; i < count; i++) {
      this.add(`${prefix}${i}`, last);
      last = `${prefix}${i}`;
    }
    return last as string;
  }

  id(name: string): string {
    const id = this.names.get(name);
    if (!id) throw new Error(`no commit ${name}`);
    return id;
  }

  name(id: string | null): string | null {
    return id === null ? null : (this.names.get(id) ?? null);
  }

  readonly load: AncestryLoader = async (head, limit) => {
    this.loads += 1;
    const out: Commit[] = [];
    let current: string | null = head;
    while (current && out.length < limit) {
      const commit = this.commits.get(current);
      if (!commit) break;
      out.push(commit);
      current = commit.parentId;
    }
    this.loadedCommits += out.length;
    return out;
  };

  async compare(source: string | null, target: string | null) {
    const result = await compareHistories(this.load, source ? this.id(source) : null, target ? this.id(target) : null);
    return {
      base: this.name(result.baseCommitId),
      sourceOnly: result.sourceOnly.map((c) => this.name(c.id)),
      targetOnly: result.targetOnly.map((c) => this.name(c.id)),
      alreadyMerged: result.sourceAlreadyMerged,
    };
  }
}

describe('merge commit trailers', () => {
  it('round-trips the merged commit id and ignores ordinary messages', () => {
    const id = randomUUID();
    const message = mergeCommitMessage("Merge branch 'dev' into 'main'", id);
    expect(message.split('\n')[0]).toBe("Merge branch 'dev' into 'main'");
    const commit = { id: 'x', tenantId: 't', parentId: null, timestamp: 0, author: 'a', operations: [] };
    expect(mergedCommitIds({ ...commit, message })).toEqual([id]);
    expect(mergedCommitIds({ ...commit, message: 'Merged-Commit: not-a-uuid' })).toEqual([]);
    expect(mergedCommitIds({ ...commit, message: `mention Merged-Commit: ${id} inline` })).toEqual([]);
    expect(mergeCommitMessage('summary', null)).toBe('summary');
  });
});

describe('compareHistories', () => {
  it('finds the fork point of two diverged branches and what each added', async () => {
    const h = new History();
    h.line('r', null, 3);
    h.add('s1', 'r2');
    h.add('s2', 's1');
    h.add('t1', 'r2');
    expect(await h.compare('s2', 't1')).toEqual({ base: 'r2', sourceOnly: ['s2', 's1'], targetOnly: ['t1'], alreadyMerged: false });
  });

  it('identical heads have nothing to merge', async () => {
    const h = new History();
    h.line('r', null, 3);
    expect(await h.compare('r2', 'r2')).toEqual({ base: 'r2', sourceOnly: [], targetOnly: [], alreadyMerged: true });
  });

  it('a target behind the source (fast-forward)', async () => {
    const h = new History();
    h.line('r', null, 2);
    h.add('s1', 'r1');
    expect(await h.compare('s1', 'r1')).toEqual({ base: 'r1', sourceOnly: ['s1'], targetOnly: [], alreadyMerged: false });
  });

  it('a source behind the target is already merged', async () => {
    const h = new History();
    h.line('r', null, 2);
    h.add('t1', 'r1');
    expect(await h.compare('r1', 't1')).toEqual({ base: 'r1', sourceOnly: [], targetOnly: ['t1'], alreadyMerged: true });
  });

  it('unrelated histories have no base', async () => {
    const h = new History();
    h.line('a', null, 2);
    h.line('b', null, 2);
    expect(await h.compare('a1', 'b1')).toEqual({
      base: null,
      sourceOnly: ['a1', 'a0'],
      targetOnly: ['b1', 'b0'],
      alreadyMerged: false,
    });
  });

  it('null heads', async () => {
    const h = new History();
    h.line('a', null, 2);
    expect(await h.compare(null, 'a1')).toEqual({ base: null, sourceOnly: [], targetOnly: ['a1', 'a0'], alreadyMerged: true });
    expect(await h.compare('a1', null)).toEqual({ base: null, sourceOnly: ['a1', 'a0'], targetOnly: [], alreadyMerged: false });
    expect(await h.compare(null, null)).toEqual({ base: null, sourceOnly: [], targetOnly: [], alreadyMerged: true });
  });

  it('a second merge of the same branch starts from the commit merged last time', async () => {
    const h = new History();
    h.line('r', null, 2);
    h.add('d1', 'r1');
    h.add('m1', 'r1');
    h.add('M', 'm1', 'd1'); // main merged dev at d1
    h.add('d2', 'd1');
    h.add('m2', 'M');
    expect(await h.compare('d2', 'm2')).toEqual({ base: 'd1', sourceOnly: ['d2'], targetOnly: ['m2', 'M', 'm1'], alreadyMerged: false });
    // The other direction (bringing main into dev) uses the same base.
    expect(await h.compare('m2', 'd2')).toEqual({ base: 'd1', sourceOnly: ['m2', 'M', 'm1'], targetOnly: ['d2'], alreadyMerged: false });
  });

  it('after merging back and forth the base is the last merge commit', async () => {
    const h = new History();
    h.line('r', null, 2);
    h.add('d1', 'r1');
    h.add('M1', 'r1', 'd1'); // main <- dev
    h.add('R', 'd1', 'M1'); // dev <- main
    h.add('d2', 'R');
    h.add('m2', 'M1');
    const result = await h.compare('d2', 'm2');
    expect(result.base).toBe('M1');
    expect(result.sourceOnly).toEqual(['d2', 'R']);
    expect(result.targetOnly).toEqual(['m2']);
  });

  it('a merged branch whose head did not move is already merged', async () => {
    const h = new History();
    h.line('r', null, 2);
    h.add('d1', 'r1');
    h.add('M', 'r1', 'd1');
    expect((await h.compare('d1', 'M')).alreadyMerged).toBe(true);
  });

  it('reads little of a deep shared history when the branches forked recently', async () => {
    const h = new History();
    h.line('r', null, 5000);
    h.line('s', 'r4999', 3);
    h.line('t', 'r4999', 2);
    const result = await h.compare('s2', 't1');
    expect(result.base).toBe('r4999');
    expect(result.sourceOnly).toEqual(['s2', 's1', 's0']);
    expect(h.loadedCommits).toBeLessThan(100);
  });

  it('walks a deep divergence to the fork point', async () => {
    const h = new History();
    h.line('r', null, 10);
    h.line('s', 'r9', 3000);
    h.line('t', 'r9', 1);
    const result = await h.compare('s2999', 't0');
    expect(result.base).toBe('r9');
    expect(result.sourceOnly).toHaveLength(3000);
    expect(result.targetOnly).toEqual(['t0']);
  });
});

describe('isInHistory', () => {
  it('finds commits on any head, through merge trailers, and not elsewhere', async () => {
    const h = new History();
    h.line('r', null, 3);
    h.add('d1', 'r2');
    h.add('M', 'r2', 'd1');
    h.line('x', null, 2);
    const heads = [h.id('M')];
    expect(await isInHistory(h.load, heads, h.id('M'))).toBe(true);
    expect(await isInHistory(h.load, heads, h.id('r0'))).toBe(true);
    expect(await isInHistory(h.load, heads, h.id('d1'))).toBe(true);
    expect(await isInHistory(h.load, heads, h.id('x1'))).toBe(false);
    expect(await isInHistory(h.load, [null, h.id('x1')], h.id('x0'))).toBe(true);
    expect(await isInHistory(h.load, [], h.id('x0'))).toBe(false);
  });
});
