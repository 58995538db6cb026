import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ReadinessState } from '../health/readiness.state';
import type { MetricsService } from './metrics.service';

const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface HttpObservabilityDeps {
  metrics: MetricsService;
  /** Where the request lines go (requestLineLogger of the root logger). */
  logger: Logger;
  readiness: ReadinessState;
}

/** What the completion record of a request says; read when the response has finished. */
export interface CompletedRequest {
  /** The matched route PATTERN (`/v1/:prefix/config`), or `unmatched`. */
  route: string;
  /** The URL path without the query string (the query may carry credentials or names). */
  path: string;
  tenant?: string;
  /** True when the request was refused because the instance drains on shutdown. */
  refusedWhileDraining?: boolean;
}

/**
 * Starts observing one request, whichever path serves it (the framework pipeline or the lean read routes of
 * HotRouteDispatcher): assigns the request id (a well-formed incoming X-Request-Id is kept) and sets it on
 * the response; when the response finishes, records it in the metrics and writes one structured log line.
 * The route label is the matched route PATTERN, never the raw path, so metric cardinality stays bounded and
 * no name or secret from a path is recorded. Returns the request id.
 */
export function observeRequest(
  deps: HttpObservabilityDeps,
  req: IncomingMessage,
  res: ServerResponse,
  describe: () => CompletedRequest,
): string {
  const started = performance.now();
  const incoming = req.headers[REQUEST_ID_HEADER];
  const requestId = typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, requestId);
  res.on('finish', () => {
    const seconds = (performance.now() - started) / 1e3;
    const { route, path, tenant, refusedWhileDraining } = describe();
    deps.metrics.recordRequest(req.method ?? 'GET', route, res.statusCode, seconds);
    const quiet = path.startsWith('/health') || path === '/metrics';
    // While draining, 503 is the intended answer of a readiness probe (it tells the load balancer to stop
    // routing here), not a failure: logged like the refused requests, at info.
    const unreadyWhileDraining = deps.readiness.draining && res.statusCode === 503 && path.startsWith('/health');
    // Level checks first: the line object is only built when it is written.
    if (refusedWhileDraining || unreadyWhileDraining) {
      if (deps.logger.isLevelEnabled('info')) {
        deps.logger.info(logLine(), refusedWhileDraining ? 'request refused: shutting down' : 'not ready: shutting down');
      }
    } else if (res.statusCode >= 500) {
      deps.logger.error(logLine(), 'request failed');
    } else if (quiet) {
      if (deps.logger.isLevelEnabled('debug')) deps.logger.debug(logLine(), 'request');
    } else if (deps.logger.isLevelEnabled('info')) {
      deps.logger.info(logLine(), 'request');
    }

    function logLine() {
      return {
        requestId,
        method: req.method,
        path,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        tenant,
      };
    }
  });
  return requestId;
}

/**
 * The framework pipeline's first middleware: observes the request (above) and refuses new work while the
 * instance drains on shutdown (probes still answer).
 */
export function httpObservabilityMiddleware(
  deps: HttpObservabilityDeps,
  /** The route a request answered before routing was addressed to (see RoutePatternIndex). */
  addressedRoute: (method: string, path: string) => string | undefined = () => undefined,
) {
  const { readiness } = deps;
  return (req: Request, res: Response, next: NextFunction): void => {
    // The path as the request arrived, read once: the log line, the draining check and the route lookup
    // all use the same value.
    const path = req.path;
    const refusedWhileDraining = readiness.draining && !path.startsWith('/health');
    const requestId = observeRequest(deps, req, res, () => ({
      route: routePattern(req, path, addressedRoute),
      path,
      tenant: (req as Request & { principal?: { tenantId?: string } }).principal?.tenantId,
      refusedWhileDraining,
    }));
    (req as Request & { id: string }).id = requestId;
    if (refusedWhileDraining) {
      res.setHeader('Connection', 'close');
      res.status(503).json({ error: 'Server is shutting down' });
    } else {
      next();
    }
  };
}

function routePattern(req: Request, path: string, addressedRoute: (method: string, path: string) => string | undefined): string {
  const routePath = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof routePath === 'string' && !routePath.includes('{*')) return `${req.baseUrl}${routePath}`;
  // Answered before routing (authentication, body parsing, draining) or by a catch-all (`{*path}`: the
  // framework's middleware for every route is one, and so is the answer to unrouted paths): the route the
  // request was addressed to, or `unmatched` when no route takes it (all unrouted paths counted together).
  return addressedRoute(req.method, path) ?? 'unmatched';
}
