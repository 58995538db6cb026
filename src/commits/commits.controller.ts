import { Controller, Get, Param, Query } from '@nestjs/common';
import { requireCatalogQuery } from '../common/http/management-names';
import { Access, catalogFrom, resource } from '../auth/access';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { CommitResponse, toCommitResponse } from './commit.dto';
import { CommitsService } from './commits.service';

/** `GET /api/v1/branches/:name/commits?catalog=` (contract management §1.3.7). */
@Controller('api/v1/branches/:name/commits')
export class CommitsController {
  constructor(private readonly service: CommitsService) {}

  @Get()
  @Access(resource('read', catalogFrom('query')))
  async history(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<CommitResponse[]> {
    const catalog = requireCatalogQuery(query);
    const commits = await this.service.history(principal, catalog, name, parsePagination(query));
    return commits.map(toCommitResponse);
  }
}
