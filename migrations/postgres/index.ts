import { InitialSchema1767225600000 } from './1767225600000-initial-schema';
import { AddPerfIndexes1767225600001 } from './1767225600001-add-perf-indexes';
import { UsersUniquePerTenant1767225600002 } from './1767225600002-users-unique-per-tenant';
import { CredentialVersions1767225600003 } from './1767225600003-credential-versions';
import { ServiceUserGrants1767225600004 } from './1767225600004-service-user-grants';

/** Every PostgreSQL migration, oldest first. Passed to the DataSource as classes, so no file glob is needed. */
export const POSTGRES_MIGRATIONS = [
  InitialSchema1767225600000,
  AddPerfIndexes1767225600001,
  UsersUniquePerTenant1767225600002,
  CredentialVersions1767225600003,
  ServiceUserGrants1767225600004,
];
