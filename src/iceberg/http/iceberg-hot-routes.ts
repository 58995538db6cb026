import type { AuthorizationGuard } from '../../auth/authorization.guard';
import type { HotRoute } from '../../common/http/hot-routes';
import { IcebergConfigService } from '../iceberg-config.service';
import { TableService } from '../table.service';
import { parseNamespaceSegment, parseTableSegment } from './iceberg-paths';
import { nonEmptyBody } from './json-body';
import { mayWriteTable } from './table-access';

/**
 * The Iceberg routes engines call all the time, served by the lean path (common/http/hot-routes.ts): the
 * reads of every query (the config routes, loadTable) and the table commit, in both URL styles. Each does
 * exactly what its controller method does (IcebergConfigController, IcebergTablesController.load and
 * .commit), in the same order, so errors take the same precedence.
 */
export function icebergHotRoutes(configService: IcebergConfigService, tables: TableService, authorization: AuthorizationGuard): HotRoute[] {
  // The configuration is fixed at boot (IcebergConfigService), so its answer is serialized once.
  const configUtf8 = Buffer.from(JSON.stringify(configService.catalogConfig()), 'utf8');
  const config: HotRoute['handle'] = () => ({ status: 200, jsonUtf8: configUtf8 });
  const loadTable: HotRoute['handle'] = async ({ params, query, caller }) => {
    const namespace = parseNamespaceSegment(params.namespace);
    const table = parseTableSegment(params.table);
    const mayWrite = mayWriteTable(authorization, { params, query, principal: caller!.principal, session: caller!.session });
    const result = await tables.loadTable(caller!.principal, params.prefix, namespace, table, query.branch, mayWrite);
    return { status: 200, jsonChunks: result.chunks, byteLength: result.byteLength };
  };
  const commit: HotRoute['handle'] = async ({ params, query, caller, body }) => {
    const namespace = parseNamespaceSegment(params.namespace);
    const table = parseTableSegment(params.table);
    const result = await tables.commitTable(caller!.principal, params.prefix, namespace, table, query.branch, nonEmptyBody(body));
    return { status: 200, jsonChunks: result.chunks, byteLength: result.byteLength };
  };
  return [
    { pattern: '/v1/config', handle: config },
    { pattern: '/v1/:prefix/config', handle: config },
    { pattern: '/v1/:prefix/v1/config', handle: config },
    { pattern: '/v1/:prefix/namespaces/:namespace/tables/:table', queryParameters: ['branch'], handle: loadTable },
    { pattern: '/v1/:prefix/v1/namespaces/:namespace/tables/:table', queryParameters: ['branch'], handle: loadTable },
    { method: 'POST', pattern: '/v1/:prefix/namespaces/:namespace/tables/:table', queryParameters: ['branch'], handle: commit },
    { method: 'POST', pattern: '/v1/:prefix/v1/namespaces/:namespace/tables/:table', queryParameters: ['branch'], handle: commit },
  ];
}
