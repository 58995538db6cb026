import { AlreadyExistsError, NotFoundError } from '../../common/errors';
import { MAIN_BRANCH, type Catalog, type Pagination } from '../models';
import { CatalogsPort, type CatalogPatch } from '../ports';
import {
  catalogFromDoc,
  catalogToDoc,
  fromPairs,
  namespaceToDoc,
  pageBounds,
  pageStages,
  toJson,
  toPairs,
} from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { BranchDoc, CatalogDoc } from './mongo-schemas';

const DEFAULT_NAMESPACE = ['default'];

export class MongoCatalogs extends CatalogsPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createCatalog(catalog: Catalog): Promise<Catalog> {
    const { catalogs, namespaces, branches } = this.ctx.models;
    const { tenantId, name: catalogName } = catalog;
    const doc = catalogToDoc(catalog);
    return this.ctx.transactions.run(
      async (session) => {
        if (await catalogs.exists({ tenantId, name: catalogName }).session(session)) {
          throw new AlreadyExistsError('catalog', catalogName);
        }
        await catalogs.insertMany([doc], { session });
        // Upserts: rows left behind under this name (e.g. by an interrupted older deletion) are adopted.
        const defaultNamespace = namespaceToDoc({ tenantId, catalogName, levels: DEFAULT_NAMESPACE, properties: {} });
        await namespaces.updateOne(
          { tenantId, catalogName, namespaceKey: defaultNamespace.namespaceKey },
          { $setOnInsert: defaultNamespace },
          { upsert: true, session },
        );
        const main: BranchDoc = {
          tenantId,
          catalogName,
          name: MAIN_BRANCH,
          headCommitId: null,
          branchType: 'ingest',
          creationId: null,
          creationStartedAt: null,
        };
        await branches.updateOne({ tenantId, catalogName, name: MAIN_BRANCH }, { $setOnInsert: main }, { upsert: true, session });
        return catalogFromDoc(doc);
      },
      { onDuplicateKey: () => new AlreadyExistsError('catalog', catalogName) },
    );
  }

  getCatalog(tenantId: string, name: string): Promise<Catalog | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.catalogs.findOne({ tenantId, name }).lean<CatalogDoc>();
      return doc ? catalogFromDoc(doc) : null;
    });
  }

  listCatalogs(tenantId: string, page?: Pagination): Promise<Catalog[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    return guarded(async () => {
      const docs = await this.ctx.models.catalogs.aggregate<CatalogDoc>([
        { $match: { tenantId } },
        { $sort: { name: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(catalogFromDoc);
    });
  }

  async updateCatalog(tenantId: string, name: string, patch: CatalogPatch): Promise<Catalog> {
    const { catalogs } = this.ctx.models;
    return this.ctx.transactions.run(async (session) => {
      const current = await catalogs.findOne({ tenantId, name }).session(session).lean<CatalogDoc>();
      if (!current) throw new NotFoundError('catalog', name);
      const changes = {
        warehouseName: patch.warehouseName !== undefined ? patch.warehouseName : current.warehouseName,
        storageLocation: patch.storageLocation !== undefined ? patch.storageLocation : current.storageLocation,
        federatedConfigJson: patch.federatedConfig !== undefined ? toJson(patch.federatedConfig) : current.federatedConfigJson,
        properties: toPairs({ ...fromPairs(current.properties), ...(patch.properties ?? {}) }),
      };
      await catalogs.updateOne({ tenantId, name }, { $set: changes }, { session });
      return catalogFromDoc({ ...current, ...changes });
    });
  }

  async deleteCatalog(tenantId: string, name: string): Promise<void> {
    const { catalogs, namespaces, assets, branches, tags } = this.ctx.models;
    await this.ctx.transactions.run(async (session) => {
      if (!(await catalogs.exists({ tenantId, name }).session(session))) throw new NotFoundError('catalog', name);
      const scope = { tenantId, catalogName: name };
      // Commits and merge operations are kept (they are not catalog-scoped records).
      await assets.deleteMany(scope, { session });
      await namespaces.deleteMany(scope, { session });
      await branches.deleteMany(scope, { session });
      await tags.deleteMany(scope, { session });
      await catalogs.deleteOne({ tenantId, name }, { session });
    });
  }
}
