import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Access, catalogFrom, catalogParam, resource, type RequestTarget, type RouteRequest } from '../auth/access';
import { ErrorBodyException } from '../common/http/management-exception.filter';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { UuidParamPipe } from '../common/http/uuid-param';
import { JsonBody } from '../common/http/validation';
import {
  MergeBranchesDto,
  MergeConflictResponse,
  mergeConflictBody,
  MergeOperationResponse,
  MergeOperationSummaryResponse,
  RebaseBranchDto,
  ResolveConflictDto,
  toMergeConflictResponse,
  toMergeOperationResponse,
  toMergeOperationSummary,
} from './merge.dto';
import { MergeResult, MergesService } from './merges.service';
import { parseResolutionStrategy } from './three-way-merge';

const mergeOperation = (req: RouteRequest): RequestTarget => ({ level: 'merge-operation', operationId: req.params.operation_id });
const conflict = (req: RouteRequest): RequestTarget => ({ level: 'conflict', conflictId: req.params.conflict_id });

/**
 * Merge, rebase and the merge-operation lifecycle (contract management §1.3.5, §1.3.6, §1.3.9–1.3.14). Merge
 * and rebase need write on the catalog (contract §9 #9).
 */
@Controller('api/v1')
export class MergesController {
  constructor(private readonly service: MergesService) {}

  @Post('branches/merge')
  @Access(resource('write', catalogFrom('body')))
  @HttpCode(200)
  async merge(@CurrentPrincipal() principal: Principal, @JsonBody() body: MergeBranchesDto): Promise<MergeOperationResponse> {
    const result = await this.service.merge(principal, {
      catalog: body.catalog,
      sourceBranch: body.source_branch,
      targetBranch: body.target_branch,
    });
    return toMergeOperationResponse(completedOrConflict(result));
  }

  /** 200 with an empty body (contract §1.3.6); conflicts answer like a merge's. */
  @Post('branches/:name/rebase')
  @Access(resource('write', catalogFrom('body')))
  @HttpCode(200)
  async rebase(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @JsonBody() body: RebaseBranchDto,
  ): Promise<void> {
    completedOrConflict(await this.service.rebase(principal, body.catalog, name));
  }

  @Get('catalogs/:catalog_name/merge-operations')
  @Access(resource('read', catalogParam('catalog_name')))
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('catalog_name') catalog: string,
    @Query() query: Record<string, unknown>,
  ): Promise<MergeOperationSummaryResponse[]> {
    const operations = await this.service.list(principal, catalog, parsePagination(query));
    return operations.map(toMergeOperationSummary);
  }

  @Get('merge-operations/:operation_id')
  @Access(resource('read', mergeOperation))
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('operation_id', new UuidParamPipe('merge operation id')) id: string,
  ): Promise<MergeOperationResponse> {
    return toMergeOperationResponse(await this.service.get(principal, id));
  }

  @Get('merge-operations/:operation_id/conflicts')
  @Access(resource('read', mergeOperation))
  async conflicts(
    @CurrentPrincipal() principal: Principal,
    @Param('operation_id', new UuidParamPipe('merge operation id')) id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<MergeConflictResponse[]> {
    const conflicts = await this.service.conflicts(principal, id, parsePagination(query));
    return conflicts.map(toMergeConflictResponse);
  }

  @Post('conflicts/:conflict_id/resolve')
  @Access(resource('write', conflict))
  @HttpCode(200)
  async resolve(
    @CurrentPrincipal() principal: Principal,
    @Param('conflict_id', new UuidParamPipe('conflict id')) id: string,
    @JsonBody() body: ResolveConflictDto,
  ): Promise<{ status: 'resolved'; conflict_id: string }> {
    // The DTO admits only known strategies and aliases, so this always parses.
    const strategy = parseResolutionStrategy(body.strategy) ?? 'Manual';
    await this.service.resolve(principal, id, strategy, body.resolved_value);
    return { status: 'resolved', conflict_id: id };
  }

  /** No body needed; clients send `{}` or nothing. */
  @Post('merge-operations/:operation_id/complete')
  @Access(resource('write', mergeOperation))
  @HttpCode(200)
  async complete(
    @CurrentPrincipal() principal: Principal,
    @Param('operation_id', new UuidParamPipe('merge operation id')) id: string,
  ): Promise<{ status: 'completed'; operation_id: string; commit_id: string | null }> {
    const operation = await this.service.complete(principal, id);
    return { status: 'completed', operation_id: operation.id, commit_id: operation.resultCommitId };
  }

  @Post('merge-operations/:operation_id/abort')
  @Access(resource('write', mergeOperation))
  @HttpCode(200)
  async abort(
    @CurrentPrincipal() principal: Principal,
    @Param('operation_id', new UuidParamPipe('merge operation id')) id: string,
  ): Promise<{ status: 'aborted'; operation_id: string }> {
    const operation = await this.service.abort(principal, id);
    return { status: 'aborted', operation_id: operation.id };
  }
}

/** The completed operation, or the 409 whose body carries the operation to resolve. */
function completedOrConflict(result: MergeResult) {
  if (result.status === 'conflicted') {
    throw new ErrorBodyException(mergeConflictBody(result.operation.id, result.conflictCount), 409);
  }
  return result.operation;
}
