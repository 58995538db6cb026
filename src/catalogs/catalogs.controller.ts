import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Access, AUTHENTICATED, catalogParam, resource, TENANT } from '../auth/access';
import { parsePagination } from '../common/http/pagination';
import { CatalogNamePipe } from '../common/http/resource-name';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import {
  CreateCatalogDto,
  toCatalogResponse,
  UpdateCatalogDto,
  type CatalogResponse,
  type CatalogSummaryResponse,
} from './catalog.dto';
import { CatalogsService } from './catalogs.service';
import type { NamespaceNode } from './namespace-tree';

@Controller('api/v1/catalogs')
export class CatalogsController {
  constructor(private readonly service: CatalogsService) {}

  // Every caller may ask; a tenant user's list holds only the catalogs its grants show (CatalogsService.list).
  @Get()
  @Access(AUTHENTICATED)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<CatalogResponse[]> {
    return (await this.service.list(principal, parsePagination(query))).map(toCatalogResponse);
  }

  @Post()
  @Access(resource('create', TENANT))
  async create(@CurrentPrincipal() principal: Principal, @JsonBody() body: CreateCatalogDto): Promise<CatalogResponse> {
    return toCatalogResponse(await this.service.create(principal, body));
  }

  @Get(':name')
  @Access(resource('read', catalogParam('name')))
  async get(@CurrentPrincipal() principal: Principal, @Param('name', CatalogNamePipe) name: string): Promise<CatalogResponse> {
    return toCatalogResponse(await this.service.get(principal, name));
  }

  @Put(':name')
  @Access(resource('update', catalogParam('name')))
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('name', CatalogNamePipe) name: string,
    @JsonBody() body: UpdateCatalogDto,
  ): Promise<CatalogResponse> {
    return toCatalogResponse(await this.service.update(principal, name, body));
  }

  @Delete(':name')
  @Access(resource('delete', catalogParam('name')))
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('name', CatalogNamePipe) name: string): Promise<void> {
    await this.service.delete(principal, name);
  }

  @Get(':name/summary')
  @Access(resource('read', catalogParam('name')))
  summary(@CurrentPrincipal() principal: Principal, @Param('name', CatalogNamePipe) name: string): Promise<CatalogSummaryResponse> {
    return this.service.summary(principal, name);
  }

  @Get(':prefix/namespaces/tree')
  @Access(resource('list', catalogParam('prefix')))
  namespaceTree(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix', CatalogNamePipe) prefix: string,
  ): Promise<{ root: NamespaceNode[] }> {
    return this.service.namespaceTree(principal, prefix);
  }
}
