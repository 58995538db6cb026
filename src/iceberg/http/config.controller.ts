import { Controller, Get } from '@nestjs/common';
import { IcebergConfigService, IcebergCatalogConfig } from '../iceberg-config.service';

/**
 * `GET /v1/config` and its two prefixed forms (contract iceberg-rest §4.1). Public. The prefixed forms never
 * return `overrides.prefix`: a client whose uri is `http://host/v1/<catalog>` (the doubled style) would
 * otherwise build `/v1/<catalog>/v1/<catalog>/...` and get 404 on every call.
 */
@Controller('v1')
export class IcebergConfigController {
  constructor(private readonly config: IcebergConfigService) {}

  @Get('config')
  unprefixed(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }

  @Get(':prefix/config')
  prefixed(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }

  @Get(':prefix/v1/config')
  doubled(): IcebergCatalogConfig {
    return this.config.catalogConfig();
  }
}
