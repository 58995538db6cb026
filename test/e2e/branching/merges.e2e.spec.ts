import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { describeEachBackend } from '../../support/app-harness';
import {
  BRANCHING,
  branchOf,
  createBranch,
  createCatalog,
  expectError,
  expectParentChain,
  expectStatus,
  history,
  merge,
  OFFSET_TIMESTAMP,
  registerAsset,
  Tables,
  uniqueName,
  UUID_PATTERN,
  Z_TIMESTAMP,
} from './branching-helpers';

describeEachBackend('three-way merge', (ctx) => {
  ctx.itWith(BRANCHING, 'applies one-sided changes to the target and leaves agreed or target-only changes alone', async () => {
    const catalog = await createCatalog(ctx.http);
    const t = new Tables(ctx.http, catalog);
    await t.createNamespace();
    for (const name of ['src_only', 'tgt_only', 'del_src', 'del_tgt', 'del_both', 'untouched']) await t.create(name);
    const sameFirst = await t.create('same_change');
    await t.commit('same_change', 'main', { v: '2' });
    const untouchedLocation = (await t.metadataLocation('untouched', 'main')) as string;
    // A metadata file no branch uses any more (the table was dropped without purge), registered on both sides.
    const goneLocation = await t.create('gone');
    await t.drop('gone', 'main');
    const base = await branchOf(ctx.http, catalog, 'main');
    await createBranch(ctx.http, catalog, 'dev');

    // Source (dev) side.
    const srcOnly = await t.commit('src_only', 'dev', { side: 'source' });
    await t.drop('del_src', 'dev');
    await t.drop('del_both', 'dev');
    const added = await t.create('add_src', 'dev');
    await t.drop('same_change', 'dev');
    await t.register('same_change', 'dev', sameFirst);
    await t.register('add_both_same', 'dev', goneLocation);
    // Target (main) side.
    const tgtOnly = await t.commit('tgt_only', 'main', { side: 'target' });
    await t.drop('del_tgt', 'main');
    await t.drop('del_both', 'main');
    await t.drop('same_change', 'main');
    await t.register('same_change', 'main', sameFirst);
    await t.register('add_both_same', 'main', goneLocation);
    const mainBefore = await branchOf(ctx.http, catalog, 'main');
    const devBefore = await branchOf(ctx.http, catalog, 'dev');

    const res = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);
    const mainAfter = await branchOf(ctx.http, catalog, 'main');
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID_PATTERN),
      tenant_id: DEFAULT_TENANT_ID,
      catalog_name: catalog,
      source_branch: 'dev',
      target_branch: 'main',
      base_commit_id: base.head_commit_id,
      status: 'Completed',
      conflicts: [],
      initiated_by: expect.stringMatching(UUID_PATTERN),
      initiated_at: expect.stringMatching(Z_TIMESTAMP),
      completed_at: expect.stringMatching(Z_TIMESTAMP),
      result_commit_id: mainAfter.head_commit_id,
    });

    // Changed on source only: taken. Changed on target only, or identically on both: kept.
    expect(await t.metadataLocation('src_only', 'main')).toBe(srcOnly);
    expect(await t.metadataLocation('tgt_only', 'main')).toBe(tgtOnly);
    expect(await t.metadataLocation('same_change', 'main')).toBe(sameFirst);
    expect(await t.metadataLocation('add_both_same', 'main')).toBe(goneLocation);
    expect(await t.metadataLocation('untouched', 'main')).toBe(untouchedLocation);
    // Deleted on source only: deleted. Deleted on target only or on both: stays deleted.
    expect(await t.metadataLocation('del_src', 'main')).toBeNull();
    expect(await t.metadataLocation('del_tgt', 'main')).toBeNull();
    expect(await t.metadataLocation('del_both', 'main')).toBeNull();
    // Added on source only: added.
    expect(await t.metadataLocation('add_src', 'main')).toBe(added);
    expect(mainAfter.assets).toEqual(
      ['add_both_same', 'add_src', 'same_change', 'src_only', 'tgt_only', 'untouched'].map((n) => `ns.${n}`),
    );
    // The source is not touched by the merge.
    expect(await branchOf(ctx.http, catalog, 'dev')).toEqual(devBefore);

    // ONE merge commit on the target, on top of its previous head, recording exactly the applied changes.
    const [mergeCommit, previous] = await history(ctx.http, catalog, 'main', '&limit=2');
    expect(mergeCommit.id).toBe(res.body.result_commit_id);
    expect(mergeCommit.parent_id).toBe(mainBefore.head_commit_id);
    expect(previous.id).toBe(mainBefore.head_commit_id);
    expect(mergeCommit.message.split('\n')[0]).toBe("Merge branch 'dev' into 'main'");
    const summary = mergeCommit.operations.map((op) => ('Put' in op ? `put ${op.Put.asset.name}` : `delete ${op.Delete.name}`));
    expect(summary.sort()).toEqual(['delete ns.del_src', 'put add_src', 'put src_only']);
    expectParentChain(await history(ctx.http, catalog, 'main'));

    const ops = expectStatus(await ctx.http.get(`/api/v1/catalogs/${catalog}/merge-operations`), 200).body;
    expect(ops).toEqual([
      {
        id: res.body.id,
        status: 'Completed',
        source_branch: 'dev',
        target_branch: 'main',
        conflicts_count: 0,
        initiated_at: expect.stringMatching(OFFSET_TIMESTAMP),
        completed_at: expect.stringMatching(OFFSET_TIMESTAMP),
      },
    ]);
    expect(expectStatus(await ctx.http.get(`/api/v1/merge-operations/${res.body.id}`), 200).body).toEqual(res.body);
  });

  ctx.itWith(BRANCHING, 'merging again only brings what changed since the last merge, without false conflicts', async () => {
    const catalog = await createCatalog(ctx.http);
    const t = new Tables(ctx.http, catalog);
    await t.createNamespace();
    await t.create('shared');
    await t.create('other');
    await createBranch(ctx.http, catalog, 'dev');
    await t.commit('shared', 'dev', { round: '1' });
    expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);

    // Nothing new on dev: already merged, no new commit.
    const mainHead = (await branchOf(ctx.http, catalog, 'main')).head_commit_id;
    const again = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);
    expect(again.body.status).toBe('Completed');
    expect(again.body.result_commit_id).toBe(mainHead);
    expect((await branchOf(ctx.http, catalog, 'main')).head_commit_id).toBe(mainHead);

    // dev changes the merged table again, main changes it nowhere: dev's new version wins.
    const round2 = await t.commit('shared', 'dev', { round: '2' });
    // main changes another table after the merge: kept.
    const otherOnMain = await t.commit('other', 'main', { by: 'main' });
    expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);
    expect(await t.metadataLocation('shared', 'main')).toBe(round2);
    expect(await t.metadataLocation('other', 'main')).toBe(otherOnMain);

    // main changes the merged table, dev does not: bringing main into dev takes main's version.
    const mainVersion = await t.commit('shared', 'main', { round: 'main' });
    const rebase = await ctx.http.post('/api/v1/branches/dev/rebase').send({ catalog });
    expectStatus(rebase, 200);
    expect(rebase.text).toBe('');
    expect(await t.metadataLocation('shared', 'dev')).toBe(mainVersion);
    expect(await t.metadataLocation('other', 'dev')).toBe(otherOnMain);
    // And merging dev back is now a no-op for that table.
    expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);
    expect(await t.metadataLocation('shared', 'main')).toBe(mainVersion);
  });

  ctx.itWith(BRANCHING, 'a partial branch merges back without deleting the assets it never had', async () => {
    const catalog = await createCatalog(ctx.http);
    const t = new Tables(ctx.http, catalog);
    await t.createNamespace();
    for (const name of ['a', 'b', 'c']) await t.create(name);
    await registerAsset(ctx.http, catalog, 'ns', 'model', { kind: 'ML_MODEL' });
    await createBranch(ctx.http, catalog, 'partial', { assets: ['ns.b'] });
    const changed = await t.commit('b', 'partial', { on: 'partial' });
    expectStatus(await merge(ctx.http, catalog, 'partial', 'main'), 200);
    expect((await branchOf(ctx.http, catalog, 'main')).assets).toEqual(['ns.a', 'ns.b', 'ns.c', 'ns.model']);
    expect(await t.metadataLocation('b', 'main')).toBe(changed);
  });

  it('merges branches without shared history, with and without conflicts', async () => {
    const catalog = await createCatalog(ctx.http);
    const t = new Tables(ctx.http, catalog);
    await t.createNamespace();
    // dev is created empty by the first table written to it (fork-on-write): no history shared with main.
    const onDev = await t.create('x', 'dev');
    const res = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 200);
    expect(res.body.base_commit_id).toBeNull();
    expect(await t.metadataLocation('x', 'main')).toBe(onDev);

    // Added on both sides with different content: a conflict, settled for the source.
    const onFeature = await t.create('y', 'feature');
    await t.create('y', 'main');
    const conflict = expectStatus(await merge(ctx.http, catalog, 'feature', 'main'), 409).body;
    expect(conflict).toMatchObject({ status: 'conflicted', conflicts: 1 });
    const [only] = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${conflict.operation_id}/conflicts`), 200).body;
    expect(Object.keys(only.conflict_type)).toEqual(['SchemaChange']);
    expectStatus(await ctx.http.post(`/api/v1/conflicts/${only.id}/resolve`).send({ strategy: 'TakeSource' }), 200);
    const done = expectStatus(await ctx.http.post(`/api/v1/merge-operations/${conflict.operation_id}/complete`), 200).body;
    expect(await t.metadataLocation('y', 'main')).toBe(onFeature);
    const [head] = await history(ctx.http, catalog, 'main', '&limit=1');
    expect(head.id).toBe(done.commit_id);
    const operations = expectStatus(await ctx.http.get(`/api/v1/catalogs/${catalog}/merge-operations`), 200).body;
    expect(operations.map((o: { status: string }) => o.status)).toEqual(['Completed', 'Completed']);
  });

  ctx.itWith(BRANCHING, 'validates merge requests', async () => {
    const catalog = await createCatalog(ctx.http);
    await createBranch(ctx.http, catalog, 'dev');
    expectError(await merge(ctx.http, catalog, 'nope', 'main'), 404, /nope/);
    expectError(await merge(ctx.http, catalog, 'dev', 'nope'), 404, /nope/);
    expectError(await merge(ctx.http, uniqueName('none'), 'dev', 'main'), 404);
    expectError(await merge(ctx.http, catalog, 'dev', 'dev'), 400);
    expectError(await ctx.http.post('/api/v1/branches/merge').send({ catalog, source_branch: 'dev' }), 422);
    expectError(await ctx.http.post('/api/v1/branches/nope/rebase').send({ catalog }), 404);
    expectError(await ctx.http.post('/api/v1/branches/dev/rebase').send({ name: 'dev' }), 422);
    expectError(await ctx.http.post('/api/v1/branches/main/rebase').send({ catalog }), 400);
    // Failed requests leave no operation behind.
    expect(expectStatus(await ctx.http.get(`/api/v1/catalogs/${catalog}/merge-operations`), 200).body).toEqual([]);
  });
});

describeEachBackend('merge conflicts', (ctx) => {
  /** main and dev diverge on every conflicting case of the truth table, plus one clean change on dev. */
  async function conflictingBranches() {
    const catalog = await createCatalog(ctx.http);
    const t = new Tables(ctx.http, catalog);
    await t.createNamespace();
    for (const name of ['both_changed', 'del_src_mod_tgt', 'mod_src_del_tgt', 'clean']) await t.create(name);
    await createBranch(ctx.http, catalog, 'dev');
    const locations = {
      bothChangedSource: await t.commit('both_changed', 'dev', { by: 'dev' }),
      bothChangedTarget: await t.commit('both_changed', 'main', { by: 'main' }),
      modifiedOnTarget: await t.commit('del_src_mod_tgt', 'main', { by: 'main' }),
      modifiedOnSource: await t.commit('mod_src_del_tgt', 'dev', { by: 'dev' }),
      addedOnSource: await t.create('added_both', 'dev'),
      addedOnTarget: await t.create('added_both', 'main'),
      clean: await t.commit('clean', 'dev', { by: 'dev' }),
    };
    await t.drop('del_src_mod_tgt', 'dev');
    await t.drop('mod_src_del_tgt', 'main');
    return { catalog, t, locations };
  }

  ctx.itWith(BRANCHING, 'the whole lifecycle: 409, conflicts, resolutions, complete, history', async () => {
    const { catalog, t, locations } = await conflictingBranches();
    const mainBefore = await branchOf(ctx.http, catalog, 'main');

    const res = await merge(ctx.http, catalog, 'dev', 'main');
    expectStatus(res, 409);
    expect(res.body).toEqual({
      status: 'conflicted',
      operation_id: expect.stringMatching(UUID_PATTERN),
      conflicts: 4,
      message: 'Merge has 4 conflicts that need resolution',
    });
    const operationId: string = res.body.operation_id;
    // Nothing was applied, not even the clean change.
    expect(await branchOf(ctx.http, catalog, 'main')).toEqual(mainBefore);

    const operation = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(operation).toMatchObject({ status: 'Conflicted', result_commit_id: null, completed_at: null });
    expect(operation.conflicts).toHaveLength(4);

    const conflicts = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}/conflicts`), 200).body;
    expect(conflicts.map((c: { id: string }) => c.id).sort()).toEqual([...operation.conflicts].sort());
    const byAsset = new Map<string, any>(
      conflicts.map((c: any) => [(Object.values(c.conflict_type)[0] as { asset_name: string }).asset_name, c]),
    );
    const bothChanged = byAsset.get('ns.both_changed');
    expect(bothChanged).toEqual({
      id: expect.stringMatching(UUID_PATTERN),
      merge_operation_id: operationId,
      conflict_type: {
        SchemaChange: {
          asset_name: 'ns.both_changed',
          source_schema: expect.objectContaining({ metadata_location: locations.bothChangedSource }),
          target_schema: expect.objectContaining({ metadata_location: locations.bothChangedTarget }),
        },
      },
      asset_id: expect.stringMatching(UUID_PATTERN),
      description: expect.any(String),
      resolution: null,
      created_at: expect.stringMatching(Z_TIMESTAMP),
    });
    expect(byAsset.get('ns.del_src_mod_tgt').conflict_type).toEqual({
      DeletionConflict: { asset_name: 'ns.del_src_mod_tgt', deleted_in: 'source', modified_in: 'target' },
    });
    expect(byAsset.get('ns.mod_src_del_tgt').conflict_type).toEqual({
      DeletionConflict: { asset_name: 'ns.mod_src_del_tgt', deleted_in: 'target', modified_in: 'source' },
    });
    expect(Object.keys(byAsset.get('ns.added_both').conflict_type)).toEqual(['SchemaChange']);
    const page = await ctx.http.get(`/api/v1/merge-operations/${operationId}/conflicts?limit=1&offset=1`);
    expect(expectStatus(page, 200).body).toEqual([conflicts[1]]);

    // Not resolved yet: complete is refused.
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`), 409, /not resolved/);

    const resolve = (conflictId: string, body: Record<string, unknown>) =>
      ctx.http.post(`/api/v1/conflicts/${conflictId}/resolve`).send(body);
    expectError(await resolve(randomUUID(), { strategy: 'TakeSource' }), 404);
    expectError(await resolve('not-a-uuid', { strategy: 'TakeSource' }), 400);
    expectError(await resolve(bothChanged.id, { strategy: 'Sideways' }), 422);
    expectError(await resolve(bothChanged.id, { strategy: 'Manual' }), 400, /resolved_value/);
    expectError(await resolve(bothChanged.id, { strategy: 'Manual', resolved_value: { kind: 'NOPE' } }), 400);
    expectError(await resolve(bothChanged.id, { strategy: 'AutoMerge' }), 400);

    const ok = await resolve(bothChanged.id, { strategy: 'TakeSource' });
    expect(expectStatus(ok, 200).body).toEqual({ status: 'resolved', conflict_id: bothChanged.id });
    expectStatus(await resolve(byAsset.get('ns.del_src_mod_tgt').id, { strategy: 'source' }), 200);
    expectStatus(await resolve(byAsset.get('ns.mod_src_del_tgt').id, { strategy: 'TakeTarget' }), 200);
    let current = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(current.status).toBe('Conflicted');
    const manualProperties = { metadata_location: locations.addedOnSource, chosen: 'by hand' };
    expectStatus(
      await resolve(byAsset.get('ns.added_both').id, { strategy: 'Manual', resolved_value: { properties: manualProperties } }),
      200,
    );
    current = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(current.status).toBe('Ready');

    const resolved = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}/conflicts`), 200).body;
    const manual = resolved.find((c: { id: string }) => c.id === byAsset.get('ns.added_both').id);
    expect(manual.resolution).toEqual({
      conflict_id: manual.id,
      strategy: 'Manual',
      resolved_value: { properties: manualProperties },
      resolved_by: expect.stringMatching(UUID_PATTERN),
      resolved_at: expect.stringMatching(Z_TIMESTAMP),
    });
    expect(resolved.find((c: { id: string }) => c.id === byAsset.get('ns.del_src_mod_tgt').id).resolution.strategy).toBe(
      'TakeSource',
    );

    const completed = await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`).send({});
    expectStatus(completed, 200);
    const mainAfter = await branchOf(ctx.http, catalog, 'main');
    expect(completed.body).toEqual({ status: 'completed', operation_id: operationId, commit_id: mainAfter.head_commit_id });

    // The resolutions decided the outcome.
    expect(await t.metadataLocation('both_changed', 'main')).toBe(locations.bothChangedSource); // TakeSource
    expect(await t.metadataLocation('del_src_mod_tgt', 'main')).toBeNull(); // TakeSource of a deletion
    expect(await t.metadataLocation('mod_src_del_tgt', 'main')).toBeNull(); // TakeTarget of a deletion
    const manualRow = await ctx.ports.assets.getAsset(DEFAULT_TENANT_ID, catalog, 'main', ['ns'], 'added_both');
    expect(manualRow?.properties).toEqual(manualProperties);
    expect(await t.metadataLocation('clean', 'main')).toBe(locations.clean);

    const done = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(done).toMatchObject({
      status: 'Completed',
      result_commit_id: mainAfter.head_commit_id,
      completed_at: expect.stringMatching(Z_TIMESTAMP),
      base_commit_id: expect.stringMatching(UUID_PATTERN),
    });

    // History after the merge: the merge commit on top of main's previous head.
    const [head, parent] = await history(ctx.http, catalog, 'main', '&limit=2');
    expect(head.id).toBe(completed.body.commit_id);
    expect(head.parent_id).toBe(mainBefore.head_commit_id);
    expect(parent.id).toBe(mainBefore.head_commit_id);
    expect(head.message).toMatch(/^Merge branch 'dev' into 'main'/);
    // A tag can point at the merge commit.
    expectStatus(await ctx.http.post('/api/v1/tags').send({ name: 'merged', commit_id: head.id, catalog }), 200);

    // A finished operation cannot be completed, aborted or resolved again.
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`), 409);
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/abort`), 409, /Completed/);
    expectError(await resolve(bothChanged.id, { strategy: 'TakeTarget' }), 409);
  });

  ctx.itWith(BRANCHING, 'abort: an open operation is aborted once, nothing is applied', async () => {
    const { catalog } = await conflictingBranches();
    const mainBefore = await branchOf(ctx.http, catalog, 'main');
    const operationId = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 409).body.operation_id;
    const aborted = await ctx.http.post(`/api/v1/merge-operations/${operationId}/abort`);
    expect(expectStatus(aborted, 200).body).toEqual({ status: 'aborted', operation_id: operationId });
    const operation = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(operation).toMatchObject({ status: 'Aborted', completed_at: expect.stringMatching(Z_TIMESTAMP), result_commit_id: null });
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/abort`), 409, /Aborted/);
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`), 409);
    expect(await branchOf(ctx.http, catalog, 'main')).toEqual(mainBefore);

    const list = expectStatus(await ctx.http.get(`/api/v1/catalogs/${catalog}/merge-operations`), 200).body;
    expect(list).toEqual([
      expect.objectContaining({ id: operationId, status: 'Aborted', conflicts_count: 4, completed_at: expect.stringMatching(OFFSET_TIMESTAMP) }),
    ]);
  });

  ctx.itWith(BRANCHING, 'rebase with conflicts answers like a merge and can be resolved the same way', async () => {
    const { catalog, t, locations } = await conflictingBranches();
    const res = await ctx.http.post('/api/v1/branches/dev/rebase').send({ catalog, name: 'ignored' });
    expectStatus(res, 409);
    expect(res.body).toMatchObject({ status: 'conflicted', conflicts: 4 });
    const operationId = res.body.operation_id;
    const operation = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(operation).toMatchObject({ source_branch: 'main', target_branch: 'dev' });
    const conflicts = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}/conflicts`), 200).body;
    for (const conflict of conflicts) {
      expectStatus(await ctx.http.post(`/api/v1/conflicts/${conflict.id}/resolve`).send({ strategy: 'TakeSource' }), 200);
    }
    expectStatus(await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`), 200);
    // main's versions are now on dev; main itself is unchanged.
    expect(await t.metadataLocation('both_changed', 'dev')).toBe(locations.bothChangedTarget);
    expect(await t.metadataLocation('del_src_mod_tgt', 'dev')).toBe(locations.modifiedOnTarget);
    expect(await t.metadataLocation('mod_src_del_tgt', 'dev')).toBeNull();
    expect(await t.metadataLocation('added_both', 'dev')).toBe(locations.addedOnTarget);
    expect(await t.metadataLocation('clean', 'dev')).toBe(locations.clean);
    expect(await t.metadataLocation('both_changed', 'main')).toBe(locations.bothChangedTarget);
  });

  ctx.itWith(BRANCHING, 'completion is refused when the branches changed into a new conflict meanwhile', async () => {
    const { catalog, t } = await conflictingBranches();
    await t.create('late');
    // Resolve everything, then make a new conflict appear before completing.
    const operationId = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 409).body.operation_id;
    const conflicts = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}/conflicts`), 200).body;
    for (const conflict of conflicts) {
      expectStatus(await ctx.http.post(`/api/v1/conflicts/${conflict.id}/resolve`).send({ strategy: 'TakeTarget' }), 200);
    }
    await t.create('late_both', 'dev');
    await t.create('late_both', 'main');
    const mainBefore = await branchOf(ctx.http, catalog, 'main');
    expectError(await ctx.http.post(`/api/v1/merge-operations/${operationId}/complete`), 409, /late_both/);
    expect(await branchOf(ctx.http, catalog, 'main')).toEqual(mainBefore);
    // The operation is still Ready and can be aborted.
    const operation = expectStatus(await ctx.http.get(`/api/v1/merge-operations/${operationId}`), 200).body;
    expect(operation.status).toBe('Ready');
    expectStatus(await ctx.http.post(`/api/v1/merge-operations/${operationId}/abort`), 200);
  });

  ctx.itWith(BRANCHING, 'merge operations are scoped to their catalog and tenant', async () => {
    const { catalog } = await conflictingBranches();
    const operationId = expectStatus(await merge(ctx.http, catalog, 'dev', 'main'), 409).body.operation_id;
    const other = await createCatalog(ctx.http);
    expect(expectStatus(await ctx.http.get(`/api/v1/catalogs/${other}/merge-operations`), 200).body).toEqual([]);
    expectError(await ctx.http.get(`/api/v1/merge-operations/${randomUUID()}`), 404);
    expectError(await ctx.http.get(`/api/v1/merge-operations/${randomUUID()}/conflicts`), 404);
    expectError(await ctx.http.get('/api/v1/merge-operations/not-a-uuid'), 400);
    expectError(await ctx.http.post(`/api/v1/merge-operations/${randomUUID()}/abort`), 404);
    expectError(await ctx.http.post(`/api/v1/merge-operations/${randomUUID()}/complete`), 404);
    // Another tenant's caller does not see the operation (the store is tenant-scoped).
    expect(await ctx.ports.mergeOperations.getMergeOperation(randomUUID(), operationId)).toBeNull();
  });
});
