import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { json } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { AppModule, AppModuleOptions } from './app.module';
import type { AppConfig } from './config/config';
import { ReadinessState } from './health/readiness.state';
import { jsonBodyGuard, markInvalidUtf8 } from './common/http/json-body-guard';
import { icebergRawBodyParser } from './iceberg/http/raw-body';
import { httpObservabilityMiddleware } from './observability/http-observability.middleware';
import { createRootLogger, PinoNestLogger, requestLineLogger } from './observability/logger';
import { MetricsService } from './observability/metrics.service';
import { setupOpenApi } from './openapi/openapi-document';
import { AuthenticationService } from './auth/authentication.service';
import { AuthorizationGuard } from './auth/authorization.guard';
import { RouteAccessIndex } from './auth/route-access-index';
import { HotRouteDispatcher, hotRoutesOf } from './http-edge/hot-routes';
import { RoutePatternIndex } from './common/http/route-patterns';

/**
 * Builds the configured HTTP application (used by main.ts and by the e2e tests, so both run the same
 * pipeline: body limits, filters, logging, metrics, shutdown hooks).
 */
export interface CreateAppOptions extends AppModuleOptions {
  logDestination?: DestinationStream;
  /**
   * Serve the hot routes (config, loadTable, table commit, liveness) on the lean path (default true). False
   * sends every request through the framework: the equivalence test compares both.
   */
  hotRoutes?: boolean;
}

/**
 * Node closes an idle keep-alive connection after 5 s by default, sooner than load balancers (60 s and more)
 * and engines' pools reuse one: a request sent as the server closes gets a reset. These keep it open longer.
 */
export function applyHttpTimeouts(server: Server, timeouts: AppConfig['http']): void {
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  // Node expects the whole-request timeout to be at least the headers timeout.
  if (server.requestTimeout > 0 && server.requestTimeout < timeouts.headersTimeoutMs) server.requestTimeout = timeouts.headersTimeoutMs;
}

export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const logger = createRootLogger(config, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger, options), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    // Not forced: a forced close would destroy in-flight requests (commits). Node closes idle keep-alive
    // sockets itself when the server closes.
    forceCloseConnections: false,
  });
  // Neither header is of use to a client: X-Powered-By only advertises the framework, and a weak ETag of each
  // JSON answer costs a hash per response while no route honours If-None-Match.
  applyHttpTimeouts(app.getHttpServer(), config.http);
  app.disable('x-powered-by');
  app.set('etag', false);
  const observability = { metrics: app.get(MetricsService), logger: requestLineLogger(logger), readiness: app.get(ReadinessState) };
  // Built on first use: the routes are registered when the application initialises, after this point (and
  // not kept while still empty, should a request come before that).
  let routeIndex: RoutePatternIndex | undefined;
  const addressedRoute = (method: string, path: string) => {
    if (!routeIndex || routeIndex.size === 0) routeIndex = RoutePatternIndex.fromExpressApplication(app.getHttpAdapter().getInstance());
    return routeIndex.match(method, path);
  };
  app.use(httpObservabilityMiddleware(observability, addressedRoute));
  // Iceberg bodies stay raw bytes (lossless 64-bit ids, parsed off the main thread); before the JSON parser.
  app.use('/v1', icebergRawBodyParser(config.maxBodyBytes));
  // express.json directly rather than useBodyParser, whose options type leaves out `verify`.
  app.use(json({ limit: config.maxBodyBytes, verify: markInvalidUtf8 }));
  app.use(jsonBodyGuard());
  app.enableCors((req, callback) =>
    callback(null, {
      origin: true,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'accept', 'x-pangolin-tenant', 'x-api-key', 'if-none-match'],
      // Only a CORS response (to a request with Origin) is read for exposed headers, so an engine's request
      // does not carry the header (Vary: Origin keeps a shared cache from mixing the two kinds of answer).
      exposedHeaders: req.headers.origin === undefined ? undefined : ['x-request-id', 'etag', 'x-pangolin-purged-files'],
    }),
  );
  setupOpenApi(app);
  if (options.hotRoutes !== false) {
    const hotRoutes = new HotRouteDispatcher(
      { observability, authentication: app.get(AuthenticationService), authorization: app.get(AuthorizationGuard), config },
      // The controller methods marked @HotRoute, with the lean handlers their modules provide.
      hotRoutesOf(app.get(RouteAccessIndex), (provider) => app.get(provider, { strict: false })),
    );
    hotRoutes.install(app.getHttpServer());
  }
  // process.exit(0) once the shutdown hooks have run (Nest's default re-raises the signal, so a clean drain
  // would end with "killed by SIGTERM", status 143); exiting also lets pino flush its last lines.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}
