import { describeEachBackend } from '../../support/app-harness';
import { expectIcebergError, expectIcebergResponse } from './support/iceberg-response-schemas';
import { createTestCatalog, nsPath } from './support/iceberg-fixtures';

/** Config and namespace routes of the Iceberg REST surface, in both URL styles, on every backend. */
describeEachBackend('Iceberg REST config and namespaces', (ctx) => {
  const catalog = 'lake';
  // Style B (`/v1/<catalog>/...`) and style A, the doubled routes (`/v1/<catalog>/v1/...`).
  const styles = [
    { style: 'single', base: `/v1/${catalog}` },
    { style: 'doubled', base: `/v1/${catalog}/v1` },
  ];

  beforeAll(async () => {
    await createTestCatalog(ctx.ports, catalog);
  });

  it('answers config on all three routes without overrides.prefix, advertising its endpoints', async () => {
    for (const path of ['/v1/config', `/v1/${catalog}/config`, `/v1/${catalog}/v1/config`]) {
      const res = await ctx.http.get(path).expect(200);
      expectIcebergResponse('CatalogConfig', res.body);
      expect(res.body.overrides).toEqual({});
      expect(res.body.defaults['header.X-Iceberg-Access-Delegation']).toBe('vended-credentials');
      expect(res.body.endpoints).toEqual(
        expect.arrayContaining([
          'GET /v1/{prefix}/namespaces',
          'HEAD /v1/{prefix}/namespaces/{namespace}',
          'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
          'POST /v1/{prefix}/tables/rename',
        ]),
      );
      expect(res.body.endpoints.some((e: string) => e.includes('/views'))).toBe(false);
    }
  });

  for (const { style, base } of styles) {
    describe(`${style} routes`, () => {
      const root = `ns_${style}`;

      it('creates, loads, checks and lists namespaces, nested ones included', async () => {
        const created = await ctx.http
          .post(`${base}/namespaces`)
          .send({ namespace: [root], properties: { owner: 'alice' } })
          .expect(200);
        expectIcebergResponse('CreateNamespaceResponse', created.body);
        expect(created.body).toEqual({ namespace: [root], properties: { owner: 'alice' } });

        const nested = await ctx.http.post(`${base}/namespaces`).send({ namespace: [root, 'eu'] }).expect(200);
        expect(nested.body).toEqual({ namespace: [root, 'eu'], properties: {} });
        // A dot is a literal character of a level, never a separator.
        await ctx.http.post(`${base}/namespaces`).send({ namespace: [root, 'us.west'] }).expect(200);

        const loaded = await ctx.http.get(`${base}/namespaces/${nsPath(root, 'eu')}`).expect(200);
        expectIcebergResponse('GetNamespaceResponse', loaded.body);
        expect(loaded.body).toEqual({ namespace: [root, 'eu'], properties: {} });
        const dotted = await ctx.http.get(`${base}/namespaces/${nsPath(root, 'us.west')}`).expect(200);
        expect(dotted.body.namespace).toEqual([root, 'us.west']);
        await ctx.http.get(`${base}/namespaces/${encodeURIComponent(`${root}.eu`)}`).expect(404);

        const head = await ctx.http.head(`${base}/namespaces/${nsPath(root, 'eu')}`).expect(204);
        expect(head.text ?? '').toBe('');
        await ctx.http.head(`${base}/namespaces/${nsPath(root, 'nope')}`).expect(404);

        const all = await ctx.http.get(`${base}/namespaces`).expect(200);
        expectIcebergResponse('ListNamespacesResponse', all.body);
        expect(all.body).not.toHaveProperty('next-page-token');
        expect(all.body.namespaces).toEqual(
          expect.arrayContaining([['default'], [root], [root, 'eu'], [root, 'us.west']]),
        );

        const children = await ctx.http.get(`${base}/namespaces`).query({ parent: root }).expect(200);
        expectIcebergResponse('ListNamespacesResponse', children.body);
        expect(children.body.namespaces).toEqual([
          [root, 'eu'],
          [root, 'us.west'],
        ]);
        const missingParent = await ctx.http.get(`${base}/namespaces`).query({ parent: `${root}\u001fnope` }).expect(404);
        expectIcebergError(missingParent, 404, 'NoSuchNamespaceException');
      });

      it('pages with pageToken / pageSize and keeps unpaged listings complete', async () => {
        const parent = `${root}_paged`;
        await ctx.http.post(`${base}/namespaces`).send({ namespace: [parent] }).expect(200);
        const names = ['a', 'b', 'c', 'd', 'e'];
        for (const name of names) {
          await ctx.http.post(`${base}/namespaces`).send({ namespace: [parent, name] }).expect(200);
        }
        const seen: string[][] = [];
        let token: string | null | undefined = '';
        let pages = 0;
        while (token !== null && token !== undefined) {
          const res: { body: Record<string, any> } = await ctx.http
            .get(`${base}/namespaces`)
            .query({ parent, pageSize: 2, pageToken: token })
            .expect(200);
          expectIcebergResponse('ListNamespacesResponse', res.body);
          expect(res.body.namespaces.length).toBeLessThanOrEqual(2);
          seen.push(...res.body.namespaces);
          token = res.body['next-page-token'];
          pages++;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(names.map((n) => [parent, n]));

        const limited = await ctx.http.get(`${base}/namespaces`).query({ parent, limit: 2, offset: 3 }).expect(200);
        expect(limited.body.namespaces).toEqual([
          [parent, 'd'],
          [parent, 'e'],
        ]);
        const bad = await ctx.http.get(`${base}/namespaces`).query({ pageSize: 0 }).expect(400);
        expectIcebergError(bad, 400, 'BadRequestException');
        const badToken = await ctx.http.get(`${base}/namespaces`).query({ pageToken: 'garbage!' }).expect(400);
        expectIcebergError(badToken, 400, 'BadRequestException');
      });

      it('updates properties with removals, updates and missing keys', async () => {
        const path = `${base}/namespaces/${nsPath(root)}/properties`;
        const res = await ctx.http
          .post(path)
          .send({ removals: ['owner', 'absent'], updates: { team: 'data', tier: 'gold' } })
          .expect(200);
        expectIcebergResponse('UpdateNamespacePropertiesResponse', res.body);
        expect({ ...res.body, updated: [...res.body.updated].sort() }).toEqual({
          updated: ['team', 'tier'],
          removed: ['owner'],
          missing: ['absent'],
        });
        const loaded = await ctx.http.get(`${base}/namespaces/${nsPath(root)}`).expect(200);
        expect(loaded.body.properties).toEqual({ team: 'data', tier: 'gold' });

        const both = await ctx.http.post(path).send({ removals: ['team'], updates: { team: 'x' } }).expect(422);
        expectIcebergError(both, 422, 'UnprocessableEntityException');
        const missing = await ctx.http
          .post(`${base}/namespaces/${nsPath('nope')}/properties`)
          .send({ updates: { a: 'b' } })
          .expect(404);
        expectIcebergError(missing, 404, 'NoSuchNamespaceException');
      });

      it('drops an empty namespace, refuses a non-empty one with 409', async () => {
        const notEmpty = await ctx.http.delete(`${base}/namespaces/${nsPath(root)}`).expect(409);
        expectIcebergError(notEmpty, 409, 'NamespaceNotEmptyException');
        await ctx.http.delete(`${base}/namespaces/${nsPath(root, 'us.west')}`).expect(204);
        const gone = await ctx.http.get(`${base}/namespaces/${nsPath(root, 'us.west')}`).expect(404);
        expectIcebergError(gone, 404, 'NoSuchNamespaceException');
        const again = await ctx.http.delete(`${base}/namespaces/${nsPath(root, 'us.west')}`).expect(404);
        expectIcebergError(again, 404, 'NoSuchNamespaceException');
      });

      it('answers bad requests with 400 and conflicts with 409 in the Iceberg envelope', async () => {
        const duplicate = await ctx.http.post(`${base}/namespaces`).send({ namespace: [root] }).expect(409);
        expectIcebergError(duplicate, 409, 'AlreadyExistsException');
        for (const body of [{ namespace: [] }, { namespace: 'flat' }, { namespace: [''] }, {}, []]) {
          const res = await ctx.http.post(`${base}/namespaces`).send(body as object).expect(400);
          expectIcebergError(res, 400, 'BadRequestException');
        }
        const malformed = await ctx.http
          .post(`${base}/namespaces`)
          .set('Content-Type', 'application/json')
          .send('{"namespace": [')
          .expect(400);
        expectIcebergError(malformed, 400, 'BadRequestException');
        // A lone surrogate is valid JSON but not Unicode: refused before it can reach a store.
        for (const text of ['{"namespace":["\\ud800"]}', '{"namespace":["ok"],"properties":{"k":"\\udc00"}}']) {
          const res = await ctx.http.post(`${base}/namespaces`).set('Content-Type', 'application/json').send(text).expect(400);
          expectIcebergError(res, 400, 'BadRequestException');
        }
        const badProperties = await ctx.http
          .post(`${base}/namespaces`)
          .send({ namespace: ['p'], properties: { n: 1 } })
          .expect(400);
        expectIcebergError(badProperties, 400, 'BadRequestException');
      });
    });
  }

  it('answers 404 NoSuchNamespaceException for an unknown catalog', async () => {
    const list = await ctx.http.get('/v1/nocatalog/namespaces').expect(404);
    expectIcebergError(list, 404, 'NoSuchNamespaceException');
    const create = await ctx.http.post('/v1/nocatalog/v1/namespaces').send({ namespace: ['a'] }).expect(404);
    expectIcebergError(create, 404, 'NoSuchNamespaceException');
    await ctx.http.head(`/v1/nocatalog/namespaces/${nsPath('default')}`).expect(404);
  });
});
