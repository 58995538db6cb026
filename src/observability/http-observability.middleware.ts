import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ReadinessState } from '../health/readiness.state';
import type { MetricsService } from './metrics.service';

const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * One middleware in front of every route: assigns a request id (a well-formed incoming X-Request-Id is kept),
 * refuses new work while the instance drains on shutdown (probes still answer), and on completion records the
 * request in the metrics and writes one structured log line. The route label is the matched route PATTERN,
 * never the raw path, so metric cardinality stays bounded and no name or secret from a path is recorded.
 */
export function httpObservabilityMiddleware(deps: { metrics: MetricsService; logger: Logger; readiness: ReadinessState }) {
  const { metrics, logger, readiness } = deps;
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const incoming = req.header(REQUEST_ID_HEADER);
    const requestId = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as Request & { id: string }).id = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);

    const refusedWhileDraining = readiness.draining && !req.path.startsWith('/health');
    if (refusedWhileDraining) {
      res.setHeader('Connection', 'close');
      res.status(503).json({ error: 'Server is shutting down' });
    } else {
      next();
    }

    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routePattern(req);
      metrics.recordRequest(req.method, route, res.statusCode, seconds);
      const principal = (req as Request & { principal?: { tenantId?: string } }).principal;
      const line = {
        requestId,
        method: req.method,
        path: req.path,
        route,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        tenant: principal?.tenantId,
      };
      if (refusedWhileDraining) logger.info(line, 'request refused: shutting down');
      else if (res.statusCode >= 500) logger.error(line, 'request failed');
      else if (req.path.startsWith('/health') || req.path === '/metrics') logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
  };
}

function routePattern(req: Request): string {
  const routePath = (req.route as { path?: unknown } | undefined)?.path;
  // A catch-all (`{*path}`) only answers unrouted paths: count those together.
  if (typeof routePath === 'string' && !routePath.includes('{*')) return `${req.baseUrl}${routePath}`;
  return 'unmatched';
}
