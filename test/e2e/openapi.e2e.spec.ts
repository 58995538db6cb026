import request from 'supertest';
import { registeredRoutes, RegisteredRoute } from '../support/registered-routes';
import { startTestApp, TestApp } from '../support/app-harness';
import { RouteAccessIndex } from '../../src/auth/route-access-index';

/**
 * The OpenAPI document must describe EVERY registered route with schemas and examples: the route list comes
 * from the running application, so adding a route without documentation fails here.
 */
describe('OpenAPI explorer', () => {
  let ctx: TestApp;
  let document: any;
  let routes: RegisteredRoute[];

  beforeAll(async () => {
    ctx = await startTestApp('memory');
    document = (await request(ctx.app.getHttpServer()).get('/api-docs/openapi.json').expect(200)).body;
    routes = registeredRoutes(ctx.app);
  });
  afterAll(async () => ctx.close());

  it('serves the explorer and a 3.x document titled as Pangolin', async () => {
    const res = await request(ctx.app.getHttpServer()).get('/swagger-ui/').expect(200);
    expect(res.text).toContain('swagger');
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info).toMatchObject({ title: 'Pangolin Catalog API', version: '1.0.0' });
  });

  it('sees the application routes (sanity check of the route enumeration)', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(routes).toContainEqual({ method: 'GET', path: '/health/live' });
  });

  it('documents every registered route', () => {
    const missing = routes
      .filter((r) => !document.paths[r.path]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('says which operations need no credential, as the handlers declare it, and names only defined schemes', () => {
    const index = ctx.app.get(RouteAccessIndex);
    const schemes = Object.keys(document.components.securitySchemes ?? {});
    const problems: string[] = [];
    for (const r of routes) {
      const operation = document.paths[r.path]?.[r.method.toLowerCase()];
      if (!operation) continue;
      const access = index.accessFor(r.method, r.path.replace(/\{([^}]+)\}/g, ':$1'));
      const open = access?.kind === 'public';
      if (!Array.isArray(operation.security)) problems.push(`${r.method} ${r.path}: no security requirement`);
      else if (open !== (operation.security.length === 0)) problems.push(`${r.method} ${r.path}: public=${open}, security=${JSON.stringify(operation.security)}`);
      for (const requirement of operation.security ?? []) {
        for (const name of Object.keys(requirement)) if (!schemes.includes(name)) problems.push(`${r.method} ${r.path}: unknown scheme ${name}`);
      }
    }
    expect(problems).toEqual([]);
    expect(document.paths['/v1/config'].get.security).toEqual([]);
    expect(document.paths['/api/v1/users/login'].post.security).toEqual([]);
    expect(document.paths['/api/v1/catalogs'].get.security.length).toBeGreaterThan(0);
  });

  it('has no dangling $ref', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map(([, ref]) => ref);
    expect(refs.length).toBeGreaterThan(100);
    expect([...new Set(refs)].filter((ref) => lookup(document, ref) === undefined)).toEqual([]);
  });

  it('gives every operation a response schema and example, and every body route a request schema', () => {
    const problems: string[] = [];
    const resolve = (node: any) => (node?.$ref ? lookup(document, node.$ref) : node);
    for (const r of routes) {
      const operation = document.paths[r.path]?.[r.method.toLowerCase()];
      if (!operation) continue;
      const name = `${r.method} ${r.path}`;
      if (operation['x-undocumented']) problems.push(`${name}: no reference documentation`);
      const responses = Object.entries(operation.responses ?? {});
      const success = responses.filter(([code]) => code.startsWith('2'));
      if (success.length === 0) problems.push(`${name}: no 2xx response`);
      for (const [code, raw] of success) {
        const response = resolve(raw);
        for (const [media, content] of Object.entries<any>(response?.content ?? {})) {
          if (!content.schema) problems.push(`${name} ${code} ${media}: no schema`);
          if (content.example === undefined && content.examples === undefined && !(raw as any).$ref) {
            problems.push(`${name} ${code} ${media}: no example`);
          }
        }
      }
      if (['POST', 'PUT', 'PATCH'].includes(r.method) && operation.requestBody) {
        const body = resolve(operation.requestBody);
        const media = Object.values<any>(body?.content ?? {});
        if (media.length === 0 || !media.every((m) => m.schema)) problems.push(`${name}: request body without schema`);
      }
    }
    expect(problems).toEqual([]);
  });
});

function lookup(document: any, ref: string): any {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node, part) => node?.[part], document);
}
