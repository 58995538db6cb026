/**
 * Operations that neither reference document describes: this project's additions (probes, metrics, branch
 * history and deletion, ...). Keyed by `METHOD /path/with/{}` (parameter names do not matter). Who may call
 * a route is not said here: the document takes it from the handler's @Public/@Access rule.
 */
import { ASSET_KINDS } from '../persistence/models';

type Json = Record<string, any>;

const json = (schema: Json, description = 'OK'): Json => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string): Json => json(ref('ManagementError'), description);

const stringMap: Json = { type: 'object', additionalProperties: { type: 'string' } };

export const EXTRA_SCHEMAS: Record<string, Json> = {
  // Referenced but not defined by Pangolin v0.4.0's own export (names as prefixed there).
  PangolinUpdateTenantRequest: { type: 'object', properties: { name: { type: 'string' }, properties: stringMap } },
  PangolinCreateTagRequest: {
    type: 'object',
    required: ['name', 'catalog', 'commit_id'],
    properties: { name: { type: 'string' }, catalog: { type: 'string' }, commit_id: { type: 'string', format: 'uuid' } },
  },
  'Pangolincrate.iceberg_handlers.TableIdentifier': {
    type: 'object',
    required: ['namespace', 'name'],
    properties: { namespace: { type: 'array', items: { type: 'string' } }, name: { type: 'string' } },
  },
  PangolinTokenInfo: {
    type: 'object',
    required: ['id', 'tenant_id', 'user_id', 'username', 'expires_at', 'created_at', 'is_valid'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      tenant_id: { type: 'string', format: 'uuid', nullable: true },
      user_id: { type: 'string', format: 'uuid' },
      username: { type: 'string', example: 'analyst' },
      expires_at: { type: 'string', format: 'date-time' },
      created_at: { type: 'string', format: 'date-time' },
      is_valid: { type: 'boolean' },
    },
  },
  PangolinAssetType: { type: 'string', enum: [...ASSET_KINDS] },
  'Pangolinpangolin_core.model.CatalogType': { type: 'string', enum: ['Local', 'Federated'] },
  'Pangolinpangolin_core.model.FederatedCatalogConfig': { type: 'object', properties: { properties: stringMap } },
  ManagementError: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string', example: 'Catalog not found' } },
  },
  Liveness: { type: 'object', properties: { status: { type: 'string', enum: ['alive'] } } },
  Readiness: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['ready', 'draining', 'unready'] },
      store: { type: 'string', enum: ['ok', 'unreachable'] },
      store_latency_ms: { type: 'number', example: 0.42 },
    },
  },
  Asset: {
    type: 'object',
    required: ['id', 'name', 'kind', 'location', 'properties'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string', example: 'orders' },
      kind: { type: 'string', example: 'ICEBERG_TABLE' },
      location: { type: 'string', example: 's3://warehouse/analytics/sales/orders' },
      properties: stringMap,
    },
  },
  CommitOperation: {
    oneOf: [
      { type: 'object', properties: { Put: { type: 'object', properties: { asset: ref('Asset') } } } },
      { type: 'object', properties: { Delete: { type: 'object', properties: { name: { type: 'string', example: 'sales.orders' } } } } },
    ],
  },
  Commit: {
    type: 'object',
    required: ['id', 'parent_id', 'timestamp', 'author', 'message', 'operations'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      parent_id: { type: 'string', format: 'uuid', nullable: true },
      timestamp: { type: 'integer', format: 'int64', example: 1767225600000 },
      author: { type: 'string', example: 'admin' },
      message: { type: 'string', example: 'iceberg commit sales.orders' },
      operations: { type: 'array', items: ref('CommitOperation') },
    },
  },
};

export const EXTRA_OPERATIONS: Record<string, Json> = {
  'GET /health': {
    summary: 'Readiness (alias of /health/ready)',
    tags: ['health'],
    responses: { '200': json(ref('Readiness')), '503': json(ref('Readiness'), 'Not ready or draining') },
  },
  'GET /health/live': {
    summary: 'Liveness: the process answers; checks no dependency',
    tags: ['health'],
    responses: { '200': json(ref('Liveness')) },
  },
  'GET /health/ready': {
    summary: 'Readiness: the metadata backend answers and the instance is not draining',
    tags: ['health'],
    responses: { '200': json(ref('Readiness')), '503': json(ref('Readiness'), 'Not ready or draining') },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    tags: ['operations'],
    responses: {
      '200': {
        description: 'Prometheus text exposition format',
        content: { 'text/plain': { schema: { type: 'string' }, example: 'pangolin_ready 1\n' } },
      },
    },
  },
  'GET /api/v1/branches/{}/commits': {
    summary: 'Commit history of a branch, newest first (one ancestry query)',
    tags: ['branches'],
    parameters: [
      { name: 'catalog', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'integer', default: 100, minimum: 0 } },
      { name: 'offset', in: 'query', required: false, schema: { type: 'integer', default: 0, minimum: 0 } },
    ],
    responses: {
      '200': json({ type: 'array', items: ref('Commit') }),
      '400': error('Missing or invalid query parameter'),
      '404': error('Catalog or branch not found'),
    },
  },
  'GET /api/v1/catalogs/{}/namespaces/{}/assets/{}': {
    summary: 'Get a generic asset registered on main (namespace levels joined by dots)',
    tags: ['Assets'],
    responses: { '200': json(ref('Asset')), '404': error('Catalog or asset not found') },
  },
  'GET /api/v1/app-config': {
    summary: 'Public application configuration: whether authentication is enabled',
    tags: ['System Config'],
    responses: {
      '200': json({ type: 'object', required: ['auth_enabled'], properties: { auth_enabled: { type: 'boolean' } } }),
    },
  },
  'POST /api/v1/auth/cleanup-tokens': {
    summary: 'Delete expired token records (tenant admin: own tenant; root: all)',
    tags: ['Tokens'],
    responses: {
      '200': json({
        type: 'object',
        required: ['message', 'count'],
        properties: { message: { type: 'string', example: 'Cleaned up 3 expired tokens' }, count: { type: 'integer' } },
      }),
      '403': error('Forbidden'),
    },
  },
  'DELETE /api/v1/branches/{}': {
    summary: 'Delete a branch and its asset rows (main cannot be deleted)',
    tags: ['branches'],
    parameters: [{ name: 'catalog', in: 'query', required: true, schema: { type: 'string' } }],
    responses: { '204': { description: 'Deleted' }, '404': error('Branch not found'), '409': error('main cannot be deleted') },
  },
};
