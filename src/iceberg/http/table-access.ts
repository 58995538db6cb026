import type { AuthSession } from '../../auth/auth-session';
import type { AuthorizationGuard } from '../../auth/authorization.guard';
import type { Principal } from '../../common/http/principal';

import { TABLE_WRITE_ACCESS } from './iceberg-access';

/**
 * For a caller reading a table (loadTable, on the lean path and through the framework): the question
 * whether the commit route's rule would let it commit to the same table. Its answer decides which
 * storage credentials the LoadTableResult carries (tableConfig); the table reads service asks it only when that
 * matters.
 */
export function mayWriteTable(
  authorization: AuthorizationGuard,
  caller: { params: Record<string, string>; query: Record<string, unknown>; principal?: Principal; session?: AuthSession },
): () => Promise<boolean> {
  return () =>
    authorization.allows(TABLE_WRITE_ACCESS, {
      request: { params: caller.params, query: caller.query, body: undefined },
      principal: caller.principal,
      session: caller.session,
    });
}
