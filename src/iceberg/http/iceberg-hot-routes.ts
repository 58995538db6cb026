import { Injectable } from '@nestjs/common';
import { AuthorizationGuard } from '../../auth/authorization.guard';
import type { HotRouteHandler } from '../../http-edge/hot-route';
import { IcebergConfigService } from '../iceberg-config.service';
import { TableCommitsService } from '../table-commits.service';
import { TableReadsService } from '../table-reads.service';
import { parseNamespaceSegment, parseTableSegment } from './iceberg-paths';
import { nonEmptyBody } from './json-body';
import { mayWriteTable } from './table-access';

/**
 * The lean handlers of the Iceberg routes engines call all the time (the config routes, loadTable, the table
 * commit), named by the @HotRoute markers on IcebergConfigController and IcebergTablesController.load and
 * .commit and served by the lean path (src/http-edge/hot-routes.ts). Each does exactly what its controller
 * method does, in the same order, so errors take the same precedence.
 */
@Injectable()
export class IcebergHotRoutes {
  readonly config: HotRouteHandler;
  readonly loadTable: HotRouteHandler;
  readonly commit: HotRouteHandler;

  constructor(
    configService: IcebergConfigService,
    reads: TableReadsService,
    commits: TableCommitsService,
    authorization: AuthorizationGuard,
  ) {
    // The configuration is fixed at boot (IcebergConfigService), so its answer is serialized once.
    const configUtf8 = Buffer.from(JSON.stringify(configService.catalogConfig()), 'utf8');
    this.config = () => ({ status: 200, jsonUtf8: configUtf8 });
    this.loadTable = async ({ params, query, caller }) => {
      const namespace = parseNamespaceSegment(params.namespace);
      const table = parseTableSegment(params.table);
      const mayWrite = mayWriteTable(authorization, { params, query, principal: caller!.principal, session: caller!.session });
      const result = await reads.loadTable(caller!.principal, params.prefix, namespace, table, query.branch, mayWrite);
      return { status: 200, jsonChunks: result.chunks, byteLength: result.byteLength };
    };
    this.commit = async ({ params, query, caller, body }) => {
      const namespace = parseNamespaceSegment(params.namespace);
      const table = parseTableSegment(params.table);
      const result = await commits.commitTable(caller!.principal, params.prefix, namespace, table, query.branch, nonEmptyBody(body));
      return { status: 200, jsonChunks: result.chunks, byteLength: result.byteLength };
    };
  }
}
