import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, ExpectationFailedError, NotFoundError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import { parseDottedNamespace, requireCatalogExists, validateName } from '../common/http/management-names';
import {
  MAIN_BRANCH,
  qualifiedAssetName,
  type Asset,
  type AssetKind,
  type Commit,
  type Pagination,
  type StringMap,
} from '../persistence/models';
import { AssetsPort, CatalogsPort, UnitOfWorkPort } from '../persistence/ports';
import { RolesAndGrantsPort } from '../persistence/ports';
import { effectiveGrantsOf } from '../auth/grants';
import { assetListedFor } from '../auth/permissions';
import { isAdminRole } from '../auth/roles';
import { slicePage } from '../common/http/pagination';

export interface RegisterAssetInput {
  name: string;
  kind: AssetKind;
  location: string;
  properties?: StringMap | null;
}

/**
 * Generic (non-Iceberg) asset registration on a catalog's `main` branch (contract management §3). The
 * namespace path segment is dot-joined (DESIGN §2.2); namespace existence is not checked, as in v0.4.0.
 * Every registration is a commit on `main` (DESIGN §2.5).
 */
@Injectable()
export class AssetsService {
  constructor(
    private readonly catalogs: CatalogsPort,
    private readonly assets: AssetsPort,
    private readonly unitOfWork: UnitOfWorkPort,
    private readonly rolesAndGrants: RolesAndGrantsPort,
  ) {}

  /** Registers a new asset; an existing one with the same name is 409 (never overwritten). */
  async register(principal: Principal, catalog: string, namespaceSegment: string, input: RegisterAssetInput): Promise<Asset> {
    const namespace = parseDottedNamespace(namespaceSegment);
    validateName('asset', input.name);
    const tenantId = principal.tenantId;
    await requireCatalogExists(this.catalogs, tenantId, catalog);
    const qualified = qualifiedAssetName(namespace, input.name);
    const key = { namespace, name: input.name };
    let commit: Commit;
    try {
      commit = await this.unitOfWork.commitChanges(
        tenantId,
        catalog,
        MAIN_BRANCH,
        {
          puts: [{ ...key, kind: input.kind, location: input.location, properties: { ...(input.properties ?? {}) } }],
          deletes: [],
          expectations: [{ ...key, state: 'absent' }],
        },
        { author: principal.username, message: `Register ${input.kind} asset ${qualified}` },
      );
    } catch (err) {
      if (err instanceof ExpectationFailedError && err.failure === 'exists') {
        throw new AlreadyExistsError('asset', qualified);
      }
      throw err;
    }
    // The commit records the row as written (with the id it was given).
    for (const operation of commit.operations) {
      if ('Put' in operation) return { ...operation.Put.asset, tenantId, catalogName: catalog, branch: MAIN_BRANCH };
    }
    return this.get(principal, catalog, namespaceSegment, input.name);
  }

  /** Admins see every asset of the namespace; a tenant user those its grants show (filtered, then paged). */
  async list(principal: Principal, catalog: string, namespaceSegment: string, page: Pagination): Promise<Asset[]> {
    const namespace = parseDottedNamespace(namespaceSegment);
    const found = await this.catalogs.getCatalog(principal.tenantId, catalog);
    if (!found) throw new NotFoundError('catalog', catalog);
    if (isAdminRole(principal.role)) return this.assets.listAssets(principal.tenantId, catalog, MAIN_BRANCH, namespace, page);
    const grants = await effectiveGrantsOf(this.rolesAndGrants, principal);
    const visible = (await this.assets.listAssets(principal.tenantId, catalog, MAIN_BRANCH, namespace)).filter((asset) =>
      assetListedFor(grants, { catalogId: found.id, namespace: asset.namespace, assetId: asset.id }),
    );
    return slicePage(visible, page);
  }

  async get(principal: Principal, catalog: string, namespaceSegment: string, name: string): Promise<Asset> {
    const namespace = parseDottedNamespace(namespaceSegment);
    await requireCatalogExists(this.catalogs, principal.tenantId, catalog);
    const asset = await this.assets.getAsset(principal.tenantId, catalog, MAIN_BRANCH, namespace, name);
    if (!asset) throw new NotFoundError('asset', qualifiedAssetName(namespace, name));
    return asset;
  }
}
