import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { BadRequestException, Logger, type Type } from '@nestjs/common';
import type { Access } from '../auth/access';
import { authenticateHttpRequest } from '../auth/authentication.middleware';
import type { AuthenticationService } from '../auth/authentication.service';
import type { AuthorizationGuard } from '../auth/authorization.guard';
import type { RouteAccessIndex } from '../auth/route-access-index';
import type { AppConfig } from '../config/config';
import { HttpObservabilityDeps, observeRequest } from '../observability/http-observability.middleware';
import { errorBodyFor } from '../common/http/api-exception.filter';
import { classifyError } from '../common/http/error-classification';
import { sendJsonChunks } from '../common/http/json-chunks-response';
import { hasJsonOrNoMediaType } from '../common/http/json-media-type';
import { logIfServerFault } from '../common/http/management-exception.filter';
import { CompiledPattern, compilePattern, matchPattern } from '../common/http/route-patterns';
import { hotRouteMarkerOf, type HotRouteHandler, type HotRouteRequest, type HotRouteResult } from './hot-route';

/**
 * A route that is ALSO served by a controller, answered here without the framework when the request is plain
 * (see HotRouteDispatcher). Everything but `handle` is the controller method's: `pattern` is its route
 * pattern (the same label in metrics and logs), `access` the rule declared on it.
 */
export interface HotRoute {
  method: 'GET' | 'POST';
  pattern: string;
  /** Query parameters the route reads; a request carrying any other one is left to the framework. */
  queryParameters: readonly string[];
  access: Access;
  handle: HotRouteHandler;
}

/**
 * The hot routes of the application: every routed controller method marked @HotRoute, once per path, with
 * the lean handler taken from the provider the marker names (`resolve` looks providers up in the application).
 */
export function hotRoutesOf(index: RouteAccessIndex, resolve: <T>(provider: Type<T>) => T): HotRoute[] {
  const routes: HotRoute[] = [];
  for (const routed of index.routes) {
    const marker = hotRouteMarkerOf(routed.handler);
    if (!marker) continue;
    // A programming error, caught at boot: the lean path reads no other method's request.
    if (routed.method !== 'GET' && routed.method !== 'POST') {
      throw new Error(`${routed.name}: a hot route is GET or POST, not ${routed.method}`);
    }
    routes.push({
      method: routed.method,
      pattern: routed.pattern,
      queryParameters: marker.queryParameters ?? [],
      access: routed.access,
      handle: marker.select(resolve(marker.provider)),
    });
  }
  return routes;
}

export interface HotRouteDeps {
  observability: HttpObservabilityDeps;
  authentication: AuthenticationService;
  authorization: AuthorizationGuard;
  config: AppConfig;
}

interface CompiledRoute {
  route: HotRoute;
  method: 'GET' | 'POST';
  compiled: CompiledPattern;
  /** A public route (no authentication, as AuthenticationMiddleware decides from the same metadata). */
  isPublic: boolean;
  /** A public GET: nothing to read, authenticate or authorize, so nothing to wait for. */
  isOpen: boolean;
}

/**
 * The lean path for the few routes engines call all the time: the reads of every query (GET /v1/config,
 * loadTable, the liveness probe) and the table commit. Express + Nest cost several times more CPU per request
 * than the work of the reads (measured: a bare node:http server answers ~4x more requests/s than an empty
 * Express route, ~7x more than an empty Nest route), and about a tenth of the event loop's time under a
 * commit load. A plain request to one of them is answered here, before the framework, through the SAME steps
 * the framework pipeline runs: request id, metrics and log line (observeRequest), the body read as raw bytes
 * (as the Iceberg raw-body parser does, before authentication), authentication (authenticateHttpRequest), the
 * route's access rule (AuthorizationGuard.authorize), the same service call as the controller, and the
 * same error bodies (errorBodyFor).
 *
 * Anything that is not plain goes to the framework unchanged: other methods; a GET with a body; a POST whose
 * body has no Content-Length, is empty or above the body limit, is compressed, or has a media type the raw
 * parser would not read; an `Origin` header (CORS); unknown query parameters; an undecodable or
 * non-canonical path (case, trailing slash, empty segments); and every request while the instance drains on
 * shutdown. A test sends the same requests through both paths and compares the answers.
 */
export class HotRouteDispatcher {
  private readonly logger = new Logger('HttpErrors');
  private readonly routes: CompiledRoute[];

  constructor(
    private readonly deps: HotRouteDeps,
    routes: readonly HotRoute[],
  ) {
    this.routes = routes.map((route) => {
      const isPublic = route.access.kind === 'public';
      return { route, method: route.method, compiled: compilePattern(route.pattern), isPublic, isOpen: isPublic && route.method === 'GET' };
    });
  }

  /**
   * Makes `server` offer every request to this dispatcher first; what it does not take goes to the
   * listeners the server had (the framework).
   */
  install(server: Server): void {
    const framework = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
    // Without the framework's listener every other request would hang: refuse to start instead.
    if (framework.length === 0) throw new Error('HotRouteDispatcher: the HTTP server has no request listener to fall back to');
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.tryHandle(req, res)) return;
      for (const listener of framework) listener.call(server, req, res);
    });
  }

  /** True when the request was taken (it is then answered asynchronously). */
  tryHandle(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.deps.observability.readiness.draining || req.headers.origin !== undefined) return false;
    const method = req.method;
    if (method === 'GET') {
      if (hasBody(req)) return false;
    } else if (method !== 'POST' || !hasPlainJsonBody(req, this.deps.config.maxBodyBytes)) {
      return false;
    }
    const url = req.url ?? '';
    const queryStart = url.indexOf('?');
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    const matched = this.match(method, path);
    if (!matched) return false;
    const query = queryStart < 0 ? {} : declaredQuery(url.slice(queryStart + 1), matched.compiled.route.queryParameters);
    if (!query) return false;
    this.serve(req, res, path, matched.compiled, matched.params, query);
    return true;
  }

  private match(method: string, path: string): { compiled: CompiledRoute; params: Record<string, string> } | undefined {
    const parts = path.split('/');
    if (parts[0] !== '') return undefined;
    const segments = parts.slice(1);
    for (const compiled of this.routes) {
      if (compiled.method !== method) continue;
      // Exact literals only: a path in another case or with a trailing slash is the framework's to answer.
      const params = matchPattern(compiled.compiled, segments, decodeSegment);
      if (params) return { compiled, params };
    }
    return undefined;
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    compiled: CompiledRoute,
    params: Record<string, string>,
    query: Record<string, string>,
  ): void {
    const { route } = compiled;
    const request: HotRouteRequest = { params, query };
    observeRequest(this.deps.observability, req, res, () => ({ route: route.pattern, path, tenant: request.caller?.principal.tenantId }));
    // The header the framework's CORS layer sets on a request without Origin.
    res.setHeader('Vary', 'Origin');
    if (!compiled.isOpen) {
      void this.authorizeAndAnswer(req, res, path, compiled, request);
      return;
    }
    // Open route (config, liveness): no credential or grant to check, answered without waiting when the
    // handler returns its answer directly.
    try {
      const result = route.handle(request);
      if (result instanceof Promise) result.then((answer) => send(res, answer), (error: unknown) => this.fail(req, res, path, error));
      else send(res, result);
    } catch (error) {
      this.fail(req, res, path, error);
    }
  }

  private async authorizeAndAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    compiled: CompiledRoute,
    request: HotRouteRequest,
  ): Promise<void> {
    try {
      // The framework reads the body (raw-body parser) before its authentication middleware runs.
      if (compiled.method === 'POST') request.body = await readBody(req);
      if (!compiled.isPublic) request.caller = await authenticateHttpRequest(this.deps.authentication, this.deps.config, req, res);
      await this.deps.authorization.authorize(compiled.route.access, {
        request: { params: request.params, query: request.query, body: request.body },
        principal: request.caller?.principal,
        session: request.caller?.session,
      });
      send(res, await compiled.route.handle(request));
    } catch (error) {
      this.fail(req, res, path, error);
    }
  }

  /** The error answer, exactly as the framework's exception filter gives it. */
  private fail(req: IncomingMessage, res: ServerResponse, path: string, exception: unknown): void {
    const error = classifyError(exception);
    logIfServerFault(this.logger, req, exception, error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    send(res, { status: error.status, json: errorBodyFor(path, error) });
  }
}

function send(res: ServerResponse, result: HotRouteResult): void {
  res.statusCode = result.status;
  if ('json' in result || 'jsonUtf8' in result) {
    const body = 'jsonUtf8' in result ? result.jsonUtf8 : Buffer.from(JSON.stringify(result.json), 'utf8');
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', body.byteLength);
    res.end(body);
    return;
  }
  sendJsonChunks(res, result.status, { chunks: result.jsonChunks, byteLength: result.byteLength });
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A body the lean path reads exactly as the framework's raw-body parser would: a Content-Length between 1 and
 * the limit (a larger one is the framework's 413), not chunked, not compressed (the parser inflates), and a
 * media type the parser reads.
 */
function hasPlainJsonBody(req: IncomingMessage, limitBytes: number): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return false;
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return false;
  const length = req.headers['content-length'];
  if (length === undefined || !/^[0-9]{1,15}$/.test(length)) return false;
  const bytes = Number(length);
  return bytes > 0 && bytes <= limitBytes && hasJsonOrNoMediaType(req);
}

/** The whole body (its length is the Content-Length, which Node's parser enforces). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    // The client went away mid-body: the framework's parser answers 400 (to nobody) as well.
    const aborted = () => reject(new BadRequestException('request aborted'));
    req.on('error', aborted);
    req.on('close', () => {
      if (!ended) aborted();
    });
  });
}

/** Percent-decoding as the router does it; undefined when it fails or yields a path separator. */
function decodeSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    const decoded = decodeURIComponent(segment);
    return decoded.includes('/') ? undefined : decoded;
  } catch {
    return undefined;
  }
}

/**
 * The query as a map when it holds only declared parameters, each once and decodable; else undefined (the
 * framework answers such requests, with its own parsing of repeated and unknown parameters).
 */
function declaredQuery(queryString: string, declared: readonly string[]): Record<string, string> | undefined {
  const query: Record<string, string> = {};
  if (queryString === '') return query;
  for (const pair of queryString.split('&')) {
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    if (!declared.includes(key) || Object.prototype.hasOwnProperty.call(query, key)) return undefined;
    query[key] = value;
  }
  return query;
}
