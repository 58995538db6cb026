import 'reflect-metadata';
import { Controller, Delete, Get, Injectable, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Access, ADMIN, Public } from '../auth/access';
import { RouteAccessIndex, RouteAccessModule } from '../auth/route-access-index';
import { HotRoute, type HotRouteHandler } from './hot-route';
import { hotRoutesOf } from './hot-routes';

@Injectable()
class LeanHandlers {
  readonly config: HotRouteHandler = () => ({ status: 200, json: { lean: 'config' } });
  readonly write: HotRouteHandler = () => ({ status: 200, json: { lean: 'write' } });
}

async function boot(controller: unknown): Promise<INestApplication> {
  @Module({ imports: [RouteAccessModule], controllers: [controller as never], providers: [LeanHandlers] })
  class TinyModule {}
  const app = await NestFactory.create(TinyModule, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

describe('hot routes from the controllers’ metadata', () => {
  it('serve each marked handler on every path of its controller, with its method and access rule', async () => {
    @Controller(['v1/:prefix', 'v1/:prefix/v1'])
    class MarkedController {
      @Get('config')
      @Public()
      @HotRoute(LeanHandlers, (lean) => lean.config)
      config(): void {
        return undefined;
      }

      @Post('things/:thing')
      @Access(ADMIN)
      @HotRoute(LeanHandlers, (lean) => lean.write, { queryParameters: ['branch'] })
      write(): void {
        return undefined;
      }

      @Get('unmarked')
      @Public()
      unmarked(): void {
        return undefined;
      }
    }
    const app = await boot(MarkedController);
    try {
      const lean = app.get(LeanHandlers);
      const routes = hotRoutesOf(app.get(RouteAccessIndex), (provider) => app.get(provider));
      const served = routes.map(({ method, pattern, queryParameters, access }) => ({ method, pattern, queryParameters, access }));
      expect(served.sort((x, y) => x.pattern.localeCompare(y.pattern))).toEqual([
        { method: 'GET', pattern: '/v1/:prefix/config', queryParameters: [], access: { kind: 'public' } },
        { method: 'POST', pattern: '/v1/:prefix/things/:thing', queryParameters: ['branch'], access: ADMIN },
        { method: 'GET', pattern: '/v1/:prefix/v1/config', queryParameters: [], access: { kind: 'public' } },
        { method: 'POST', pattern: '/v1/:prefix/v1/things/:thing', queryParameters: ['branch'], access: ADMIN },
      ]);
      expect(routes.filter((r) => r.method === 'GET').every((r) => r.handle === lean.config)).toBe(true);
      expect(routes.filter((r) => r.method === 'POST').every((r) => r.handle === lean.write)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('refuse a marker on a method the lean path does not read', async () => {
    @Controller('things')
    class DeleteMarkedController {
      @Delete(':thing')
      @Access(ADMIN)
      @HotRoute(LeanHandlers, (lean) => lean.write)
      remove(): void {
        return undefined;
      }
    }
    const app = await boot(DeleteMarkedController);
    try {
      expect(() => hotRoutesOf(app.get(RouteAccessIndex), (provider) => app.get(provider))).toThrow(
        /DeleteMarkedController\.remove: a hot route is GET or POST, not DELETE/,
      );
    } finally {
      await app.close();
    }
  });
});
