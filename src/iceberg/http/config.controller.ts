import { Controller, Get } from '@nestjs/common';
import { Public } from '../../auth/access';
import { HotRoute } from '../../http-edge/hot-route';
import { IcebergConfigService, IcebergCatalogConfig } from '../iceberg-config.service';
import { IcebergHotRoutes } from './iceberg-hot-routes';

/**
 * `GET /v1/config` and its two prefixed forms (contract iceberg-rest §4.1). Public. The prefixed forms never
 * return `overrides.prefix`: a client whose uri is `http://host/v1/<catalog>` (the doubled style) would
 * otherwise build `/v1/<catalog>/v1/<catalog>/...` and get 404 on every call.
 */
@Controller('v1')
export class IcebergConfigController {
  constructor(private readonly config: IcebergConfigService) {}

  @Get('config')
  @Public()
  @HotRoute(IcebergHotRoutes, (lean) => lean.config)
  unprefixed(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }

  @Get(':prefix/config')
  @Public()
  @HotRoute(IcebergHotRoutes, (lean) => lean.config)
  prefixed(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }

  @Get(':prefix/v1/config')
  @Public()
  @HotRoute(IcebergHotRoutes, (lean) => lean.config)
  doubled(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }
}
