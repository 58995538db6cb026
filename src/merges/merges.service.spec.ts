import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { openMemoryPersistence } from '../persistence/memory/memory-persistence';
import { DEFAULT_TENANT_ID, type StringMap } from '../persistence/models';
import type { PersistencePorts } from '../persistence/persistence-ports';
import { MergePlanner } from './merge-planner';
import { conflictAssetName, MergesService } from './merges.service';

/**
 * The merge service on the real in-memory store. Branch contents are changed through the one write path
 * (UnitOfWorkPort.commitChanges) with generic assets, whose properties can be set freely, so every cell of
 * the truth table (including property-level merges) is reachable.
 */
const principal: Principal = {
  tenantId: DEFAULT_TENANT_ID,
  userId: '00000000-0000-0000-0000-000000000000',
  username: 'tester',
  role: 'root',
};

describe('MergesService', () => {
  let ports: PersistencePorts;
  let service: MergesService;
  let catalog: string;

  beforeEach(async () => {
    ports = await openMemoryPersistence();
    service = new MergesService(
      ports.catalogs,
      ports.branches,
      ports.mergeOperations,
      ports.unitOfWork,
      new MergePlanner(ports.commits, ports.assets),
    );
    catalog = `cat_${randomUUID().slice(0, 8)}`;
    await ports.catalogs.createCatalog({
      id: randomUUID(),
      tenantId: DEFAULT_TENANT_ID,
      name: catalog,
      catalogType: 'Local',
      warehouseName: null,
      storageLocation: null,
      federatedConfig: null,
      properties: {},
    });
  });

  async function put(branch: string, name: string, properties: StringMap, location = `s3://b/${name}`): Promise<void> {
    await ports.unitOfWork.commitChanges(
      DEFAULT_TENANT_ID,
      catalog,
      branch,
      { puts: [{ namespace: ['ns'], name, kind: 'PARQUET_TABLE', location, properties }], deletes: [], expectations: [] },
      { author: 'test', message: `put ${name}` },
    );
  }

  async function del(branch: string, name: string): Promise<void> {
    await ports.unitOfWork.commitChanges(
      DEFAULT_TENANT_ID,
      catalog,
      branch,
      { puts: [], deletes: [{ namespace: ['ns'], name }], expectations: [] },
      { author: 'test', message: `delete ${name}` },
    );
  }

  async function state(branch: string, name: string) {
    const asset = await ports.assets.getAsset(DEFAULT_TENANT_ID, catalog, branch, ['ns'], name);
    return asset ? { location: asset.location, properties: asset.properties } : null;
  }

  async function branchFromMain(name: string, assets?: string[]): Promise<void> {
    await ports.branches.createBranch(DEFAULT_TENANT_ID, catalog, {
      name,
      branchType: 'experimental',
      fromBranch: 'main',
      assets: assets?.map((a) => ({ namespace: ['ns'], name: a })),
    });
  }

  const mergeDevIntoMain = () => service.merge(principal, { catalog, sourceBranch: 'dev', targetBranch: 'main' });

  it('applies every non-conflicting cell of the truth table in one merge commit', async () => {
    for (const name of ['src', 'tgt', 'same', 'del_src', 'del_tgt', 'del_both', 'props']) await put('main', name, { v: '0' });
    await put('main', 'props', { a: '0', b: '0' });
    await branchFromMain('dev');
    await put('dev', 'src', { v: 'dev' });
    await put('main', 'tgt', { v: 'main' });
    await put('dev', 'same', { v: 'both' });
    await put('main', 'same', { v: 'both' });
    await del('dev', 'del_src');
    await del('main', 'del_tgt');
    await del('dev', 'del_both');
    await del('main', 'del_both');
    await put('dev', 'added', { v: 'dev' });
    await put('dev', 'added_same', { v: 'x' }, 's3://same');
    await put('main', 'added_same', { v: 'x' }, 's3://same');
    // Different properties of one asset changed on each side: merged property by property.
    await put('dev', 'props', { a: 'dev', b: '0' });
    await put('main', 'props', { a: '0', b: 'main', c: 'new' });
    const mainHead = (await ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main'))?.headCommitId;

    const result = await mergeDevIntoMain();
    expect(result.status).toBe('completed');
    expect(await state('main', 'src')).toMatchObject({ properties: { v: 'dev' } });
    expect(await state('main', 'tgt')).toMatchObject({ properties: { v: 'main' } });
    expect(await state('main', 'same')).toMatchObject({ properties: { v: 'both' } });
    expect(await state('main', 'del_src')).toBeNull();
    expect(await state('main', 'del_tgt')).toBeNull();
    expect(await state('main', 'del_both')).toBeNull();
    expect(await state('main', 'added')).toMatchObject({ properties: { v: 'dev' } });
    expect(await state('main', 'added_same')).toMatchObject({ location: 's3://same' });
    expect(await state('main', 'props')).toEqual({ location: 's3://b/props', properties: { a: 'dev', b: 'main', c: 'new' } });

    const [mergeCommit] = await ports.commits.getCommitAncestry(DEFAULT_TENANT_ID, result.operation.resultCommitId, 1);
    expect(mergeCommit.parentId).toBe(mainHead);
    const applied = mergeCommit.operations.map((op) => ('Put' in op ? `put ${op.Put.asset.name}` : `delete ${op.Delete.name}`));
    expect(applied.sort()).toEqual(['delete ns.del_src', 'put added', 'put props', 'put src']);
  });

  it('stores conflicts of every type and settles them by the recorded strategies', async () => {
    for (const name of ['schema', 'meta', 'del_src', 'del_tgt', 'manual']) await put('main', name, { owner: 'a', keep: 'k' });
    await branchFromMain('dev');
    await put('dev', 'schema', { owner: 'a', keep: 'k' }, 's3://dev-location');
    await put('main', 'schema', { owner: 'a', keep: 'k' }, 's3://main-location');
    await put('dev', 'meta', { owner: 'dev', keep: 'k', tier: 'gold' });
    await put('main', 'meta', { owner: 'main', keep: 'k', tier: 'silver' });
    await del('dev', 'del_src');
    await put('main', 'del_src', { owner: 'main', keep: 'k' });
    await put('dev', 'del_tgt', { owner: 'dev', keep: 'k' });
    await del('main', 'del_tgt');
    await put('dev', 'manual', { owner: 'dev' });
    await put('main', 'manual', { owner: 'main' });

    const result = await mergeDevIntoMain();
    if (result.status !== 'conflicted') throw new Error('expected conflicts');
    expect(result.conflictCount).toBe(5);
    const conflicts = await service.conflicts(principal, result.operation.id, {});
    const byName = new Map(conflicts.map((c) => [conflictAssetName(c), c]));
    expect(Object.keys(byName.get('ns.schema')!.conflictType)).toEqual(['SchemaChange']);
    expect(byName.get('ns.meta')!.conflictType).toEqual({
      MetadataConflict: { asset_name: 'ns.meta', conflicting_properties: ['owner', 'tier'] },
    });
    expect(byName.get('ns.del_src')!.conflictType).toEqual({
      DeletionConflict: { asset_name: 'ns.del_src', deleted_in: 'source', modified_in: 'target' },
    });
    expect(byName.get('ns.del_tgt')!.conflictType).toEqual({
      DeletionConflict: { asset_name: 'ns.del_tgt', deleted_in: 'target', modified_in: 'source' },
    });

    await expect(service.complete(principal, result.operation.id)).rejects.toThrow(ConflictError);
    await service.resolve(principal, byName.get('ns.schema')!.id, 'TakeTarget', undefined);
    await service.resolve(principal, byName.get('ns.meta')!.id, 'TakeSource', undefined);
    await service.resolve(principal, byName.get('ns.del_src')!.id, 'TakeSource', undefined);
    await service.resolve(principal, byName.get('ns.del_tgt')!.id, 'TakeSource', undefined);
    await expect(service.resolve(principal, byName.get('ns.manual')!.id, 'Manual', undefined)).rejects.toThrow(ValidationError);
    await expect(service.resolve(principal, byName.get('ns.manual')!.id, 'AutoMerge', undefined)).rejects.toThrow(ValidationError);
    expect((await service.get(principal, result.operation.id)).status).toBe('Conflicted');
    await service.resolve(principal, byName.get('ns.manual')!.id, 'Manual', { location: 's3://chosen', properties: { owner: 'both' } });
    expect((await service.get(principal, result.operation.id)).status).toBe('Ready');

    const completed = await service.complete(principal, result.operation.id);
    expect(completed).toMatchObject({ status: 'Completed', resultCommitId: expect.any(String), completedAt: expect.any(Date) });
    expect(await state('main', 'schema')).toMatchObject({ location: 's3://main-location' });
    expect(await state('main', 'meta')).toMatchObject({ properties: { owner: 'dev', keep: 'k', tier: 'gold' } });
    expect(await state('main', 'del_src')).toBeNull();
    expect(await state('main', 'del_tgt')).toEqual({ location: 's3://b/del_tgt', properties: { owner: 'dev', keep: 'k' } });
    expect(await state('main', 'manual')).toEqual({ location: 's3://chosen', properties: { owner: 'both' } });
    const head = (await ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main'))?.headCommitId;
    expect(completed.resultCommitId).toBe(head);
  });

  it('lets exactly one of two concurrent completions apply the merge', async () => {
    await put('main', 'x', { v: '0' });
    await branchFromMain('dev');
    await put('dev', 'x', { v: 'dev' });
    await put('main', 'x', { v: 'main' });
    const result = await mergeDevIntoMain();
    const [conflict] = await service.conflicts(principal, result.operation.id, {});
    await service.resolve(principal, conflict.id, 'TakeSource', undefined);
    const mainHead = (await ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main'))?.headCommitId;

    const outcomes = await Promise.allSettled([
      service.complete(principal, result.operation.id),
      service.complete(principal, result.operation.id),
      service.abort(principal, result.operation.id),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const failed of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(failed.reason).toBeInstanceOf(ConflictError);
    }
    const final = await service.get(principal, result.operation.id);
    const history = await ports.commits.getCommitAncestry(DEFAULT_TENANT_ID, final.resultCommitId ?? mainHead ?? null, 10);
    if (final.status === 'Completed') {
      // Applied once: one merge commit on top of the old head.
      expect(history[0].parentId).toBe(mainHead);
      expect(await state('main', 'x')).toMatchObject({ properties: { v: 'dev' } });
    } else {
      expect(final.status).toBe('Aborted');
      expect((await ports.branches.getBranch(DEFAULT_TENANT_ID, catalog, 'main'))?.headCommitId).toBe(mainHead);
    }
  });

  it('fails cleanly when the target moved between planning and writing', async () => {
    await put('main', 'x', { v: '0' });
    await branchFromMain('dev');
    await put('dev', 'x', { v: 'dev' });
    // The planner reads the target head; a commit lands on the target before the merge commit is written.
    const planner = new MergePlanner(ports.commits, ports.assets);
    const racing = new MergesService(ports.catalogs, ports.branches, ports.mergeOperations, ports.unitOfWork, {
      plan: async (...args: Parameters<MergePlanner['plan']>) => {
        const plan = await planner.plan(...args);
        await put('main', 'y', { v: 'concurrent' });
        return plan;
      },
    } as MergePlanner);
    await expect(racing.merge(principal, { catalog, sourceBranch: 'dev', targetBranch: 'main' })).rejects.toThrow(ConflictError);
    expect(await state('main', 'x')).toMatchObject({ properties: { v: '0' } });
    expect(await state('main', 'y')).toMatchObject({ properties: { v: 'concurrent' } });
    const [operation] = await service.list(principal, catalog, {});
    expect(operation).toMatchObject({ status: 'Aborted', completedAt: expect.any(Date), resultCommitId: null });
  });

  it('merges repeatedly in both directions without false conflicts', async () => {
    await put('main', 'x', { v: '0' });
    await branchFromMain('dev');
    for (let round = 1; round <= 3; round++) {
      await put('dev', 'x', { v: `dev${round}` });
      expect((await mergeDevIntoMain()).status).toBe('completed');
      expect(await state('main', 'x')).toMatchObject({ properties: { v: `dev${round}` } });
      await put('main', 'x', { v: `main${round}` });
      expect((await service.rebase(principal, catalog, 'dev')).status).toBe('completed');
      expect(await state('dev', 'x')).toMatchObject({ properties: { v: `main${round}` } });
    }
  });

  it('a partial branch merged back keeps the assets it never had', async () => {
    for (const name of ['a', 'b', 'c']) await put('main', name, { v: '0' });
    await branchFromMain('dev', ['b']);
    await put('dev', 'b', { v: 'dev' });
    expect((await mergeDevIntoMain()).status).toBe('completed');
    expect(await state('main', 'a')).not.toBeNull();
    expect(await state('main', 'b')).toMatchObject({ properties: { v: 'dev' } });
    expect(await state('main', 'c')).not.toBeNull();
  });

  it('refuses unknown operations and conflicts, and foreign tenants', async () => {
    await expect(service.get(principal, randomUUID())).rejects.toThrow(NotFoundError);
    await expect(service.resolve(principal, randomUUID(), 'TakeSource', undefined)).rejects.toThrow(NotFoundError);
    await put('main', 'x', { v: '0' });
    await branchFromMain('dev');
    await put('dev', 'x', { v: '1' });
    const result = await mergeDevIntoMain();
    const stranger: Principal = { ...principal, tenantId: randomUUID() };
    await expect(service.get(stranger, result.operation.id)).rejects.toThrow(NotFoundError);
    await expect(service.abort(stranger, result.operation.id)).rejects.toThrow(NotFoundError);
    await expect(service.merge(principal, { catalog, sourceBranch: 'nope', targetBranch: 'main' })).rejects.toThrow(NotFoundError);
  });
});
