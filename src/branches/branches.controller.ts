import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Access, catalogFrom, resource, stringField, type RouteRequest } from '../auth/access';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import type { Action } from '../persistence/ports';
import { BranchResponse, CreateBranchDto, toBranchResponse } from './branch.dto';
import { BranchesService } from './branches.service';
import { requireCatalogQuery } from '../common/http/management-names';

/** Branch creation checks the action of the branch type it creates (contract §0.3: `ingest`, any case). */
function branchingAction(req: RouteRequest): Action {
  const type = stringField(req.body, 'branch_type');
  return type !== undefined && type.toLowerCase() === 'ingest' ? 'ingest-branching' : 'experimental-branching';
}

/** `/api/v1/branches` (contract management §1.3.1–1.3.4). Merge, rebase and history live in their modules. */
@Controller('api/v1/branches')
export class BranchesController {
  constructor(private readonly service: BranchesService) {}

  @Post()
  @Access(resource(branchingAction, catalogFrom('body')))
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @JsonBody() body: CreateBranchDto): Promise<BranchResponse> {
    const created = await this.service.create(principal, {
      name: body.name,
      catalog: body.catalog,
      branchType: body.branch_type,
      fromBranch: body.from_branch,
      assets: body.assets,
    });
    return toBranchResponse(created.branch, created.assets);
  }

  @Get()
  @Access(resource('list', catalogFrom('query')))
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>): Promise<BranchResponse[]> {
    const catalog = requireCatalogQuery(query);
    const branches = await this.service.list(principal, catalog, parsePagination(query));
    return branches.map((b) => toBranchResponse(b.branch, b.assets));
  }

  @Get(':name')
  @Access(resource('read', catalogFrom('query')))
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<BranchResponse> {
    const found = await this.service.get(principal, requireCatalogQuery(query), name);
    return toBranchResponse(found.branch, found.assets);
  }

  @Delete(':name')
  @Access(resource('delete', catalogFrom('query')))
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    await this.service.delete(principal, requireCatalogQuery(query), name);
  }
}
