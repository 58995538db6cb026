import { BackendUnavailableError, DomainError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { RolesAndGrantsPort, PermissionGrant } from '../persistence/ports';

/**
 * The caller's effective grants (direct permissions and roles). Fails closed: when the identity store does not
 * answer, the request is refused (503), so nothing is allowed or listed on a guess.
 */
export async function effectiveGrantsOf(grants: RolesAndGrantsPort, principal: Principal): Promise<PermissionGrant[]> {
  try {
    return await grants.getEffectiveGrants(principal.tenantId, principal.userId);
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new BackendUnavailableError('The permissions could not be read: the identity store did not answer');
  }
}
