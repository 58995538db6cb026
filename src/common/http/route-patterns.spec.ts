import { RoutePatternIndex, compilePattern, matchPattern } from './route-patterns';

describe('route patterns', () => {
  it('matchPattern returns the parameters of a matching path and refuses empty segments', () => {
    const compiled = compilePattern('/v1/:prefix/namespaces/:namespace');
    expect(matchPattern(compiled, ['v1', 'sales', 'namespaces', 'eu%1Ffr'], decodeURIComponent)).toEqual({ prefix: 'sales', namespace: 'eu\u001ffr' });
    expect(matchPattern(compiled, ['v1', '', 'namespaces', 'x'], (s) => s)).toBeUndefined();
    expect(matchPattern(compiled, ['v1', 'sales', 'namespaces'], (s) => s)).toBeUndefined();
    expect(matchPattern(compiled, ['v1', 'sales', 'tables', 'x'], (s) => s)).toBeUndefined();
    expect(matchPattern(compiled, ['v1', 'sales', 'namespaces', 'x'], () => undefined)).toBeUndefined();
  });

  const index = new RoutePatternIndex([
    { method: 'get', pattern: '/v1/config' },
    { method: 'get', pattern: '/v1/:prefix/config' },
    { method: 'get', pattern: '/v1/:prefix/namespaces/:namespace' },
    { method: 'post', pattern: '/v1/:prefix/namespaces' },
  ]);

  it('finds the first registered route for a method and path, as the router would', () => {
    expect(index.match('GET', '/v1/config')).toBe('/v1/config');
    expect(index.match('GET', '/v1/sales/config')).toBe('/v1/:prefix/config');
    expect(index.match('POST', '/v1/sales/namespaces')).toBe('/v1/:prefix/namespaces');
    expect(index.match('GET', '/v1/sales/namespaces/a%20b')).toBe('/v1/:prefix/namespaces/:namespace');
  });

  it('ignores case in literals and one trailing slash, and answers HEAD with the GET route', () => {
    expect(index.match('get', '/V1/Config/')).toBe('/v1/config');
    expect(index.match('HEAD', '/v1/sales/namespaces/ns')).toBe('/v1/:prefix/namespaces/:namespace');
  });

  it('has no pattern for another method, an unknown path or a malformed one', () => {
    expect(index.match('DELETE', '/v1/config')).toBeUndefined();
    expect(index.match('GET', '/v2/config')).toBeUndefined();
    expect(index.match('GET', 'v1/config')).toBeUndefined();
    expect(index.match('GET', '/v1//config')).toBeUndefined();
  });

  it('reads the route layers of an Express application, leaving catch-all routes out', () => {
    const expressApp = {
      router: {
        stack: [
          { name: 'middleware' },
          { route: { path: '/api/v1/catalogs', methods: { get: true, post: true } } },
          { route: { path: '/{*path}', methods: { _all: true } } },
        ],
      },
    };
    const fromExpress = RoutePatternIndex.fromExpressApplication(expressApp);
    expect(fromExpress.size).toBe(2);
    expect(fromExpress.match('POST', '/api/v1/catalogs')).toBe('/api/v1/catalogs');
    expect(fromExpress.match('GET', '/anything')).toBeUndefined();
  });
});
