import { Injectable } from '@nestjs/common';

export interface IcebergCatalogConfig {
  defaults: Record<string, string>;
  overrides: Record<string, string>;
  endpoints: string[];
}

/**
 * Endpoints this server implements, in the spec's `<VERB> <path>` form. Advertising them makes PyIceberg and
 * Java use HEAD for existence checks. Pangolin's SQL views are not Iceberg views and are never listed, nor
 * is `transactions/commit` (no cross-table atomicity).
 */
export const ICEBERG_ENDPOINTS: readonly string[] = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/tables/rename',
];

/**
 * The catalog configuration answered by the public config routes. It is the same for every prefix: the
 * route is unauthenticated, so it never carries credentials or anything tenant-specific.
 */
@Injectable()
export class IcebergConfigService {
  private readonly config: IcebergCatalogConfig;

  constructor() {
    // Read once at boot, like the rest of the configuration.
    const env = process.env;
    const defaults: Record<string, string> = { 'header.X-Iceberg-Access-Delegation': 'vended-credentials' };
    const endpoint = nonEmpty(env.S3_ENDPOINT) ?? nonEmpty(env.AWS_ENDPOINT_URL);
    if (endpoint) defaults['s3.endpoint'] = endpoint;
    const region = nonEmpty(env.AWS_REGION);
    if (region) defaults['s3.region'] = region;
    this.config = { defaults, overrides: {}, endpoints: [...ICEBERG_ENDPOINTS] };
  }

  catalogConfig(): IcebergCatalogConfig {
    return {
      defaults: { ...this.config.defaults },
      overrides: {},
      endpoints: [...this.config.endpoints],
    };
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
