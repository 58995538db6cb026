import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ForbiddenError, NotFoundError, ValidationError } from '../common/errors';
import type { Principal } from '../common/http/principal';
import type { Pagination } from '../persistence/models';
import { RolesAndGrantsPort, UsersPort, type Permission, type PermissionGrant, type Role } from '../persistence/ports';
import { parseActions, parseGrants, parseScope } from './permissions';
import { isAdminRole } from './roles';

/**
 * Roles, direct grants and role assignments (contract management §4.11), all inside the effective tenant.
 * Only admins change them (the route table enforces it), so no user can grant itself anything; a
 * non-admin may read its own roles and grants only.
 */
@Injectable()
export class RbacService {
  constructor(
    private readonly rolesAndGrants: RolesAndGrantsPort,
    private readonly users: UsersPort,
  ) {}

  async createRole(
    principal: Principal,
    input: { name: string; description?: string | null; tenantId?: string | null; permissions?: unknown },
  ): Promise<Role> {
    this.assertOwnTenant(principal, input.tenantId);
    validateName(input.name);
    const now = new Date();
    return this.rolesAndGrants.createRole({
      id: randomUUID(),
      tenantId: principal.tenantId,
      name: input.name,
      description: input.description ?? null,
      permissions: input.permissions === undefined || input.permissions === null ? [] : parseGrants(input.permissions),
      createdBy: principal.userId,
      createdAt: now,
      updatedAt: now,
    });
  }

  listRoles(principal: Principal, page: Pagination): Promise<Role[]> {
    return this.rolesAndGrants.listRoles(principal.tenantId, page);
  }

  async getRole(principal: Principal, id: string): Promise<Role> {
    const role = await this.rolesAndGrants.getRole(principal.tenantId, id);
    if (!role) throw new NotFoundError('role', id, 'Role not found');
    return role;
  }

  /** PUT takes the complete Role; `id` must be the path's. */
  async updateRole(
    principal: Principal,
    id: string,
    input: { id?: string; name: string; description?: string | null; permissions?: unknown },
  ): Promise<Role> {
    if (input.id !== undefined && input.id.toLowerCase() !== id) throw new ValidationError('Role ID mismatch');
    validateName(input.name);
    const permissions: PermissionGrant[] = input.permissions === undefined ? [] : parseGrants(input.permissions);
    return this.rolesAndGrants.updateRole(
      principal.tenantId,
      id,
      { name: input.name, description: input.description ?? null, permissions },
      new Date(),
    );
  }

  deleteRole(principal: Principal, id: string): Promise<void> {
    return this.rolesAndGrants.deleteRole(principal.tenantId, id);
  }

  assignRole(principal: Principal, userId: string, roleId: string): Promise<void> {
    return this.rolesAndGrants.assignRole({
      userId,
      roleId: roleId.toLowerCase(),
      tenantId: principal.tenantId,
      assignedBy: principal.userId,
      assignedAt: new Date(),
    });
  }

  async listUserRoles(principal: Principal, userId: string): Promise<Role[]> {
    if (userId !== principal.userId && !isAdminRole(principal.role)) throw new ForbiddenError('Cannot view other users');
    if (!(await this.users.getUser(principal.tenantId, userId))) throw new NotFoundError('user', userId, 'User not found');
    return this.rolesAndGrants.listUserRoles(principal.tenantId, userId);
  }

  unassignRole(principal: Principal, userId: string, roleId: string): Promise<void> {
    return this.rolesAndGrants.unassignRole(principal.tenantId, userId, roleId.toLowerCase());
  }

  grant(principal: Principal, input: { userId: unknown; scope: unknown; actions: unknown }): Promise<Permission> {
    if (typeof input.userId !== 'string' || input.userId === '') throw new ValidationError('user-id is required');
    const actions = parseActions(input.actions);
    if (actions.length === 0) throw new ValidationError('actions must not be empty');
    return this.rolesAndGrants.grantPermission({
      id: randomUUID(),
      tenantId: principal.tenantId,
      userId: input.userId.toLowerCase(),
      scope: parseScope(input.scope),
      actions,
      grantedBy: principal.userId,
      grantedAt: new Date(),
    });
  }

  /** Admins list the tenant's grants (or one user's); anyone else only its own. */
  listPermissions(principal: Principal, userId: string | undefined, page: Pagination): Promise<Permission[]> {
    if (!isAdminRole(principal.role)) {
      if (userId !== undefined && userId !== principal.userId) throw new ForbiddenError('Cannot view other users');
      return this.rolesAndGrants.listPermissions(principal.tenantId, { userId: principal.userId }, page);
    }
    return this.rolesAndGrants.listPermissions(principal.tenantId, userId === undefined ? {} : { userId }, page);
  }

  revoke(principal: Principal, id: string): Promise<void> {
    return this.rolesAndGrants.revokePermission(principal.tenantId, id.toLowerCase());
  }

  private assertOwnTenant(principal: Principal, tenantId: string | null | undefined): void {
    if (tenantId !== undefined && tenantId !== null && tenantId.toLowerCase() !== principal.tenantId) {
      throw new ForbiddenError('Cannot create roles for another tenant');
    }
  }
}

function validateName(name: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255) {
    throw new ValidationError('The role name must be 1 to 255 characters');
  }
}
