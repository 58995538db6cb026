/**
 * Commit-graph queries for merging, over an injected ancestry loader (CommitsPort.getCommitAncestry). No Nest.
 *
 * A Commit has one `parentId`. A merge commit is an ordinary commit on the target whose parent is the
 * target's previous head; the source head it brought in is recorded as a `Merged-Commit: <id>` trailer in
 * its message (as Git records a second parent). Following those trailers makes the source's history part of
 * the target's ancestry, so the next merge between the same branches starts from the last merged commit
 * rather than from the original fork point (which would report every later change as a conflict).
 */
import type { Commit } from '../persistence/models';

/** Loads the first-parent chain from `headCommitId`, head first, at most `limit` commits. */
export type AncestryLoader = (headCommitId: string, limit: number) => Promise<Commit[]>;

export const MERGED_COMMIT_TRAILER = 'Merged-Commit';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const TRAILER_LINE = new RegExp(`^${MERGED_COMMIT_TRAILER}: (${UUID})\\s*$`, 'gm');

/** A merge commit's message: a summary line, then the trailer naming the merged source head. */
export function mergeCommitMessage(summary: string, mergedCommitId: string | null): string {
  return mergedCommitId ? `${summary}\n\n${MERGED_COMMIT_TRAILER}: ${mergedCommitId}` : summary;
}

/** The source heads a commit merged in (empty for an ordinary commit). */
export function mergedCommitIds(commit: Commit): string[] {
  return [...commit.message.matchAll(TRAILER_LINE)].map((m) => m[1].toLowerCase());
}

/** Every parent of a commit in the merge graph: the first parent, then the merged ones. */
function graphParents(commit: Commit): string[] {
  const parents = mergedCommitIds(commit);
  return commit.parentId ? [commit.parentId, ...parents] : parents;
}

/**
 * Page sizes of successive loads of one chain: small first (branches usually meet close to their heads),
 * growing so a deep history costs few round trips.
 */
const PAGE_SIZES = [32, 256, 2048, 10000];

interface Chain {
  next: string | null;
  loads: number;
  done: boolean;
}

/** The part of the graph reachable from one head, loaded lazily chain by chain. */
class SideWalk {
  readonly seen = new Map<string, Commit>();
  /** Commit ids in load order: newest first along each chain, chains in discovery order. */
  readonly order: string[] = [];
  private readonly chains: Chain[] = [];
  private readonly chainOf = new Map<string, Chain>();
  private readonly queued = new Set<string>();

  constructor(heads: (string | null)[]) {
    for (const head of heads) if (head) this.enqueue(head);
  }

  get active(): Chain[] {
    return this.chains.filter((c) => !c.done);
  }

  private enqueue(id: string): void {
    if (this.queued.has(id) || this.seen.has(id)) return;
    this.queued.add(id);
    this.chains.push({ next: id, loads: 0, done: false });
  }

  /** Loads one page of `chain`, stopping it where it meets this side's or `other`'s loaded commits. */
  async advance(chain: Chain, load: AncestryLoader, other: SideWalk | null): Promise<void> {
    if (!chain.next) {
      chain.done = true;
      return;
    }
    const size = PAGE_SIZES[Math.min(chain.loads, PAGE_SIZES.length - 1)];
    chain.loads += 1;
    const page = await load(chain.next, size);
    for (const commit of page) {
      if (this.seen.has(commit.id)) {
        // Joined another chain of this side: the rest is (being) loaded there.
        chain.done = true;
        return;
      }
      this.seen.set(commit.id, commit);
      this.order.push(commit.id);
      this.chainOf.set(commit.id, chain);
      for (const merged of mergedCommitIds(commit)) this.enqueue(merged);
      if (other?.seen.has(commit.id)) {
        // Everything below a commit both sides reach is shared history.
        chain.done = true;
        other.stopChainAt(commit.id);
      }
    }
    if (chain.done) return;
    const last = page[page.length - 1];
    if (page.length < size || !last || !last.parentId) chain.done = true;
    else chain.next = last.parentId;
  }

  stopChainAt(id: string): void {
    const chain = this.chainOf.get(id);
    if (chain) chain.done = true;
  }
}

export interface HistoryComparison {
  /** Newest common ancestor of the two heads, or null when they share no history. */
  baseCommitId: string | null;
  /** Commits reachable from the source head but not from the shared history, in load order. */
  sourceOnly: Commit[];
  /** Same for the target. */
  targetOnly: Commit[];
  /** The source head is already part of the target's history: there is nothing to merge. */
  sourceAlreadyMerged: boolean;
}

/**
 * Compares the histories of two heads. Both sides are loaded page by page, alternately, and each chain
 * stops where it meets the other side's history, so two branches that forked recently cost a few small
 * queries however deep the shared history is.
 */
export async function compareHistories(
  load: AncestryLoader,
  sourceHead: string | null,
  targetHead: string | null,
): Promise<HistoryComparison> {
  const source = new SideWalk([sourceHead]);
  const target = new SideWalk([targetHead]);
  while (source.active.length > 0 || target.active.length > 0) {
    for (const chain of source.active) await source.advance(chain, load, target);
    for (const chain of target.active) await target.advance(chain, load, source);
  }

  const all = new Map<string, Commit>([...source.seen, ...target.seen]);
  const common = source.order.filter((id) => target.seen.has(id));
  const belowCommon = strictAncestors(common, all);
  const base = common.find((id) => !belowCommon.has(id)) ?? null;
  const unique = (side: SideWalk): Commit[] =>
    side.order
      .filter((id) => !belowCommon.has(id) && !(source.seen.has(id) && target.seen.has(id)))
      .map((id) => side.seen.get(id) as Commit);
  return {
    baseCommitId: base,
    sourceOnly: unique(source),
    targetOnly: unique(target),
    sourceAlreadyMerged: sourceHead === null || target.seen.has(sourceHead) || belowCommon.has(sourceHead),
  };
}

/** Loaded commits reachable from the parents of `roots` (the roots themselves only when reachable so). */
function strictAncestors(roots: string[], all: Map<string, Commit>): Set<string> {
  const reached = new Set<string>();
  const stack: string[] = [];
  for (const id of roots) {
    const commit = all.get(id);
    if (commit) stack.push(...graphParents(commit));
  }
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (reached.has(id)) continue;
    const commit = all.get(id);
    if (!commit) continue;
    reached.add(id);
    stack.push(...graphParents(commit));
  }
  return reached;
}

/**
 * Whether `commitId` is in the history of any of `heads` (merge trailers followed). Stops as soon as it is
 * found; commits shared by several heads are loaded once.
 */
export async function isInHistory(load: AncestryLoader, heads: (string | null)[], commitId: string): Promise<boolean> {
  if (heads.includes(commitId)) return true;
  const walk = new SideWalk(heads);
  while (walk.active.length > 0) {
    for (const chain of walk.active) {
      await walk.advance(chain, load, null);
      if (walk.seen.has(commitId)) return true;
    }
  }
  return false;
}
