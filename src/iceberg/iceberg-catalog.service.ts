import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors';
import { catalogName } from '../common/http/resource-name';
import type { Catalog } from '../persistence/models';
import { CatalogsPort } from '../persistence/ports';

/**
 * Resolves the `{prefix}` path segment: the catalog name, looked up inside the caller's tenant (contract
 * iceberg-rest §1.4). Every Iceberg route except config and metrics goes through here first.
 */
@Injectable()
export class IcebergCatalogService {
  constructor(private readonly catalogs: CatalogsPort) {}

  /** The catalog, or NotFoundError('catalog') (404; the filter names the exception after the route). */
  async requireCatalog(tenantId: string, prefix: string): Promise<Catalog> {
    // A prefix no catalog can be named (`.`, `..`, control characters) is a 400, not a 404.
    const catalog = await this.catalogs.getCatalog(tenantId, catalogName(prefix));
    if (!catalog) throw new NotFoundError('catalog', prefix, `Catalog '${prefix}' not found`);
    return catalog;
  }
}
