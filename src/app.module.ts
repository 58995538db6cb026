import { DynamicModule, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { HttpCommonModule } from './common/http/http-common.module';
import { CatalogsModule } from './catalogs/catalogs.module';
import { HealthModule } from './health/health.module';
import { IcebergModule } from './iceberg/iceberg.module';
import { ObservabilityModule } from './observability/observability.module';
import { PersistenceModule } from './persistence/persistence.module';
import type { PersistencePorts } from './persistence/persistence-ports';
import { TenantsModule } from './tenants/tenants.module';
import { WarehousesModule } from './warehouses/warehouses.module';
import { AssetsModule } from './assets/assets.module';
import { BranchesModule } from './branches/branches.module';
import { CommitsModule } from './commits/commits.module';
import { MergesModule } from './merges/merges.module';
import { TagsModule } from './tags/tags.module';
import { AuthModule } from './auth/auth.module';

export interface AppModuleOptions {
  /** Already-opened persistence (tests); otherwise the backend named by the configuration is opened. */
  persistence?: PersistencePorts;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot({ logger, metricsEnabled: config.metricsEnabled }),
        options.persistence ? PersistenceModule.forPorts(options.persistence, config.lookupCacheMs) : PersistenceModule.forRoot(config),
        HttpCommonModule,
        AuthModule,
        HealthModule,
        TenantsModule,
        WarehousesModule,
        CatalogsModule,
        IcebergModule,
        BranchesModule,
        CommitsModule,
        TagsModule,
        MergesModule,
        AssetsModule,
      ],
    };
  }
}
