import { randomUUID } from 'node:crypto';
import { DEFAULT_TENANT_ID } from '../../../src/persistence/models';
import { describeEachBackend } from '../../support/app-harness';
import {
  branchOf,
  createCatalog,
  expectError,
  expectParentChain,
  expectStatus,
  history,
  BRANCHING,
  registerAsset,
  SCHEMA,
  uniqueName,
  UUID_PATTERN,
} from './branching-helpers';

const FIVE = ['a1', 'a2', 'a3', 'a4', 'a5'];

describeEachBackend('branches and commit history', (ctx) => {
  /** A catalog whose main holds sales.a1..a5, registered one by one. */
  async function catalogWithFiveAssets(): Promise<string> {
    const catalog = await createCatalog(ctx.http);
    for (const name of FIVE) await registerAsset(ctx.http, catalog, 'sales', name);
    return catalog;
  }

  it('five registrations on main give five commits, newest first, in one parent chain', async () => {
    const catalog = await catalogWithFiveAssets();
    const commits = await history(ctx.http, catalog, 'main');
    expect(commits.length).toBeGreaterThanOrEqual(5);
    expectParentChain(commits);
    expect(commits[commits.length - 1].parent_id).toBeNull();
    // Newest first: the last registration is the head.
    const registered = commits.slice(0, 5).map((c) => c.operations[0].Put.asset.name);
    expect(registered).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
    expect((await branchOf(ctx.http, catalog, 'main')).head_commit_id).toBe(commits[0].id);
    // The exact wire shape of a Commit and of its Put operation (contract management §1.1).
    const head = commits[0];
    expect(Object.keys(head).sort()).toEqual(['author', 'id', 'message', 'operations', 'parent_id', 'timestamp']);
    expect(head.id).toMatch(UUID_PATTERN);
    expect(Number.isInteger(head.timestamp)).toBe(true);
    expect(head.timestamp).toBeGreaterThan(Date.UTC(2020, 0, 1));
    expect(head.operations).toEqual([
      {
        Put: {
          asset: {
            id: expect.stringMatching(UUID_PATTERN),
            name: 'a5',
            kind: 'PARQUET_TABLE',
            location: `s3://bucket/${catalog}/sales/a5`,
            properties: {},
          },
        },
      },
    ]);
  });

  ctx.itWith(BRANCHING, 'a branch created from main holds exactly its assets and shares its history', async () => {
    const catalog = await catalogWithFiveAssets();
    const main = await branchOf(ctx.http, catalog, 'main');
    const res = expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201);
    expect(res.body).toEqual({
      name: 'dev',
      head_commit_id: main.head_commit_id,
      branch_type: 'experimental',
      assets: FIVE.map((n) => `sales.${n}`),
    });
    expect(await branchOf(ctx.http, catalog, 'dev')).toEqual(res.body);
    expect(await history(ctx.http, catalog, 'dev')).toEqual(await history(ctx.http, catalog, 'main'));
    // The copies keep their ids: the same asset on both branches.
    for (const name of FIVE) {
      const onMain = await ctx.ports.assets.getAsset(DEFAULT_TENANT_ID, catalog, 'main', ['sales'], name);
      const onDev = await ctx.ports.assets.getAsset(DEFAULT_TENANT_ID, catalog, 'dev', ['sales'], name);
      expect(onDev).toMatchObject({ id: onMain?.id, location: onMain?.location, kind: onMain?.kind });
    }
  });

  ctx.itWith(BRANCHING, 'the branches evolve independently after the branch point', async () => {
    const catalog = await catalogWithFiveAssets();
    expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201);
    const devBefore = await history(ctx.http, catalog, 'dev');
    await registerAsset(ctx.http, catalog, 'sales', 'a6');
    const main = await branchOf(ctx.http, catalog, 'main');
    const dev = await branchOf(ctx.http, catalog, 'dev');
    expect(main.assets).toContain('sales.a6');
    expect(dev.assets).toEqual(FIVE.map((n) => `sales.${n}`));
    expect(dev.head_commit_id).toBe(devBefore[0].id);
    expect(await history(ctx.http, catalog, 'dev')).toEqual(devBefore);
    const mainHistory = await history(ctx.http, catalog, 'main');
    expect(mainHistory[1]).toEqual(devBefore[0]);
    // A change on dev (a table created there) does not reach main.
    expectStatus(await ctx.http.post(`/v1/${catalog}/namespaces`).send({ namespace: ['sales'] }), 200);
    expectStatus(
      await ctx.http.post(`/v1/${catalog}/namespaces/sales/tables?branch=dev`).send({ name: 'only_dev', schema: SCHEMA }),
      200,
    );
    expect((await branchOf(ctx.http, catalog, 'dev')).assets).toContain('sales.only_dev');
    expect((await branchOf(ctx.http, catalog, 'main')).assets).not.toContain('sales.only_dev');
    expect((await branchOf(ctx.http, catalog, 'main')).head_commit_id).toBe(mainHistory[0].id);
  });

  ctx.itWith(BRANCHING, 'partial branching copies exactly the listed assets, atomically', async () => {
    const catalog = await catalogWithFiveAssets();
    const main = await branchOf(ctx.http, catalog, 'main');
    const res = await ctx.http
      .post('/api/v1/branches')
      .send({ name: 'partial', catalog, assets: ['sales.a4', 'sales.a2', 'sales.a4'], branch_type: 'INGEST' });
    expect(expectStatus(res, 201).body).toEqual({
      name: 'partial',
      head_commit_id: main.head_commit_id,
      branch_type: 'ingest',
      assets: ['sales.a2', 'sales.a4'],
    });
    const empty = await ctx.http.post('/api/v1/branches').send({ name: 'empty', catalog, assets: [] });
    expect(expectStatus(empty, 201).body.assets).toEqual([]);

    // All or nothing: a malformed or missing entry fails the request and leaves no branch behind.
    const malformed = await ctx.http.post('/api/v1/branches').send({ name: 'bad1', catalog, assets: ['sales.a1', 'nodot'] });
    expectError(malformed, 400, /nodot/);
    const missing = await ctx.http.post('/api/v1/branches').send({ name: 'bad2', catalog, assets: ['sales.a1', 'sales.nope'] });
    expectError(missing, 404, /sales\.nope/);
    for (const name of ['bad1', 'bad2']) {
      expectError(await ctx.http.get(`/api/v1/branches/${name}?catalog=${catalog}`), 404);
    }
  });

  ctx.itWith(BRANCHING, 'branch creation errors', async () => {
    const catalog = await catalogWithFiveAssets();
    expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201);
    const duplicate = await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog, assets: [] });
    expectError(duplicate, 409);
    expect((await branchOf(ctx.http, catalog, 'dev')).assets).toHaveLength(5);
    expectError(await ctx.http.post('/api/v1/branches').send({ name: 'main', catalog }), 409);
    expectError(await ctx.http.post('/api/v1/branches').send({ name: 'x', catalog, from_branch: 'nope' }), 404, /nope/);
    expectError(await ctx.http.post('/api/v1/branches').send({ name: 'x', catalog: uniqueName('nocat') }), 404);
    expectError(await ctx.http.post('/api/v1/branches').send({ name: '', catalog }), 400);
    expectError(await ctx.http.post('/api/v1/branches').send({ catalog }), 422);
    expectError(await ctx.http.post('/api/v1/branches').send({ name: 'x', catalog, assets: 'sales.a1' }), 422);
    expectError(await ctx.http.post('/api/v1/branches').set('content-type', 'text/plain').send('{}'), 415);
  });

  ctx.itWith(BRANCHING, 'a branch of a branch starts at its source head', async () => {
    const catalog = await catalogWithFiveAssets();
    expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog, assets: ['sales.a1'] }), 201);
    const res = await ctx.http.post('/api/v1/branches').send({ name: 'feature', catalog, from_branch: 'dev' });
    expect(expectStatus(res, 201).body).toMatchObject({ assets: ['sales.a1'] });
    expect(res.body.head_commit_id).toBe((await branchOf(ctx.http, catalog, 'dev')).head_commit_id);
  });

  ctx.itWith(BRANCHING, 'lists and gets branches of a catalog', async () => {
    const catalog = await catalogWithFiveAssets();
    for (const name of ['zeta', 'alpha']) {
      expectStatus(await ctx.http.post('/api/v1/branches').send({ name, catalog, assets: [] }), 201);
    }
    const list = expectStatus(await ctx.http.get(`/api/v1/branches?catalog=${catalog}`), 200).body;
    expect(list.map((b: { name: string }) => b.name)).toEqual(['alpha', 'main', 'zeta']);
    expect(list[1]).toEqual(await branchOf(ctx.http, catalog, 'main'));
    expect(list[1].branch_type).toBe('ingest');
    const page = expectStatus(await ctx.http.get(`/api/v1/branches?catalog=${catalog}&limit=1&offset=1`), 200).body;
    expect(page.map((b: { name: string }) => b.name)).toEqual(['main']);
    expect(expectStatus(await ctx.http.get(`/api/v1/branches?catalog=${uniqueName('none')}`), 200).body).toEqual([]);
    expectError(await ctx.http.get('/api/v1/branches'), 400, /catalog/);
    expectError(await ctx.http.get('/api/v1/branches/main'), 400, /catalog/);
    expectError(await ctx.http.get(`/api/v1/branches/nope?catalog=${catalog}`), 404);
    expectError(await ctx.http.get(`/api/v1/branches?catalog=${catalog}&limit=-1`), 400);
  });

  ctx.itWith(BRANCHING, 'deletes a branch with its assets, never main', async () => {
    const catalog = await catalogWithFiveAssets();
    expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201);
    expectStatus(await ctx.http.delete(`/api/v1/branches/dev?catalog=${catalog}`), 204);
    expectError(await ctx.http.get(`/api/v1/branches/dev?catalog=${catalog}`), 404);
    expect(await ctx.ports.assets.listAssets(DEFAULT_TENANT_ID, catalog, 'dev')).toEqual([]);
    expectError(await ctx.http.delete(`/api/v1/branches/dev?catalog=${catalog}`), 404);
    expectError(await ctx.http.delete(`/api/v1/branches/main?catalog=${catalog}`), 400, /main/);
    expectError(await ctx.http.delete(`/api/v1/branches/x?catalog=${uniqueName('none')}`), 404);
    expectError(await ctx.http.delete('/api/v1/branches/dev'), 400);
    // main and its history are untouched.
    expect((await branchOf(ctx.http, catalog, 'main')).assets).toHaveLength(5);
    // The name can be used again, starting afresh from main.
    expect(expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201).body.assets).toHaveLength(5);
  });

  it('pages through history with limit and offset', async () => {
    const catalog = await catalogWithFiveAssets();
    const all = await history(ctx.http, catalog, 'main');
    expect(await history(ctx.http, catalog, 'main', '&limit=2')).toEqual(all.slice(0, 2));
    expect(await history(ctx.http, catalog, 'main', '&limit=2&offset=2')).toEqual(all.slice(2, 4));
    expect(await history(ctx.http, catalog, 'main', `&offset=${all.length}`)).toEqual([]);
    expect(await history(ctx.http, catalog, 'main', '&limit=0')).toEqual([]);
    expectError(await ctx.http.get(`/api/v1/branches/main/commits?catalog=${catalog}&limit=x`), 400);
    expectError(await ctx.http.get('/api/v1/branches/main/commits'), 400, /catalog/);
    expectError(await ctx.http.get(`/api/v1/branches/nope/commits?catalog=${catalog}`), 404);
  });

  ctx.itWith(BRANCHING, 'a fresh catalog has an empty history, and so does a branch made from it', async () => {
    const catalog = await createCatalog(ctx.http);
    expect(await history(ctx.http, catalog, 'main')).toEqual([]);
    const res = expectStatus(await ctx.http.post('/api/v1/branches').send({ name: 'dev', catalog }), 201);
    expect(res.body).toEqual({ name: 'dev', head_commit_id: null, branch_type: 'experimental', assets: [] });
    expect(await history(ctx.http, catalog, 'dev')).toEqual([]);
  });
});

describeEachBackend('tags', (ctx) => {
  it('tags a commit of the catalog, refuses duplicates and foreign commits, lists and deletes', async () => {
    const catalog = await createCatalog(ctx.http);
    await registerAsset(ctx.http, catalog, 'ns', 'one');
    await registerAsset(ctx.http, catalog, 'ns', 'two');
    const [head, first] = await history(ctx.http, catalog, 'main');

    const created = await ctx.http.post('/api/v1/tags').send({ name: 'v1', commit_id: first.id, catalog });
    expect(expectStatus(created, 200).body).toEqual({ name: 'v1', commit_id: first.id });
    expectStatus(await ctx.http.post('/api/v1/tags').send({ name: 'v2', commit_id: head.id.toUpperCase(), catalog }), 200);
    expectError(await ctx.http.post('/api/v1/tags').send({ name: 'v1', commit_id: head.id, catalog }), 409);

    // Commits of another catalog of the same tenant, and made-up ids, are not this catalog's.
    const other = await createCatalog(ctx.http);
    await registerAsset(ctx.http, other, 'ns', 'elsewhere');
    const [foreign] = await history(ctx.http, other, 'main');
    expectError(await ctx.http.post('/api/v1/tags').send({ name: 'f', commit_id: foreign.id, catalog }), 404);
    expectError(await ctx.http.post('/api/v1/tags').send({ name: 'f', commit_id: randomUUID(), catalog }), 404);
    expectError(await ctx.http.post('/api/v1/tags').send({ name: 'f', commit_id: 'not-a-uuid', catalog }), 422);
    expectError(await ctx.http.post('/api/v1/tags').send({ name: 'f', commit_id: head.id, catalog: uniqueName('no') }), 404);

    // A commit reachable only from another branch of the catalog is the catalog's too (dev is created by
    // the table create itself: fork-on-write).
    expectStatus(await ctx.http.post(`/v1/${catalog}/namespaces`).send({ namespace: ['ns'] }), 200);
    expectStatus(
      await ctx.http.post(`/v1/${catalog}/namespaces/ns/tables?branch=dev`).send({ name: 't', schema: SCHEMA }),
      200,
    );
    const [devHead] = await history(ctx.http, catalog, 'dev');
    expectStatus(await ctx.http.post('/api/v1/tags').send({ name: 'on-dev', commit_id: devHead.id, catalog }), 200);

    const list = expectStatus(await ctx.http.get(`/api/v1/tags?catalog=${catalog}`), 200).body;
    expect(list).toEqual([
      { name: 'on-dev', commit_id: devHead.id },
      { name: 'v1', commit_id: first.id },
      { name: 'v2', commit_id: head.id },
    ]);
    expect(expectStatus(await ctx.http.get(`/api/v1/tags?catalog=${catalog}&limit=1&offset=1`), 200).body).toEqual([list[1]]);
    expectError(await ctx.http.get('/api/v1/tags'), 400, /catalog/);

    expectStatus(await ctx.http.delete(`/api/v1/tags/v1?catalog=${catalog}`), 204);
    expectStatus(await ctx.http.delete(`/api/v1/tags/v1?catalog=${catalog}`), 204);
    expectError(await ctx.http.delete(`/api/v1/tags/v1?catalog=${uniqueName('no')}`), 404);
    const after = expectStatus(await ctx.http.get(`/api/v1/tags?catalog=${catalog}`), 200).body;
    expect(after.map((t: { name: string }) => t.name)).toEqual(['on-dev', 'v2']);
    // The name is free again.
    expectStatus(await ctx.http.post('/api/v1/tags').send({ name: 'v1', commit_id: head.id, catalog }), 200);
  });
});
