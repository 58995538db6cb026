/**
 * The one operation that spans every identity aggregate: removing a deleted tenant's identity records. A
 * port of its own so tenant deletion depends on nothing else of identity.
 */
export abstract class TenantIdentitiesPort {
  /**
   * Deletes every identity record of the tenant (users with their tokens and grants, roles, service users,
   * revocation rows). For tenant deletion; idempotent.
   */
  abstract deleteTenantIdentities(tenantId: string): Promise<void>;
}
