import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { AUTH_SECRETS } from './auth.tokens';
import { AuthenticationMiddleware } from './authentication.middleware';
import { AuthenticationService } from './authentication.service';
import { AuthorizationGuard } from './authorization.guard';
import { resolveAuthSecrets } from './bootstrap-secrets';
import {
  RbacController,
  ServiceUsersController,
  SessionController,
  TokensController,
  UsersController,
} from './identity.controllers';
import { BANNER_SINK, IdentityBootstrap, type BannerSink } from './identity-bootstrap';
import { OAuthTokenController } from './oauth-token.controller';
import { OAuthService } from './oauth.service';
import { RouteAccessModule } from './route-access-index';
import { RbacService } from './rbac.service';
import { ServiceUsersService } from './service-users.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';

const stdoutBanner: BannerSink = (text) => {
  process.stdout.write(`${text}\n`);
};

/**
 * Authentication (middleware, on every path), authorization (global guard over the @Public/@Access rules of
 * the handlers, indexed and checked at boot by RouteAccessModule), identity endpoints, the OAuth token
 * exchange, and the identity start-up.
 */
@Module({
  imports: [RouteAccessModule],
  controllers: [
    SessionController,
    UsersController,
    TokensController,
    RbacController,
    ServiceUsersController,
    OAuthTokenController,
  ],
  providers: [
    {
      provide: AUTH_SECRETS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => resolveAuthSecrets(config.auth, config.dataDir, { persist: !config.noAuth }),
    },
    { provide: BANNER_SINK, useValue: stdoutBanner },
    AuthorizationGuard,
    // The one guard instance, also used by the lean routes (http-edge/hot-routes.ts).
    { provide: APP_GUARD, useExisting: AuthorizationGuard },
    AuthenticationService,
    UsersService,
    TokensService,
    RbacService,
    ServiceUsersService,
    OAuthService,
    IdentityBootstrap,
  ],
  exports: [AuthenticationService, AuthorizationGuard],
})
export class AuthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuthenticationMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
