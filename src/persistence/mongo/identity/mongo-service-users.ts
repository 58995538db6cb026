import type { Document } from 'mongodb';
import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { ServiceUsersPort, type ServiceUser, type ServiceUserPatch } from '../../ports';
import { credentialVersionBump, millis, serviceUserFromDoc, serviceUserToDoc } from './mongo-identity-codec';
import type { MongoIdentityStore } from './mongo-identity-store';

/** Service users on MongoDB; deleting one removes its direct grants after it. */
export class MongoServiceUsers extends ServiceUsersPort {
  constructor(private readonly store: MongoIdentityStore) {
    super();
  }

  createServiceUser(serviceUser: ServiceUser): Promise<ServiceUser> {
    const duplicate = () => new AlreadyExistsError('service-user', serviceUser.name);
    return this.store.run(async () => {
      const serviceUsers = this.store.collection('serviceUsers');
      if (
        await serviceUsers.findOne({
          $or: [{ id: serviceUser.id }, { tenantKey: serviceUser.tenantId, name: serviceUser.name }],
        })
      ) {
        throw duplicate();
      }
      await serviceUsers.insertOne(serviceUserToDoc(serviceUser));
      return { ...serviceUser };
    }, duplicate);
  }

  getServiceUser(tenantId: string, id: string): Promise<ServiceUser | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('serviceUsers').findOne({ id, tenantKey: tenantId });
      return doc ? serviceUserFromDoc(doc) : null;
    });
  }

  getServiceUserForAuthentication(id: string): Promise<ServiceUser | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('serviceUsers').findOne({ id });
      return doc ? serviceUserFromDoc(doc) : null;
    });
  }

  listServiceUsers(tenantId: string, page?: Pagination): Promise<ServiceUser[]> {
    return this.store.list('serviceUsers', { tenantKey: tenantId }, { name: 1, id: 1 }, page, serviceUserFromDoc);
  }

  updateServiceUser(tenantId: string, id: string, patch: ServiceUserPatch): Promise<ServiceUser> {
    const duplicate = () => new AlreadyExistsError('service-user', patch.name ?? id);
    return this.store.run(async () => {
      const serviceUsers = this.store.collection('serviceUsers');
      if (!(await serviceUsers.findOne({ id, tenantKey: tenantId }))) {
        throw new NotFoundError('service-user', id, 'Service user not found');
      }
      if (patch.name !== undefined && (await serviceUsers.findOne({ tenantKey: tenantId, name: patch.name, id: { $ne: id } }))) {
        throw duplicate();
      }
      const set: Document = {};
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.active !== undefined) set.active = patch.active;
      if (patch.expiresAt !== undefined) set.expiresAt = millis(patch.expiresAt);
      if (patch.apiKeyHash !== undefined) set.apiKeyHash = patch.apiKeyHash;
      if (patch.lastUsedAt !== undefined) set.lastUsedAt = millis(patch.lastUsedAt);
      const doc = await serviceUsers.findOneAndUpdate(
        { id, tenantKey: tenantId },
        { $set: set, ...credentialVersionBump(patch) },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('service-user', id, 'Service user not found');
      return serviceUserFromDoc(doc);
    }, duplicate);
  }

  deleteServiceUser(tenantId: string, id: string): Promise<void> {
    return this.store.run(async () => {
      const result = await this.store.collection('serviceUsers').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('service-user', id, 'Service user not found');
      await this.store.collection('permissions').deleteMany({ userId: id, tenantKey: tenantId });
    });
  }
}
