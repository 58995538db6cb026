import 'reflect-metadata';
import { Controller, Get, Head, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Access, ADMIN, Public, resource, type RouteRequest } from './access';
import { PublicPaths, RouteAccessIndex, RouteAccessModule } from './route-access-index';

async function boot(controllers: unknown[]): Promise<INestApplication> {
  @Module({ imports: [RouteAccessModule], controllers: controllers as never[] })
  class TinyModule {}
  const app = await NestFactory.create(TinyModule, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

describe('route access metadata', () => {
  it('the application does not start while a routed handler has neither @Public nor @Access, and names it', async () => {
    @Controller('things')
    class UndecoratedController {
      @Get()
      @Public()
      list(): string[] {
        return [];
      }

      @Post(':id')
      forgotten(): void {
        return undefined;
      }
    }
    await expect(boot([UndecoratedController])).rejects.toThrow(/UndecoratedController\.forgotten/);
  });

  it('refuses a handler with two access decorators when its class is defined', () => {
    expect(() => {
      class Twice {
        @Public()
        @Access(ADMIN)
        handler(): void {
          return undefined;
        }
      }
      return Twice;
    }).toThrow(/Twice\.handler has more than one/);
  });

  it('indexes every path of every handler from its metadata; HEAD falls back to GET', async () => {
    const target = (req: RouteRequest) => ({ level: 'catalog' as const, catalog: req.params.prefix });
    const read = resource('read', target);
    @Controller(['v1/:prefix', 'v1/:prefix/v1'])
    class PrefixedController {
      @Get('things/:thing')
      @Access(read)
      get(): void {
        return undefined;
      }

      @Head('others/:other')
      @Access(ADMIN)
      exists(): void {
        return undefined;
      }
    }
    @Controller()
    class OpenController {
      @Get(['v1/config', 'v1/:prefix/config'])
      @Public()
      config(): void {
        return undefined;
      }
    }
    const app = await boot([PrefixedController, OpenController]);
    try {
      const index = app.get(RouteAccessIndex);
      expect(index.routes.map((r) => `${r.method} ${r.pattern} ${r.name}`).sort()).toEqual([
        'GET /v1/:prefix/config OpenController.config',
        'GET /v1/:prefix/things/:thing PrefixedController.get',
        'GET /v1/:prefix/v1/things/:thing PrefixedController.get',
        'GET /v1/config OpenController.config',
        'HEAD /v1/:prefix/others/:other PrefixedController.exists',
        'HEAD /v1/:prefix/v1/others/:other PrefixedController.exists',
      ]);
      expect(index.accessFor('GET', '/v1/:prefix/v1/things/:thing')).toBe(read);
      expect(index.accessFor('HEAD', '/v1/:prefix/things/:thing')).toBe(read);
      expect(index.accessFor('GET', '/v1/:prefix/others/:other')).toBeUndefined();
      expect(index.accessFor('POST', '/v1/:prefix/things/:thing')).toBeUndefined();
      expect(index.isPublicPath('/v1/cat/config')).toBe(true);
      expect(index.isPublicPath('/v1/cat/things/config')).toBe(false);
      index.addMountedPublicPaths(['/docs/:asset']);
      expect(index.isPublicPath('/docs/index.html')).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('public paths', () => {
  const paths = new PublicPaths([
    '/health',
    '/v1/config',
    '/v1/:prefix/config',
    '/v1/:prefix/oauth/tokens',
    '/v1/:prefix/v1/oauth/tokens',
    '/api/v1/users/login',
    '/api/v1/app-config',
  ]);

  it('match whole route shapes, never suffixes or substrings', () => {
    expect(paths.matches('/v1/config')).toBe(true);
    expect(paths.matches('/v1/cat/config')).toBe(true);
    expect(paths.matches('/v1/cat/v1/oauth/tokens')).toBe(true);
    for (const path of [
      '/v1/cat/namespaces/config',
      '/v1/cat/namespaces/ns/tables/config',
      '/v1/cat/namespaces/oauth/tokens',
      '/v1/cat/x/oauth/tokens/y',
      '/api/v1/users/login/x',
      '/healthz',
      '/oauth/tokens',
      '/api/v1/app-config/x',
    ]) {
      expect({ path, public: paths.matches(path) }).toEqual({ path, public: false });
    }
  });

  it('each shape is anchored on its own, a dot is a dot, and no shapes match nothing', () => {
    const explorer = new PublicPaths(['/api-docs/openapi.json', '/swagger-ui/:asset', '/health']);
    expect(explorer.matches('/api-docs/openapi.json')).toBe(true);
    expect(explorer.matches('/swagger-ui/index.css')).toBe(true);
    for (const path of ['/api-docs/openapiXjson', '/health/api-docs/openapi.json', '/api-docs/openapi.json/health', '/swagger-ui/a/b', '/x/health']) {
      expect({ path, public: explorer.matches(path) }).toEqual({ path, public: false });
    }
    expect(new PublicPaths([]).matches('/')).toBe(false);
    expect(new PublicPaths([]).matches('')).toBe(false);
  });
});
