import type { Type } from '@nestjs/common';
import type { Authenticated } from '../auth/authentication.service';

/**
 * What a hot route answers: a JSON value; the UTF-8 text of one, serialized ahead (a constant answer); or
 * JSON bytes already spliced together (a LoadTableResult), sent as they are.
 */
export type HotRouteResult =
  | { status: number; json: unknown }
  | { status: number; jsonUtf8: Buffer }
  | { status: number; jsonChunks: readonly Uint8Array[]; byteLength: number };

export interface HotRouteRequest {
  /** Route parameters, percent-decoded exactly as the framework router decodes them. */
  params: Record<string, string>;
  /** The query parameters the route declared, when present (each at most once). */
  query: Record<string, string>;
  /** The caller; undefined on public routes. */
  caller?: Authenticated;
  /** POST routes: the raw body bytes, as the framework's raw-body parser gives them to the controller. */
  body?: Buffer;
}

/** The lean counterpart of a controller method: the same service call, answered without the framework. */
export type HotRouteHandler = (request: HotRouteRequest) => Promise<HotRouteResult> | HotRouteResult;

export interface HotRouteOptions {
  /** Query parameters the route reads; a request carrying any other one is left to the framework. */
  queryParameters?: readonly string[];
}

export interface HotRouteMarker<T = unknown> extends HotRouteOptions {
  /** The provider holding the lean handler (registered by the controller's module). */
  provider: Type<T>;
  select: (handlers: T) => HotRouteHandler;
}

const HOT_ROUTE = 'pangolin:hot-route';

/**
 * Marks a controller method (GET, or POST taking the raw JSON body bytes) as ALSO served on the lean path
 * (src/http-edge/hot-routes.ts), by the handler `select` picks from `provider`. Its paths, method and access
 * rule are the controller method's own, so the two paths cannot disagree on them.
 */
export function HotRoute<T>(
  provider: Type<T>,
  select: (handlers: T) => HotRouteHandler,
  options: HotRouteOptions = {},
): MethodDecorator {
  const marker: HotRouteMarker<T> = { provider, select, ...options };
  return (_target, _propertyKey, descriptor) => {
    Reflect.defineMetadata(HOT_ROUTE, marker, descriptor.value as object);
    return descriptor;
  };
}

export function hotRouteMarkerOf(handler: object): HotRouteMarker | undefined {
  return Reflect.getMetadata(HOT_ROUTE, handler) as HotRouteMarker | undefined;
}
