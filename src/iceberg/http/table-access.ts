import type { AuthSession } from '../../auth/auth-session';
import type { AuthorizationGuard } from '../../auth/authorization.guard';
import type { Principal } from '../../common/http/principal';

/** The table commit route: a caller its rule admits may write the table. */
const TABLE_COMMIT_ROUTE = '/v1/:prefix/namespaces/:namespace/tables/:table';

/**
 * For a caller reading a table (loadTable, on the lean path and through the framework): the question
 * whether the route permission table would let it commit to the same table. Its answer decides which
 * storage credentials the LoadTableResult carries (tableConfig); the table service asks it only when that
 * matters.
 */
export function mayWriteTable(
  authorization: AuthorizationGuard,
  caller: { params: Record<string, string>; query: Record<string, unknown>; principal?: Principal; session?: AuthSession },
): () => Promise<boolean> {
  return () =>
    authorization.allows('POST', TABLE_COMMIT_ROUTE, {
      request: { params: caller.params, query: caller.query, body: undefined },
      principal: caller.principal,
      session: caller.session,
    });
}
