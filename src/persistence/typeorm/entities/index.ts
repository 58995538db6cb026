import {
  AssetEntity,
  BranchEntity,
  CatalogEntity,
  CommitEntity,
  MergeConflictEntity,
  MergeOperationEntity,
  NamespaceEntity,
  TagEntity,
  TenantEntity,
  WarehouseEntity,
} from './catalog-entities';
import {
  ActiveTokenEntity,
  PermissionEntity,
  RevokedTokenEntity,
  RoleEntity,
  ServiceUserEntity,
  UserEntity,
  UserRoleEntity,
} from './identity-entities';

export * from './catalog-entities';
export * from './identity-entities';

/** Every entity, registered with the DataSource of either dialect. */
export const ALL_ENTITIES = [
  TenantEntity,
  WarehouseEntity,
  CatalogEntity,
  NamespaceEntity,
  BranchEntity,
  AssetEntity,
  CommitEntity,
  TagEntity,
  MergeOperationEntity,
  MergeConflictEntity,
  UserEntity,
  ActiveTokenEntity,
  RevokedTokenEntity,
  RoleEntity,
  PermissionEntity,
  UserRoleEntity,
  ServiceUserEntity,
];
