import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { requireCatalogQuery } from '../common/http/management-names';
import { Access, catalogFrom, resource } from '../auth/access';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import { CreateTagDto, TagResponse, toTagResponse } from './tag.dto';
import { TagsService } from './tags.service';

/** `/api/v1/tags` (contract management §1.3.8); tags need write on the catalog (contract §9 #9). */
@Controller('api/v1/tags')
export class TagsController {
  constructor(private readonly service: TagsService) {}

  /** 200, not 201: v0.4.0 answers 200 whatever its OpenAPI annotation says. */
  @Post()
  @Access(resource('write', catalogFrom('body', 'catalog', 'default')))
  @HttpCode(200)
  async create(@CurrentPrincipal() principal: Principal, @JsonBody() body: CreateTagDto): Promise<TagResponse> {
    const tag = await this.service.create(principal, { name: body.name, commitId: body.commit_id, catalog: body.catalog });
    return toTagResponse(tag);
  }

  @Get()
  @Access(resource('list', catalogFrom('query')))
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<TagResponse[]> {
    const catalog = requireCatalogQuery(query);
    const tags = await this.service.list(principal, catalog, parsePagination(query));
    return tags.map(toTagResponse);
  }

  @Delete(':name')
  @Access(resource('write', catalogFrom('query')))
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    await this.service.delete(principal, requireCatalogQuery(query), name);
  }
}
