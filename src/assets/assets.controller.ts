import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import {
  AssetResponse,
  AssetSummaryResponse,
  RegisterAssetDto,
  RegisteredAssetResponse,
  toAssetResponse,
  toAssetSummaryResponse,
  toRegisteredAssetResponse,
} from './asset.dto';
import { AssetsService } from './assets.service';

/** `/api/v1/catalogs/:catalog_name/namespaces/:namespace/assets` (contract management §3). */
@Controller('api/v1/catalogs/:catalog_name/namespaces/:namespace/assets')
export class AssetsController {
  constructor(private readonly service: AssetsService) {}

  @Post()
  @HttpCode(201)
  async register(
    @CurrentPrincipal() principal: Principal,
    @Param('catalog_name') catalog: string,
    @Param('namespace') namespace: string,
    @JsonBody() body: RegisterAssetDto,
  ): Promise<RegisteredAssetResponse> {
    const asset = await this.service.register(principal, catalog, namespace, {
      name: body.name,
      kind: body.kind,
      location: body.location,
      properties: body.properties,
    });
    return toRegisteredAssetResponse(asset);
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('catalog_name') catalog: string,
    @Param('namespace') namespace: string,
    @Query() query: Record<string, unknown>,
  ): Promise<AssetSummaryResponse[]> {
    const assets = await this.service.list(principal, catalog, namespace, parsePagination(query));
    return assets.map(toAssetSummaryResponse);
  }

  @Get(':asset')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('catalog_name') catalog: string,
    @Param('namespace') namespace: string,
    @Param('asset') name: string,
  ): Promise<AssetResponse> {
    return toAssetResponse(await this.service.get(principal, catalog, namespace, name));
  }
}
