import { ValidationError } from '../common/errors';
import { ACTIONS, type Action, type PermissionGrant, type PermissionScope } from '../persistence/ports';

/**
 * Pure RBAC rules (contract management §4.11): which granted action implies which required one, and which
 * scope covers which resource. Grants are always read inside one tenant, so a `tenant` scope covers that
 * tenant only (v0.4.0 matched it across tenants).
 */

/** `all` implies everything; `write` implies read, update, delete, create and list; `read` implies list. */
export function actionImplies(granted: Action, required: Action): boolean {
  if (granted === required || granted === 'all') return true;
  if (granted === 'write') return ['read', 'update', 'delete', 'create', 'list'].includes(required);
  if (granted === 'read') return required === 'list';
  return false;
}

/**
 * What a request touches, resolved to ids: the tenant as a whole, a catalog, a namespace (levels) of a
 * catalog, or one asset. `assetId` is known only when an asset-scoped grant needs it.
 */
export type ResolvedTarget =
  | { level: 'tenant' }
  | { level: 'catalog'; catalogId: string }
  | { level: 'namespace'; catalogId: string; namespace: string[] }
  | { level: 'asset'; catalogId: string; namespace: string[]; assetId: string | null };

/** Does the scope cover the target? A grant on a container covers everything inside it, never the reverse. */
export function scopeCovers(scope: PermissionScope, target: ResolvedTarget): boolean {
  switch (scope.type) {
    case 'tenant':
      return true;
    case 'catalog':
      return target.level !== 'tenant' && target.catalogId === scope.catalog_id;
    case 'namespace': {
      if (target.level !== 'namespace' && target.level !== 'asset') return false;
      if (target.catalogId !== scope.catalog_id) return false;
      const granted = scope.namespace.split('.');
      return granted.length <= target.namespace.length && granted.every((level, i) => target.namespace[i] === level);
    }
    case 'asset':
      return (
        target.level === 'asset' &&
        target.catalogId === scope.catalog_id &&
        target.assetId !== null &&
        target.assetId === scope.asset_id
      );
    case 'tag':
      // Tag grants cover assets carrying that business-metadata tag; this server keeps no such tags yet.
      return false;
    default:
      return false;
  }
}

export function grantsAllow(grants: PermissionGrant[], action: Action, target: ResolvedTarget): boolean {
  return grants.some((g) => g.actions.some((a) => actionImplies(a, action)) && scopeCovers(g.scope, target));
}

/**
 * Whether a tenant user sees a catalog in the catalog list (contract management §2.1): some grant gives
 * `read` or `manage-discovery` (or an action implying one) at catalog or tenant scope. Narrower grants (a
 * namespace, an asset) do not list the catalog.
 */
export function catalogListedFor(grants: PermissionGrant[], catalogId: string): boolean {
  const target: ResolvedTarget = { level: 'catalog', catalogId };
  return grantsAllow(grants, 'read', target) || grantsAllow(grants, 'manage-discovery', target);
}

/**
 * Whether a tenant user sees an asset in an asset list (contract management §3): some grant gives `read` or
 * `manage-discovery` (or an action implying one) on the asset, a namespace holding it, its catalog or the
 * tenant.
 */
export function assetListedFor(
  grants: PermissionGrant[],
  asset: { catalogId: string; namespace: string[]; assetId: string },
): boolean {
  const target: ResolvedTarget = { level: 'asset', ...asset };
  return grantsAllow(grants, 'read', target) || grantsAllow(grants, 'manage-discovery', target);
}

/** True when some grant is asset-scoped in this catalog (then the asset id must be looked up). */
export function needsAssetId(grants: PermissionGrant[], catalogId: string): boolean {
  return grants.some((g) => g.scope.type === 'asset' && g.scope.catalog_id === catalogId);
}

/** Validates a PermissionScope as sent on the wire (422 on a wrong shape is the caller's choice: 400 here). */
export function parseScope(value: unknown): PermissionScope {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('scope must be an object');
  const v = value as Record<string, unknown>;
  const str = (field: string): string => {
    const x = v[field];
    if (typeof x !== 'string' || x === '') throw new ValidationError(`scope.${field} must be a non-empty string`);
    return x;
  };
  switch (v.type) {
    case 'tenant':
      return { type: 'tenant' };
    case 'catalog':
      return { type: 'catalog', catalog_id: str('catalog_id') };
    case 'namespace':
      return { type: 'namespace', catalog_id: str('catalog_id'), namespace: str('namespace') };
    case 'asset':
      return { type: 'asset', catalog_id: str('catalog_id'), namespace: str('namespace'), asset_id: str('asset_id') };
    case 'tag':
      return { type: 'tag', tag_name: str('tag_name') };
    default:
      throw new ValidationError('scope.type must be one of tenant, catalog, namespace, asset, tag');
  }
}

export function parseActions(value: unknown): Action[] {
  if (!Array.isArray(value)) throw new ValidationError('actions must be an array');
  const actions: Action[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || !(ACTIONS as readonly string[]).includes(item)) {
      throw new ValidationError(`Unknown action ${JSON.stringify(item)}: expected one of ${ACTIONS.join(', ')}`);
    }
    if (!actions.includes(item as Action)) actions.push(item as Action);
  }
  return actions;
}

export function parseGrants(value: unknown): PermissionGrant[] {
  if (!Array.isArray(value)) throw new ValidationError('permissions must be an array');
  return value.map((g) => {
    if (!g || typeof g !== 'object') throw new ValidationError('each permission must be an object');
    const grant = g as Record<string, unknown>;
    return { scope: parseScope(grant.scope), actions: parseActions(grant.actions) };
  });
}
