import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetadataWorkersModule } from '../metadata-workers';
import { StorageModule } from '../storage';
import { IcebergConfigController } from './http/config.controller';
import { IcebergHotRoutes } from './http/iceberg-hot-routes';
import { IcebergNamespacesController } from './http/namespaces.controller';
import { IcebergTablesController } from './http/tables.controller';
import { IcebergCatalogService } from './iceberg-catalog.service';
import { IcebergConfigService } from './iceberg-config.service';
import { NamespaceService } from './namespace.service';
import { TablePurgeService } from './purge/table-purge.service';
import { TableAdminService } from './table-admin.service';
import { TableCommitsService } from './table-commits.service';
import { TableContext } from './table-context';
import { TableReadsService } from './table-reads.service';

/**
 * The Iceberg REST catalog surface (`/v1/...`): config, namespaces, tables. Request bodies of these routes
 * arrive as raw bytes (icebergRawBodyParser, mounted by createApp before the JSON parser).
 */
@Module({
  imports: [StorageModule, MetadataWorkersModule, AuthModule],
  controllers: [IcebergConfigController, IcebergNamespacesController, IcebergTablesController],
  // IcebergHotRoutes: the lean handlers the controllers' @HotRoute markers name.
  providers: [
    IcebergConfigService,
    IcebergCatalogService,
    NamespaceService,
    TableContext,
    TableReadsService,
    TableCommitsService,
    TableAdminService,
    TablePurgeService,
    IcebergHotRoutes,
  ],
})
export class IcebergModule {}
