import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Access, AUTHENTICATED, resource, stringField, type RequestTarget, type RouteRequest } from '../auth/access';
import { parseDottedNamespace } from '../common/http/management-names';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import { MAIN_BRANCH } from '../persistence/models';
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

const assetNamespace = (req: RouteRequest): RequestTarget => ({
  level: 'namespace',
  catalog: req.params.catalog_name,
  namespace: parseDottedNamespace(req.params.namespace),
});

const namedAsset = (req: RouteRequest): RequestTarget => ({
  level: 'asset',
  catalog: req.params.catalog_name,
  namespace: parseDottedNamespace(req.params.namespace),
  asset: req.params.asset,
  branch: stringField(req.query, 'branch') ?? MAIN_BRANCH,
});

/** `/api/v1/catalogs/:catalog_name/namespaces/:namespace/assets` (contract management §3). */
@Controller('api/v1/catalogs/:catalog_name/namespaces/:namespace/assets')
export class AssetsController {
  constructor(private readonly service: AssetsService) {}

  @Post()
  @Access(resource('create', assetNamespace))
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

  // Every caller may ask; a tenant user's list holds only the assets its grants show (AssetsService.list).
  @Get()
  @Access(AUTHENTICATED)
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
  @Access(resource('read', namedAsset))
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('catalog_name') catalog: string,
    @Param('namespace') namespace: string,
    @Param('asset') name: string,
  ): Promise<AssetResponse> {
    return toAssetResponse(await this.service.get(principal, catalog, namespace, name));
  }
}
