import type { AuthSession } from '../../auth/auth-session';
import type { AuthorizationGuard } from '../../auth/authorization.guard';
import type { Principal } from '../../common/http/principal';
import type { TableAccess } from '../table-config';

/** The table commit route: a caller its rule admits may write the table. */
const TABLE_COMMIT_ROUTE = '/v1/:prefix/namespaces/:namespace/tables/:table';

/**
 * What a caller reading a table (loadTable, on the lean path and through the framework) may do with it:
 * whether the route permission table would let it commit to the same table. Decides which storage
 * credentials its LoadTableResult carries (tableConfig).
 */
export async function tableAccessOf(
  authorization: AuthorizationGuard,
  caller: { params: Record<string, string>; query: Record<string, unknown>; principal?: Principal; session?: AuthSession },
): Promise<TableAccess> {
  const mayWrite = await authorization.allows('POST', TABLE_COMMIT_ROUTE, {
    request: { params: caller.params, query: caller.query, body: undefined },
    principal: caller.principal,
    session: caller.session,
  });
  return { mayWrite };
}
