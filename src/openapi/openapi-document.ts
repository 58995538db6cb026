import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Access } from '../auth/access';
import { RouteAccessIndex } from '../auth/route-access-index';
import icebergReference from './reference/iceberg-rest-catalog.openapi.json';
import managementReference from './reference/pangolin-management.openapi.json';
import { EXTRA_OPERATIONS, EXTRA_SCHEMAS } from './extra-operations';
import { exampleFromSchema } from './schema-example';

/**
 * The OpenAPI document served at /api-docs/openapi.json.
 *
 * Routes come from the application itself (Nest's scan of every controller), so a registered route can never
 * be missing. Request and response schemas come from the reference documents kept in ./reference: the Iceberg
 * REST OpenAPI document for /v1 routes (both URL styles map onto it) and Pangolin v0.4.0's export for /api
 * routes, plus ./extra-operations.ts for routes neither describes. Responses without an example get one
 * generated from their schema. Whether an operation needs a credential comes from the access rule declared on
 * its handler (RouteAccessIndex), as the service enforces it.
 */

type Json = Record<string, any>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const MANAGEMENT_SCHEMA_PREFIX = 'Pangolin';
const BEARER_SCHEME = 'bearer';
const API_KEY_SCHEME = 'api-key';

/** The explorer's own paths, mounted by setupOpenApi; they need no credential. */
const EXPLORER_PUBLIC_PATHS = [
  '/swagger-ui',
  '/swagger-ui/',
  '/swagger-ui/:asset',
  '/swagger-ui/swagger-ui/:asset',
  '/api-docs/openapi.json',
];

export function buildOpenApiDocument(app: INestApplication): Json {
  const scanned = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Pangolin Catalog API')
      .setVersion('1.0.0')
      .setDescription('Apache Iceberg REST catalog (/v1) and Pangolin management API (/api/v1)')
      .addBearerAuth(undefined, BEARER_SCHEME)
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, API_KEY_SCHEME)
      .build(),
  ) as unknown as Json;

  const iceberg = icebergReference as Json;
  const management = managementReference as Json;
  const icebergComponents = copyIcebergComponents(iceberg);
  const document: Json = {
    ...scanned,
    components: {
      ...(scanned.components ?? {}),
      ...icebergComponents,
      securitySchemes: { ...(scanned.components?.securitySchemes ?? {}), ...(icebergComponents.securitySchemes ?? {}) },
      schemas: {
        ...(scanned.components?.schemas ?? {}),
        ...iceberg.components.schemas,
        ...prefixManagementSchemas(management.components.schemas),
        ...EXTRA_SCHEMAS,
      },
    },
    paths: {},
  };
  const icebergIndex = indexByShape(iceberg.paths);
  const managementIndex = indexByShape(management.paths);
  const routes = app.get(RouteAccessIndex);

  for (const [path, item] of Object.entries(scanned.paths as Json)) {
    const out: Json = {};
    for (const method of HTTP_METHODS) {
      const scannedOperation = (item as Json)[method];
      if (!scannedOperation) continue;
      const reference = findReferenceOperation(path, method, icebergIndex, managementIndex);
      out[method] = mergeOperation(scannedOperation, reference, path, method);
      out[method].security = securityOf(routes.accessFor(method, path.replace(/\{([^}]+)\}/g, ':$1')));
    }
    document.paths[path] = out;
  }
  addGeneratedExamples(document);
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  app.get(RouteAccessIndex).addMountedPublicPaths(EXPLORER_PUBLIC_PATHS);
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('swagger-ui', app, document as never, {
    jsonDocumentUrl: 'api-docs/openapi.json',
    raw: ['json'],
  });
}

/** No requirement for a public route; otherwise a bearer token (JWT or Basic for root) or a service user's API key. */
function securityOf(access: Access | undefined): Json[] {
  return access?.kind === 'public' ? [] : [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
}

/** Iceberg components other than schemas (responses, parameters, examples, security schemes). */
function copyIcebergComponents(iceberg: Json): Json {
  const { schemas: _schemas, ...rest } = iceberg.components;
  return rest;
}

function prefixManagementSchemas(schemas: Json): Json {
  const out: Json = {};
  for (const [name, schema] of Object.entries(schemas)) {
    out[MANAGEMENT_SCHEMA_PREFIX + name] = rewriteManagementRefs(schema);
  }
  return out;
}

function rewriteManagementRefs<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value).replace(/"#\/components\/schemas\/([^"]+)"/g, `"#/components/schemas/${MANAGEMENT_SCHEMA_PREFIX}$1"`),
  ) as T;
}

/** `/v1/{prefix}/namespaces/{namespace}` -> `/v1/{}/namespaces/{}`: parameter names do not matter for matching. */
function shape(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

function indexByShape(paths: Json): Map<string, Json> {
  const index = new Map<string, Json>();
  for (const [path, item] of Object.entries(paths)) index.set(shape(path), item as Json);
  return index;
}

/**
 * The doubled Iceberg URL style (`/v1/{prefix}/v1/...`) and the prefixed config route map onto the spec's
 * single-prefix paths.
 */
function icebergSpecShape(path: string): string {
  const s = shape(path);
  // Pangolin's management-side aliases of the OAuth token endpoint.
  if (s === '/api/v1/iceberg/{}/oauth/tokens' || s === '/api/v1/iceberg/{}/v1/oauth/tokens') return '/v1/oauth/tokens';
  if (s === '/v1/{}/v1/config' || s === '/v1/{}/config') return '/v1/config';
  if (s === '/v1/{}/v1/oauth/tokens' || s === '/v1/{}/oauth/tokens') return '/v1/oauth/tokens';
  return s.replace(/^\/v1\/\{\}\/v1\//, '/v1/{}/');
}

function findReferenceOperation(
  path: string,
  method: string,
  iceberg: Map<string, Json>,
  management: Map<string, Json>,
): Json | undefined {
  const extra = EXTRA_OPERATIONS[`${method.toUpperCase()} ${shape(path)}`];
  if (extra) return extra;
  if (path.startsWith('/v1/') || path.startsWith('/api/v1/iceberg/')) {
    const item = iceberg.get(icebergSpecShape(path));
    if (item?.[method]) return withPathLevelParameters(item, method);
  }
  if (path.startsWith('/api/')) {
    const item = management.get(shape(path));
    if (item?.[method]) return rewriteManagementRefs(item[method]);
  }
  return undefined;
}

function withPathLevelParameters(item: Json, method: string): Json {
  const operation = item[method];
  const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
  return { ...operation, parameters };
}

/**
 * Keeps the scanned operation's path parameters (their names match the real route) and takes everything else
 * from the reference. Reference path parameters are dropped: the scanned ones already describe the route.
 */
function mergeOperation(scanned: Json, reference: Json | undefined, path: string, method: string): Json {
  const scannedParameters: Json[] = (scanned.parameters ?? []).filter((p: Json) => p.in === 'path');
  const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => {
    return scannedParameters.find((p) => p.name === name) ?? { name, in: 'path', required: true, schema: { type: 'string' } };
  });
  if (!reference) {
    return { ...scanned, parameters: pathParameters, 'x-undocumented': true };
  }
  const referenceOtherParameters = (reference.parameters ?? []).filter((p: Json) => p.in !== 'path');
  return {
    ...scanned,
    ...reference,
    operationId: scanned.operationId ?? `${method}${path}`,
    tags: reference.tags ?? scanned.tags,
    parameters: [...pathParameters, ...referenceOtherParameters],
  };
}

function addGeneratedExamples(document: Json): void {
  const resolve = (ref: string): Json | undefined => {
    const parts = ref.replace(/^#\//, '').split('/');
    let node: any = document;
    for (const part of parts) node = node?.[part];
    return node;
  };
  const fill = (content: Json | undefined) => {
    for (const media of Object.values(content ?? {}) as Json[]) {
      if (media.schema && media.example === undefined && media.examples === undefined) {
        media.example = exampleFromSchema(media.schema, resolve);
      }
    }
  };
  for (const item of Object.values(document.paths) as Json[]) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const body = operation.requestBody?.$ref ? resolve(operation.requestBody.$ref) : operation.requestBody;
      fill(body?.content);
      for (const response of Object.values(operation.responses ?? {}) as Json[]) {
        if (response.$ref) continue; // shared component responses carry their own examples
        fill(response.content);
      }
    }
  }
}
