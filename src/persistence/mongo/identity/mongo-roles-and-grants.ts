import type { Document, Filter } from 'mongodb';
import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import {
  RolesAndGrantsPort,
  type Permission,
  type PermissionGrant,
  type Role,
  type RoleUpdate,
  type UserRoleAssignment,
} from '../../ports';
import { permissionFromDoc, permissionToDoc, roleFromDoc, roleToDoc } from './mongo-identity-codec';
import type { MongoIdentityStore } from './mongo-identity-store';

/** Roles, role assignments and direct grants on MongoDB. */
export class MongoRolesAndGrants extends RolesAndGrantsPort {
  constructor(private readonly store: MongoIdentityStore) {
    super();
  }

  createRole(role: Role): Promise<Role> {
    const duplicate = () => new AlreadyExistsError('role', role.name);
    return this.store.run(async () => {
      const roles = this.store.collection('roles');
      if (await roles.findOne({ $or: [{ id: role.id }, { tenantKey: role.tenantId, name: role.name }] })) throw duplicate();
      await roles.insertOne(roleToDoc(role));
      return roleFromDoc(roleToDoc(role));
    }, duplicate);
  }

  getRole(tenantId: string, id: string): Promise<Role | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('roles').findOne({ id, tenantKey: tenantId });
      return doc ? roleFromDoc(doc) : null;
    });
  }

  listRoles(tenantId: string, page?: Pagination): Promise<Role[]> {
    return this.store.list('roles', { tenantKey: tenantId }, { name: 1, id: 1 }, page, roleFromDoc);
  }

  updateRole(tenantId: string, id: string, update: RoleUpdate, now: Date): Promise<Role> {
    const duplicate = () => new AlreadyExistsError('role', update.name);
    return this.store.run(async () => {
      const roles = this.store.collection('roles');
      if (!(await roles.findOne({ id, tenantKey: tenantId }))) throw new NotFoundError('role', id, 'Role not found');
      if (await roles.findOne({ tenantKey: tenantId, name: update.name, id: { $ne: id } })) throw duplicate();
      const doc = await roles.findOneAndUpdate(
        { id, tenantKey: tenantId },
        {
          $set: {
            name: update.name,
            description: update.description,
            permissionsJson: JSON.stringify(update.permissions),
            updatedAt: now.getTime(),
          },
        },
        { returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError('role', id, 'Role not found');
      return roleFromDoc(doc);
    }, duplicate);
  }

  deleteRole(tenantId: string, id: string): Promise<void> {
    return this.store.run(async () => {
      const result = await this.store.collection('roles').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('role', id, 'Role not found');
      await this.store.collection('userRoles').deleteMany({ roleId: id });
    });
  }

  assignRole(assignment: UserRoleAssignment): Promise<void> {
    return this.store.run(async () => {
      const tenantKey = assignment.tenantId;
      if (!(await this.store.collection('users').findOne({ id: assignment.userId, tenantKey }))) {
        throw new NotFoundError('user', assignment.userId, 'User not found');
      }
      const role = await this.store.collection('roles').findOne({ id: assignment.roleId, tenantKey });
      if (!role) throw new NotFoundError('role', assignment.roleId, 'Role not found');
      const duplicate = () => new AlreadyExistsError('role', role.name, `Role '${role.name}' is already assigned`);
      if (await this.store.collection('userRoles').findOne({ userId: assignment.userId, roleId: assignment.roleId })) {
        throw duplicate();
      }
      await this.store.run(
        () =>
          this.store.collection('userRoles').insertOne({
            userId: assignment.userId,
            roleId: assignment.roleId,
            tenantKey,
            assignedBy: assignment.assignedBy,
            assignedAt: assignment.assignedAt.getTime(),
          }),
        duplicate,
      );
    });
  }

  unassignRole(tenantId: string, userId: string, roleId: string): Promise<void> {
    return this.store.run(async () => {
      const result = await this.store.collection('userRoles').deleteOne({ userId, roleId, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('role', roleId, 'Role is not assigned to this user');
    });
  }

  listUserRoles(tenantId: string, userId: string): Promise<Role[]> {
    return this.store.run(async () => {
      const assignments = await this.store.collection('userRoles').find({ userId, tenantKey: tenantId }).toArray();
      const roles = await this.store.collection('roles')
        .find({ tenantKey: tenantId, id: { $in: assignments.map((a) => a.roleId as string) } }, { sort: { name: 1, id: 1 } })
        .toArray();
      return roles.map(roleFromDoc);
    });
  }

  grantPermission(permission: Permission): Promise<Permission> {
    const duplicate = () => new AlreadyExistsError('permission', permission.id);
    return this.store.run(async () => {
      const grantee = { id: permission.userId, tenantKey: permission.tenantId };
      if (!(await this.store.collection('users').findOne(grantee)) && !(await this.store.collection('serviceUsers').findOne(grantee))) {
        throw new NotFoundError('user', permission.userId, 'User not found');
      }
      if (await this.store.collection('permissions').findOne({ id: permission.id })) throw duplicate();
      await this.store.collection('permissions').insertOne(permissionToDoc(permission));
      return permissionFromDoc(permissionToDoc(permission));
    }, duplicate);
  }

  getPermission(tenantId: string, id: string): Promise<Permission | null> {
    return this.store.run(async () => {
      const doc = await this.store.collection('permissions').findOne({ id, tenantKey: tenantId });
      return doc ? permissionFromDoc(doc) : null;
    });
  }

  revokePermission(tenantId: string, id: string): Promise<void> {
    return this.store.run(async () => {
      const result = await this.store.collection('permissions').deleteOne({ id, tenantKey: tenantId });
      if (result.deletedCount === 0) throw new NotFoundError('permission', id, 'Permission not found');
    });
  }

  listPermissions(tenantId: string, filter: { userId?: string }, page?: Pagination): Promise<Permission[]> {
    const query: Filter<Document> = { tenantKey: tenantId };
    if (filter.userId !== undefined) query.userId = filter.userId;
    return this.store.list('permissions', query, { grantedAt: 1, id: 1 }, page, permissionFromDoc);
  }

  getEffectiveGrants(tenantId: string, userId: string): Promise<PermissionGrant[]> {
    return this.store.run(async () => {
      const direct = await this.store.collection('permissions')
        .find({ tenantKey: tenantId, userId }, { sort: { grantedAt: 1, id: 1 } })
        .toArray();
      const roles = await this.listUserRoles(tenantId, userId);
      return [
        ...direct.map(permissionFromDoc).map((p) => ({ scope: p.scope, actions: p.actions })),
        ...roles.flatMap((r) => r.permissions),
      ];
    });
  }
}
