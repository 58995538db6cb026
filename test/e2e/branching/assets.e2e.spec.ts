import { ASSET_KINDS } from '../../../src/persistence/models';
import { describeEachBackend } from '../../support/app-harness';
import { branchOf, createCatalog, expectError, expectStatus, history, uniqueName, UUID_PATTERN } from './branching-helpers';

describeEachBackend('generic assets', (ctx) => {
  const assetsPath = (catalog: string, namespace: string) => `/api/v1/catalogs/${catalog}/namespaces/${namespace}/assets`;

  it('registers every asset kind on main, each as one commit, and reads them back', async () => {
    const catalog = await createCatalog(ctx.http);
    for (const [i, kind] of ASSET_KINDS.entries()) {
      const name = `asset_${String(i).padStart(2, '0')}`;
      const res = await ctx.http
        .post(assetsPath(catalog, 'lake'))
        .send({ name, kind, location: `s3://bucket/lake/${name}`, properties: { owner: 'team', kind } });
      expect(expectStatus(res, 201).body).toEqual({
        id: expect.stringMatching(UUID_PATTERN),
        name,
        kind,
        location: `s3://bucket/lake/${name}`,
      });
      const got = expectStatus(await ctx.http.get(`${assetsPath(catalog, 'lake')}/${name}`), 200).body;
      expect(got).toEqual({ ...res.body, properties: { owner: 'team', kind } });
    }
    const commits = await history(ctx.http, catalog, 'main');
    expect(commits).toHaveLength(ASSET_KINDS.length);
    expect(commits.map((c) => c.operations[0].Put.asset.kind)).toEqual([...ASSET_KINDS].reverse());
    expect((await branchOf(ctx.http, catalog, 'main')).assets).toHaveLength(ASSET_KINDS.length);

    const list = expectStatus(await ctx.http.get(assetsPath(catalog, 'lake')), 200).body;
    expect(list).toHaveLength(ASSET_KINDS.length);
    expect(list[0]).toEqual({
      id: expect.stringMatching(UUID_PATTERN),
      name: 'asset_00',
      namespace: ['lake'],
      kind: ASSET_KINDS[0],
      identifier: { namespace: ['lake'], name: 'asset_00' },
    });
    const page = expectStatus(await ctx.http.get(`${assetsPath(catalog, 'lake')}?limit=2&offset=3`), 200).body;
    expect(page).toEqual(list.slice(3, 5));
  });

  it('addresses nested namespaces with dots and lists one namespace only', async () => {
    const catalog = await createCatalog(ctx.http);
    expectStatus(await ctx.http.post(assetsPath(catalog, 'a.b')).send({ name: 'deep', kind: 'VIEW', location: 's3://x/deep' }), 201);
    expectStatus(await ctx.http.post(assetsPath(catalog, 'a')).send({ name: 'top', kind: 'OTHER', location: 's3://x/top' }), 201);
    const deep = expectStatus(await ctx.http.get(assetsPath(catalog, 'a.b')), 200).body;
    expect(deep.map((a: { identifier: unknown }) => a.identifier)).toEqual([{ namespace: ['a', 'b'], name: 'deep' }]);
    const top = expectStatus(await ctx.http.get(assetsPath(catalog, 'a')), 200).body;
    expect(top.map((a: { name: string }) => a.name)).toEqual(['top']);
    expect(expectStatus(await ctx.http.get(`${assetsPath(catalog, 'a.b')}/deep`), 200).body.properties).toEqual({});
    expect((await branchOf(ctx.http, catalog, 'main')).assets).toEqual(['a.top', 'a.b.deep']); // by namespace, then name
    const [head] = await history(ctx.http, catalog, 'main');
    expect(head.operations[0].Put.asset).toMatchObject({ name: 'top', kind: 'OTHER' });
  });

  it('refuses duplicates, bad bodies and unknown catalogs, writing nothing', async () => {
    const catalog = await createCatalog(ctx.http);
    const body = { name: 'model', kind: 'ML_MODEL', location: 's3://x/model' };
    const first = expectStatus(await ctx.http.post(assetsPath(catalog, 'ml')).send(body), 201).body;
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).send({ ...body, location: 's3://other' }), 409, /ml\.model/);
    expect(expectStatus(await ctx.http.get(`${assetsPath(catalog, 'ml')}/model`), 200).body).toMatchObject({
      id: first.id,
      location: 's3://x/model',
    });
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).send({ ...body, name: 'x', kind: 'TABLE' }), 422);
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).send({ name: 'x', kind: 'VIEW' }), 422);
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).send({ ...body, name: 'x', properties: { n: 1 } }), 422);
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).send({ ...body, name: '' }), 400);
    expectError(await ctx.http.post(assetsPath(catalog, 'a..b')).send({ ...body, name: 'x' }), 400);
    expectError(await ctx.http.post(assetsPath(catalog, 'ml')).set('content-type', 'text/plain').send('{}'), 415);
    const missingCatalog = uniqueName('nocat');
    expectError(await ctx.http.post(assetsPath(missingCatalog, 'ml')).send(body), 404);
    expectError(await ctx.http.get(assetsPath(missingCatalog, 'ml')), 404);
    expectError(await ctx.http.get(`${assetsPath(missingCatalog, 'ml')}/model`), 404);
    expectError(await ctx.http.get(`${assetsPath(catalog, 'ml')}/nope`), 404);
    expectError(await ctx.http.get(`${assetsPath(catalog, 'ml')}?limit=-1`), 400);
    // Only the one successful registration was committed.
    expect(await history(ctx.http, catalog, 'main')).toHaveLength(1);
  });
});
