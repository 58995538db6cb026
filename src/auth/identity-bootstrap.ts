import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AlreadyExistsError } from '../common/errors';
import { ensureDefaultTenant } from '../common/http/default-tenant.bootstrap';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DEFAULT_TENANT_ID } from '../persistence/models';
import { TenantsPort } from '../persistence/ports';
import { UsersPort } from '../persistence/ports';
import { AUTH_SECRETS, NO_AUTH_ADMIN_ID, ROOT_USER_ID, type AuthSecrets } from './auth.tokens';
import { firstStartBanner } from './bootstrap-secrets';
import { hashSecret, verifySecret } from './credentials';

/** Where the first-start banner goes: standard output, never the structured log. */
export const BANNER_SINK = Symbol('BANNER_SINK');
export type BannerSink = (text: string) => void;

/**
 * Start-up of the identity side, in both modes: the default tenant exists (contract §4.6); the stored root
 * user matches the configured or generated credential; in NO-AUTH mode the stored admin behind the
 * synthetic session exists (it has no password: nobody logs in as it) and a warning says requests are not
 * authenticated. Failures are logged and the server still starts (readiness reports the backend).
 */
@Injectable()
export class IdentityBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Identity');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUTH_SECRETS) private readonly secrets: AuthSecrets,
    @Inject(BANNER_SINK) private readonly banner: BannerSink,
    private readonly tenants: TenantsPort,
    private readonly users: UsersPort,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.noAuth) {
      this.logger.warn(
        'PANGOLIN_NO_AUTH=true: requests without credentials are NOT authenticated and act as tenant admin of the ' +
          `default tenant (${DEFAULT_TENANT_ID}). Use only on a trusted machine or network.`,
      );
    }
    const text = firstStartBanner(this.secrets);
    if (text) this.banner(text);
    await this.step('make sure the default tenant exists', () => ensureDefaultTenant(this.tenants));
    await this.step('store the root user', () => this.syncRootUser());
    if (this.config.noAuth) await this.step('store the NO-AUTH admin', () => this.ensureNoAuthAdmin());
  }

  private async step(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.error(`Could not ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The root user row mirrors the credential: created at first start, its hash refreshed when it changed. */
  private async syncRootUser(): Promise<void> {
    const { rootUser, rootPassword } = this.secrets;
    const now = new Date();
    const stored = await this.users.getUser(null, ROOT_USER_ID);
    if (stored && stored.username === rootUser) {
      if (!(await verifySecret(rootPassword, stored.passwordHash)) || !stored.active) {
        await this.users.updateUser(
          null,
          ROOT_USER_ID,
          // A new root password ends the sessions issued under the old one.
          {
            passwordHash: await hashSecret(rootPassword, this.config.auth.bcryptRounds),
            active: true,
            bumpCredentialVersion: true,
          },
          now,
        );
      }
      return;
    }
    // A renamed root: the old row (and the tokens recorded for it) go.
    if (stored) await this.users.deleteUser(null, ROOT_USER_ID);
    try {
      await this.users.createUser({
        id: ROOT_USER_ID,
        tenantId: null,
        username: rootUser,
        email: 'root@pangolin.local',
        passwordHash: await hashSecret(rootPassword, this.config.auth.bcryptRounds),
        oauthProvider: null,
        role: 'root',
        active: true,
        createdAt: now,
        updatedAt: now,
        lastLoginAt: null,
        credentialVersion: 0,
      });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error; // another instance started at the same time
    }
  }

  private async ensureNoAuthAdmin(): Promise<void> {
    if (await this.users.getUser(DEFAULT_TENANT_ID, NO_AUTH_ADMIN_ID)) return;
    const now = new Date();
    try {
      await this.users.createUser({
        id: NO_AUTH_ADMIN_ID,
        tenantId: DEFAULT_TENANT_ID,
        username: this.config.auth.adminUser,
        email: `${this.config.auth.adminUser}@example.com`,
        passwordHash: null,
        oauthProvider: null,
        role: 'tenant-admin',
        active: true,
        createdAt: now,
        updatedAt: now,
        lastLoginAt: null,
        credentialVersion: 0,
      });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
    }
  }
}
