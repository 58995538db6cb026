import type { AuthSecrets } from './bootstrap-secrets';

/** DI token of the resolved AuthSecrets (JWT secret, root credential). */
export const AUTH_SECRETS = Symbol('AUTH_SECRETS');

/** Id of the stored root user (the id v0.4.0's root login puts in `sub`). */
export const ROOT_USER_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Id of NO-AUTH mode's synthetic tenant admin, and of the stored user behind it (contract §4.6). */
export const NO_AUTH_ADMIN_ID = '00000000-0000-0000-0000-000000000000';

export type { AuthSecrets };
