import {
  AssetsPort,
  BranchesPort,
  CatalogsPort,
  CommitsPort,
  MergeOperationsPort,
  NamespacesPort,
  PersistenceHealthPort,
  RolesAndGrantsPort,
  ServiceUsersPort,
  TagsPort,
  TenantIdentitiesPort,
  TenantsPort,
  TokensPort,
  UnitOfWorkPort,
  UsersPort,
  WarehousesPort,
} from './ports';

/** Every port of one opened backend. Each adapter's `open…Persistence` returns one of these. */
export interface PersistencePorts {
  tenants: TenantsPort;
  warehouses: WarehousesPort;
  catalogs: CatalogsPort;
  namespaces: NamespacesPort;
  assets: AssetsPort;
  branches: BranchesPort;
  commits: CommitsPort;
  tags: TagsPort;
  mergeOperations: MergeOperationsPort;
  unitOfWork: UnitOfWorkPort;
  health: PersistenceHealthPort;
  users: UsersPort;
  tokens: TokensPort;
  rolesAndGrants: RolesAndGrantsPort;
  serviceUsers: ServiceUsersPort;
  tenantIdentities: TenantIdentitiesPort;
}

/** DI token of each port, with the PersistencePorts field that provides it. */
export const PORT_BINDINGS = [
  [TenantsPort, 'tenants'],
  [WarehousesPort, 'warehouses'],
  [CatalogsPort, 'catalogs'],
  [NamespacesPort, 'namespaces'],
  [AssetsPort, 'assets'],
  [BranchesPort, 'branches'],
  [CommitsPort, 'commits'],
  [TagsPort, 'tags'],
  [MergeOperationsPort, 'mergeOperations'],
  [UnitOfWorkPort, 'unitOfWork'],
  [PersistenceHealthPort, 'health'],
  [UsersPort, 'users'],
  [TokensPort, 'tokens'],
  [RolesAndGrantsPort, 'rolesAndGrants'],
  [ServiceUsersPort, 'serviceUsers'],
  [TenantIdentitiesPort, 'tenantIdentities'],
] as const satisfies ReadonlyArray<readonly [abstract new (...args: never[]) => unknown, keyof PersistencePorts]>;
