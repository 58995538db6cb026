import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';
import { DefaultTenantBootstrap } from './default-tenant.bootstrap';
import { PrincipalMiddleware } from './principal.middleware';

/**
 * HTTP plumbing shared by every API surface: the one global exception filter, the middleware that attaches
 * the caller's Principal to every request, and the default-tenant bootstrap.
 */
@Module({
  providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }, DefaultTenantBootstrap],
})
export class HttpCommonModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PrincipalMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
