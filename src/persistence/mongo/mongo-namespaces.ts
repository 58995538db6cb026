import { AlreadyExistsError, NamespaceNotEmptyError, NotFoundError } from '../../common/errors';
import type { Namespace, NamespacePath, Pagination, StringMap } from '../models';
import { NamespacesPort, type NamespacePropertiesChange } from '../ports';
import {
  descendantKeyRange,
  fromPairs,
  namespaceFromDoc,
  namespaceKey,
  namespaceToDoc,
  pageBounds,
  pageStages,
  toPairs,
} from './mongo-codec';
import { guarded, type MongoContext } from './mongo-context';
import type { NamespaceDoc } from './mongo-schemas';

function displayName(levels: NamespacePath): string {
  return levels.join('.');
}

export class MongoNamespaces extends NamespacesPort {
  constructor(private readonly ctx: MongoContext) {
    super();
  }

  async createNamespace(namespace: Namespace): Promise<Namespace> {
    const { namespaces } = this.ctx.models;
    const doc = namespaceToDoc(namespace);
    return this.ctx.transactions.run(
      async (session) => {
        const key = { tenantId: doc.tenantId, catalogName: doc.catalogName, namespaceKey: doc.namespaceKey };
        if (await namespaces.exists(key).session(session)) {
          throw new AlreadyExistsError('namespace', displayName(namespace.levels));
        }
        await namespaces.insertMany([doc], { session });
        return namespaceFromDoc(doc);
      },
      { onDuplicateKey: () => new AlreadyExistsError('namespace', displayName(namespace.levels)) },
    );
  }

  getNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<Namespace | null> {
    return guarded(async () => {
      const doc = await this.ctx.models.namespaces
        .findOne({ tenantId, catalogName, namespaceKey: namespaceKey(levels) })
        .lean<NamespaceDoc>();
      return doc ? namespaceFromDoc(doc) : null;
    });
  }

  listNamespaces(tenantId: string, catalogName: string, parent?: NamespacePath, page?: Pagination): Promise<Namespace[]> {
    if (pageBounds(page).empty) return Promise.resolve([]);
    const match: Record<string, unknown> = { tenantId, catalogName };
    if (parent) {
      match.parentKey = namespaceKey(parent);
      match.depth = parent.length + 1;
    }
    return guarded(async () => {
      // namespaceKey order is level-by-level order: the separator sorts below every printable character.
      const docs = await this.ctx.models.namespaces.aggregate<NamespaceDoc>([
        { $match: match },
        { $sort: { namespaceKey: 1 } },
        ...pageStages(page),
      ]);
      return docs.map(namespaceFromDoc);
    });
  }

  async updateNamespaceProperties(
    tenantId: string,
    catalogName: string,
    levels: NamespacePath,
    removals: string[],
    updates: StringMap,
  ): Promise<NamespacePropertiesChange> {
    const { namespaces } = this.ctx.models;
    const filter = { tenantId, catalogName, namespaceKey: namespaceKey(levels) };
    return this.ctx.transactions.run(async (session) => {
      const current = await namespaces.findOne(filter).session(session).lean<NamespaceDoc>();
      if (!current) throw new NotFoundError('namespace', displayName(levels));
      const properties = fromPairs(current.properties);
      const removed: string[] = [];
      const missing: string[] = [];
      for (const key of removals) {
        if (Object.prototype.hasOwnProperty.call(properties, key)) {
          delete properties[key];
          removed.push(key);
        } else {
          missing.push(key);
        }
      }
      Object.assign(properties, updates);
      await namespaces.updateOne(filter, { $set: { properties: toPairs(properties) } }, { session });
      return { updated: Object.keys(updates), removed, missing };
    });
  }

  async deleteNamespace(tenantId: string, catalogName: string, levels: NamespacePath): Promise<void> {
    const { namespaces, assets } = this.ctx.models;
    const key = namespaceKey(levels);
    await this.ctx.transactions.run(async (session) => {
      if (!(await namespaces.exists({ tenantId, catalogName, namespaceKey: key }).session(session))) {
        throw new NotFoundError('namespace', displayName(levels));
      }
      if (await namespaces.exists({ tenantId, catalogName, namespaceKey: descendantKeyRange(levels) }).session(session)) {
        throw new NamespaceNotEmptyError(`Namespace '${displayName(levels)}' has child namespaces`);
      }
      if (await assets.exists({ tenantId, catalogName, namespaceKey: key }).session(session)) {
        throw new NamespaceNotEmptyError(`Namespace '${displayName(levels)}' is not empty`);
      }
      await namespaces.deleteOne({ tenantId, catalogName, namespaceKey: key }, { session });
    });
  }
}
