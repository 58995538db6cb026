import { Body, Controller, Delete, Get, Head, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Access, resource } from '../../auth/access';
import type { AuthenticatedRequest } from '../../auth/auth-session';
import { AuthorizationGuard } from '../../auth/authorization.guard';
import { ValidationError } from '../../common/errors';
import { sendJsonChunks } from '../../common/http/json-chunks-response';
import { CurrentPrincipal, Principal } from '../../common/http/principal';
import { HotRoute } from '../../http-edge/hot-route';
import { TableAdminService } from '../table-admin.service';
import { TableCommitsService } from '../table-commits.service';
import { TableReadsService } from '../table-reads.service';
import { icebergNamespace, icebergTable, icebergWriteBranch, renameSource, TABLE_WRITE_ACCESS } from './iceberg-access';
import { IcebergHotRoutes } from './iceberg-hot-routes';
import { parseIcebergPageRequest, toIcebergPage } from './iceberg-pagination';
import { parseNamespaceSegment, parseTableSegment } from './iceberg-paths';
import { nonEmptyBody, parseJsonObjectBody } from './json-body';
import { mayWriteTable } from './table-access';
import { ICEBERG_ROUTE_PREFIXES } from './namespaces.controller';

/**
 * Table routes (contract iceberg-rest §6, §8), in both URL styles. Parse and delegate only. Load, create,
 * commit and register answer with bytes the service spliced together (the metadata document is never
 * re-serialized on the main thread). HEAD is declared before GET so Express does not route HEAD to GET.
 */
@Controller(ICEBERG_ROUTE_PREFIXES)
export class IcebergTablesController {
  constructor(
    private readonly reads: TableReadsService,
    private readonly commits: TableCommitsService,
    private readonly admin: TableAdminService,
    private readonly authorization: AuthorizationGuard,
  ) {}

  @Head('namespaces/:namespace/tables/:table')
  @Access(resource('read', icebergTable))
  @HttpCode(200)
  async exists(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Param('table') tableSegment: string,
    @Query('branch') branch: unknown,
  ): Promise<void> {
    await this.reads.assertTableExists(
      principal,
      prefix,
      parseNamespaceSegment(namespaceSegment),
      parseTableSegment(tableSegment),
      branch,
    );
  }

  @Get('namespaces/:namespace/tables')
  @Access(resource('list', icebergNamespace))
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ identifiers: { namespace: string[]; name: string }[]; 'next-page-token'?: string | null }> {
    const page = parseIcebergPageRequest(query);
    const { levels, rows } = await this.reads.listTables(
      principal,
      prefix,
      parseNamespaceSegment(namespaceSegment),
      query.branch,
      page.query,
    );
    const result = toIcebergPage(page, rows);
    const body: { identifiers: { namespace: string[]; name: string }[]; 'next-page-token'?: string | null } = {
      identifiers: result.items.map((name) => ({ namespace: levels, name })),
    };
    if (result.nextPageToken !== undefined) body['next-page-token'] = result.nextPageToken;
    return body;
  }

  @Post('namespaces/:namespace/tables')
  @Access(resource('create', icebergNamespace, icebergWriteBranch))
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Query('branch') branch: unknown,
    @Body() rawBody: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const namespace = parseNamespaceSegment(namespaceSegment);
    const bytes = await this.admin.createTable(principal, prefix, namespace, branch, nonEmptyBody(rawBody));
    sendJsonChunks(res, 200, bytes);
  }

  @Post('namespaces/:namespace/register')
  @Access(resource('create', icebergNamespace, icebergWriteBranch))
  async register(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Query('branch') branch: unknown,
    @Body() rawBody: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const namespace = parseNamespaceSegment(namespaceSegment);
    const body = parseJsonObjectBody(rawBody);
    const bytes = await this.admin.registerTable(principal, prefix, namespace, branch, body);
    sendJsonChunks(res, 200, bytes);
  }

  @Get('namespaces/:namespace/tables/:table')
  @Access(resource('read', icebergTable))
  @HotRoute(IcebergHotRoutes, (lean) => lean.loadTable, { queryParameters: ['branch'] })
  async load(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Param('table') tableSegment: string,
    @Query('branch') branch: unknown,
    @Req() req: AuthenticatedRequest,
    @Res() res: Response,
  ): Promise<void> {
    const namespace = parseNamespaceSegment(namespaceSegment);
    const table = parseTableSegment(tableSegment);
    const mayWrite = mayWriteTable(this.authorization, {
      params: req.params as Record<string, string>,
      query: req.query as Record<string, unknown>,
      principal,
      session: req.authSession,
    });
    const bytes = await this.reads.loadTable(principal, prefix, namespace, table, branch, mayWrite);
    sendJsonChunks(res, 200, bytes);
  }

  @Post('namespaces/:namespace/tables/:table')
  @Access(TABLE_WRITE_ACCESS)
  @HotRoute(IcebergHotRoutes, (lean) => lean.commit, { queryParameters: ['branch'] })
  async commit(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Param('table') tableSegment: string,
    @Query('branch') branch: unknown,
    @Body() rawBody: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const namespace = parseNamespaceSegment(namespaceSegment);
    const table = parseTableSegment(tableSegment);
    const bytes = await this.commits.commitTable(principal, prefix, namespace, table, branch, nonEmptyBody(rawBody));
    sendJsonChunks(res, 200, bytes);
  }

  @Delete('namespaces/:namespace/tables/:table')
  @Access(resource('delete', icebergTable))
  @HttpCode(204)
  async drop(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Param('table') tableSegment: string,
    @Query('branch') branch: unknown,
    @Query('purgeRequested') purgeRequested: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const dropped = await this.admin.dropTable(
      principal,
      prefix,
      parseNamespaceSegment(namespaceSegment),
      parseTableSegment(tableSegment),
      branch,
      parsePurgeRequested(purgeRequested),
    );
    if (dropped.purgedFiles !== undefined) res.setHeader(PURGED_FILES_HEADER, String(dropped.purgedFiles));
  }

  // A rename removes the source table: `delete` on it (the destination is in the same catalog).
  @Post('tables/rename')
  @Access(resource('delete', renameSource))
  @HttpCode(204)
  async rename(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Body() rawBody: unknown,
  ): Promise<void> {
    await this.admin.renameTable(principal, prefix, parseJsonObjectBody(rawBody));
  }

  /** Metrics reports are accepted and not stored (contract iceberg-rest §6.9). */
  @Post('namespaces/:namespace/tables/:table/metrics')
  @Access(resource('read', icebergTable))
  @HttpCode(204)
  reportMetrics(): void {
    return undefined;
  }
}

/** On a purging drop: how many files the purge deleted (0 when they were kept, e.g. shared with a branch). */
export const PURGED_FILES_HEADER = 'X-Pangolin-Purged-Files';

/** PyIceberg sends `True`/`False`, Java `true`: compared case-insensitively (contract iceberg-rest §6.6). */
function parsePurgeRequested(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  if (typeof value !== 'string') throw new ValidationError('Query parameter purgeRequested must be given once');
  const lowered = value.toLowerCase();
  if (lowered === 'true') return true;
  if (lowered === 'false') return false;
  throw new ValidationError(`Query parameter purgeRequested must be true or false, got '${value}'`);
}

