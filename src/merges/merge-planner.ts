import { Injectable } from '@nestjs/common';
import { qualifiedAssetName, type Asset, type Branch, type Commit } from '../persistence/models';
import { AssetsPort, CommitsPort } from '../persistence/ports';
import { compareHistories } from './commit-graph';
import { AssetState, ConflictDecision, MergeOutcome, sameContent, threeWayMerge } from './three-way-merge';

/** What merging `source` into `target` would do, computed from the branches as they are now. */
export interface MergePlan {
  sourceHeadCommitId: string | null;
  targetHeadCommitId: string | null;
  baseCommitId: string | null;
  /** The source head is already in the target's history: no merge commit is needed. */
  alreadyMerged: boolean;
  outcome: MergeOutcome;
}

/** Ancestry page size when looking up asset states at the merge base. */
const BASE_SCAN_PAGE = 2048;

/**
 * Builds the inputs of the three-way merge from the store (DESIGN §2.6).
 *
 * The assets that can need anything are those touched (Put or Delete) by a commit that only the source has.
 * For such an asset that the target did not touch either, the target still holds the base state, so the
 * target's current state stands in for the base and no history has to be read. Only for an asset touched on
 * both sides, whose states now differ, is the base state read: the newest operation on it in the base
 * commit's history (branch content is the replay of its first-parent history; merge commits record what
 * they applied). Assets touched only on the target keep their target state.
 *
 * Working from the commits rather than from whole-branch differences is what makes a partial branch (created
 * with a few of the source's assets) merge back without deleting the assets it never had.
 */
@Injectable()
export class MergePlanner {
  constructor(
    private readonly commits: CommitsPort,
    private readonly assets: AssetsPort,
  ) {}

  async plan(
    tenantId: string,
    catalog: string,
    source: Branch,
    target: Branch,
    decisions?: ReadonlyMap<string, ConflictDecision>,
  ): Promise<MergePlan> {
    const load = (head: string, limit: number) => this.commits.getCommitAncestry(tenantId, head, limit);
    const histories = await compareHistories(load, source.headCommitId, target.headCommitId);
    const plan: MergePlan = {
      sourceHeadCommitId: source.headCommitId,
      targetHeadCommitId: target.headCommitId,
      baseCommitId: histories.baseCommitId,
      alreadyMerged: histories.sourceAlreadyMerged,
      outcome: { puts: [], deletes: [], conflicts: [], resolvedKeys: [] },
    };
    if (histories.sourceAlreadyMerged) return plan;
    const touchedOnSource = touchedKeys(histories.sourceOnly);
    if (touchedOnSource.size === 0) return plan;
    const touchedOnTarget = touchedKeys(histories.targetOnly);

    const [sourceStates, targetStates] = await Promise.all([
      this.statesOf(tenantId, catalog, source.name),
      this.statesOf(tenantId, catalog, target.name),
    ]);
    const base = new Map<string, AssetState>();
    const sourceSide = new Map<string, AssetState>();
    const targetSide = new Map<string, AssetState>();
    const needBase: string[] = [];
    for (const key of touchedOnSource) {
      const s = sourceStates.get(key) ?? null;
      const t = targetStates.get(key) ?? null;
      if (s) sourceSide.set(key, s);
      if (t) targetSide.set(key, t);
      if (!touchedOnTarget.has(key)) {
        if (t) base.set(key, t);
      } else if (!sameContent(s, t)) {
        needBase.push(key);
      }
    }
    const baseStates = await this.statesAtCommit(tenantId, histories.baseCommitId, needBase);
    for (const [key, state] of baseStates) base.set(key, state);
    plan.outcome = threeWayMerge(base, sourceSide, targetSide, decisions);
    return plan;
  }

  private async statesOf(tenantId: string, catalog: string, branch: string): Promise<Map<string, AssetState>> {
    const rows = await this.assets.listAssets(tenantId, catalog, branch);
    return new Map(rows.map((row) => [qualifiedAssetName(row.namespace, row.name), toState(row)]));
  }

  /** States of `keys` as of `commitId` (absent keys are left out), from the newest operation on each. */
  private async statesAtCommit(tenantId: string, commitId: string | null, keys: string[]): Promise<Map<string, AssetState>> {
    const found = new Map<string, AssetState>();
    const pending = new Set(keys);
    let next = commitId;
    while (next && pending.size > 0) {
      const page = await this.commits.getCommitAncestry(tenantId, next, BASE_SCAN_PAGE);
      for (const commit of page) {
        for (const operation of [...commit.operations].reverse()) {
          const key = operationKey(operation);
          if (!pending.has(key)) continue;
          pending.delete(key);
          if ('Put' in operation) found.set(key, { ...operation.Put.asset });
        }
        if (pending.size === 0) break;
      }
      const last = page[page.length - 1];
      next = page.length === BASE_SCAN_PAGE && last ? last.parentId : null;
    }
    return found;
  }
}

function toState(asset: Asset): AssetState {
  return {
    id: asset.id,
    namespace: asset.namespace,
    name: asset.name,
    kind: asset.kind,
    location: asset.location,
    properties: asset.properties,
  };
}

function operationKey(operation: Commit['operations'][number]): string {
  return 'Put' in operation
    ? qualifiedAssetName(operation.Put.asset.namespace, operation.Put.asset.name)
    : operation.Delete.name;
}

function touchedKeys(commits: Commit[]): Set<string> {
  const keys = new Set<string>();
  for (const commit of commits) for (const operation of commit.operations) keys.add(operationKey(operation));
  return keys;
}
