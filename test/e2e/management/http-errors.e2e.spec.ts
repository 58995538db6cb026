import { describeEachBackend } from '../../support/app-harness';
import { expectManagementError } from './management-test-helpers';

/**
 * Error shapes of the real application (createApp) for requests that never reach a handler. Independent of
 * the backend, so it runs on memory only.
 */
describeEachBackend(
  'HTTP errors outside handlers',
  (ctx) => {
    it('an unrouted management path is 404 {"error"}', async () => {
      expectManagementError(await ctx.http.get('/api/v1/no-such-thing'), 404);
      expectManagementError(await ctx.http.delete('/api/v1/tenants'), 404);
      expectManagementError(await ctx.http.get('/not-even-api'), 404);
    });

    it('an unrouted Iceberg path is 404 in the Iceberg envelope', async () => {
      const res = await ctx.http.get('/v1/no/such/route/at/all').expect(404);
      expect(res.body).toEqual({ error: { message: expect.any(String), type: 'NotFoundException', code: 404 } });
    });

    it('a body above PANGOLIN_MAX_BODY_BYTES is 413, and nothing is created', async () => {
      const res = await ctx.http
        .post('/api/v1/catalogs')
        .send({ name: 'too_big', properties: { blob: 'x'.repeat(4096) } });
      expectManagementError(res, 413);
      await ctx.http.get('/api/v1/catalogs/too_big').expect(404);
    });

    it('responses carry JSON content types and CORS headers for any origin', async () => {
      const res = await ctx.http.get('/api/v1/catalogs').set('origin', 'http://ui.example').expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers['access-control-allow-origin']).toBe('http://ui.example');
      expect(res.headers['access-control-expose-headers']).toBe('x-request-id,etag,x-pangolin-purged-files');
      expect(res.headers.vary).toMatch(/Origin/);
    });

    it('a request without Origin (an engine, not a browser) gets Vary: Origin but no CORS headers', async () => {
      const res = await ctx.http.get('/api/v1/catalogs').expect(200);
      expect(res.headers.vary).toMatch(/Origin/);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
    });
  },
  { backends: ['memory'], env: { PANGOLIN_MAX_BODY_BYTES: '2048' } },
);
