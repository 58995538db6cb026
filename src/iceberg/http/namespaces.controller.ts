import { Body, Controller, Delete, Get, Head, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Access, resource } from '../../auth/access';
import { IcebergErrorException } from '../../common/http/iceberg-exception.filter';
import { CurrentPrincipal, Principal } from '../../common/http/principal';
import { NamespaceService } from '../namespace.service';
import { icebergCatalog, icebergNamespace, icebergNamespaceList } from './iceberg-access';
import { parseIcebergPageRequest, toIcebergPage } from './iceberg-pagination';
import { parseNamespaceSegment, parseParentQuery } from './iceberg-paths';
import {
  optionalStringArray,
  optionalStringMap,
  parseJsonObjectBody,
  requiredNamespace,
} from './json-body';

/** Both URL styles: `/v1/{prefix}/...` and the doubled `/v1/{prefix}/v1/...` (contract iceberg-rest §1.1). */
export const ICEBERG_ROUTE_PREFIXES = ['v1/:prefix', 'v1/:prefix/v1'];

/**
 * Namespace routes (contract iceberg-rest §5). Parse and delegate only. HEAD is declared before GET so that
 * Express does not answer HEAD with the GET handler.
 */
@Controller(ICEBERG_ROUTE_PREFIXES)
export class IcebergNamespacesController {
  constructor(private readonly namespaces: NamespaceService) {}

  @Head('namespaces/:namespace')
  @Access(resource('read', icebergNamespace))
  @HttpCode(204)
  async exists(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
  ): Promise<void> {
    const { levels } = parseNamespaceSegment(namespaceSegment);
    await this.namespaces.assertExists(principal.tenantId, prefix, levels);
  }

  @Get('namespaces')
  @Access(resource('list', icebergNamespaceList))
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ namespaces: string[][]; 'next-page-token'?: string | null }> {
    const parent = parseParentQuery(typeof query.parent === 'string' ? query.parent : undefined);
    const page = parseIcebergPageRequest(query);
    const rows = await this.namespaces.list(principal.tenantId, prefix, parent, page.query);
    const result = toIcebergPage(page, rows);
    const body: { namespaces: string[][]; 'next-page-token'?: string | null } = {
      namespaces: result.items.map((ns) => ns.levels),
    };
    if (result.nextPageToken !== undefined) body['next-page-token'] = result.nextPageToken;
    return body;
  }

  @Post('namespaces')
  @Access(resource('create', icebergCatalog))
  @HttpCode(200)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Body() rawBody: unknown,
  ): Promise<{ namespace: string[]; properties: Record<string, string> }> {
    const body = parseJsonObjectBody(rawBody);
    const levels = requiredNamespace(body, 'namespace');
    const properties = optionalStringMap(body, 'properties');
    const created = await this.namespaces.create(principal.tenantId, prefix, levels, properties);
    return { namespace: created.levels, properties: created.properties };
  }

  @Get('namespaces/:namespace')
  @Access(resource('read', icebergNamespace))
  async load(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
  ): Promise<{ namespace: string[]; properties: Record<string, string> }> {
    const { levels } = parseNamespaceSegment(namespaceSegment);
    const namespace = await this.namespaces.load(principal.tenantId, prefix, levels);
    return { namespace: namespace.levels, properties: namespace.properties };
  }

  @Delete('namespaces/:namespace')
  @Access(resource('delete', icebergNamespace))
  @HttpCode(204)
  async drop(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
  ): Promise<void> {
    const { levels } = parseNamespaceSegment(namespaceSegment);
    await this.namespaces.drop(principal.tenantId, prefix, levels);
  }

  @Post('namespaces/:namespace/properties')
  @Access(resource('update', icebergNamespace))
  @HttpCode(200)
  async updateProperties(
    @CurrentPrincipal() principal: Principal,
    @Param('prefix') prefix: string,
    @Param('namespace') namespaceSegment: string,
    @Body() rawBody: unknown,
  ): Promise<{ updated: string[]; removed: string[]; missing: string[] }> {
    const { levels } = parseNamespaceSegment(namespaceSegment);
    const body = parseJsonObjectBody(rawBody, { emptyAllowed: true });
    const removals = optionalStringArray(body, 'removals');
    const updates = optionalStringMap(body, 'updates');
    const inBoth = removals.filter((key) => Object.prototype.hasOwnProperty.call(updates, key));
    if (inBoth.length > 0) {
      // The spec's answer for a key both set and removed (contract iceberg-rest §5.6).
      throw new IcebergErrorException(
        422,
        'UnprocessableEntityException',
        `Properties cannot be both updated and removed: ${inBoth.join(', ')}`,
      );
    }
    const change = await this.namespaces.updateProperties(principal.tenantId, prefix, levels, removals, updates);
    return { updated: change.updated, removed: change.removed, missing: change.missing };
  }
}
