import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AlreadyExistsError } from '../errors';
import { DEFAULT_TENANT_ID } from '../../persistence/models';
import { TenantsPort } from '../../persistence/ports';

export const DEFAULT_TENANT_NAME = 'default';

/**
 * Makes sure the default tenant (nil UUID, name `default`) exists at every start, as Pangolin does in both
 * modes (contract management §4.6). Idempotent and safe when several instances start at once: losing the
 * insert race (AlreadyExistsError) is success.
 */
@Injectable()
export class DefaultTenantBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('DefaultTenant');

  constructor(private readonly tenants: TenantsPort) {}

  async onApplicationBootstrap(): Promise<void> {
    this.logger.warn(
      'Requests are NOT authenticated: every request acts as tenant admin of the default tenant ' +
        `(${DEFAULT_TENANT_ID}). Do not expose this server beyond a trusted network.`,
    );
    try {
      await ensureDefaultTenant(this.tenants);
    } catch (err) {
      // The server still starts: /health/ready reports the backend, and the next start retries.
      this.logger.error(
        `Could not make sure the default tenant exists: ${err instanceof Error ? err.message : String(err)}`,
        err instanceof Error ? err.stack : undefined,
      );
    }
  }
}

export async function ensureDefaultTenant(tenants: TenantsPort): Promise<void> {
  if (await tenants.getTenant(DEFAULT_TENANT_ID)) return;
  try {
    await tenants.createTenant({ id: DEFAULT_TENANT_ID, name: DEFAULT_TENANT_NAME, properties: {} });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    // Another instance created it first, or another tenant already holds the name `default`.
    if (!(await tenants.getTenant(DEFAULT_TENANT_ID))) {
      throw new Error(`A tenant named '${DEFAULT_TENANT_NAME}' exists with another id; the default tenant is missing`);
    }
  }
}
