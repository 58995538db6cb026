import { HttpException } from '@nestjs/common';
import type { ClassifiedError } from './error-classification';

/** Error codes of the OAuth 2 token endpoint, as the Iceberg spec's OAuthError allows them. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** Raised by the token endpoint to choose the OAuth error code explicitly. */
export class OAuthErrorException extends HttpException {
  constructor(
    readonly oauthError: OAuthErrorCode,
    description: string,
    status = oauthError === 'invalid_client' ? 401 : 400,
  ) {
    super(description, status);
  }
}

/**
 * Every alias of the OAuth token route (`/v1/oauth/tokens`, `/v1/<p>/v1/oauth/tokens`,
 * `/api/v1/iceberg/<p>/oauth/tokens`, ...): its client errors use the OAuth shape (DESIGN §2.1), which is
 * what PyIceberg and Java parse there.
 */
export function isOAuthTokenPath(path: string): boolean {
  return /^\/(v1|api\/v1\/iceberg)\/(.+\/)?oauth\/tokens\/?$/.test(path);
}

/** `{"error": "<code>", "error_description": "<message>"}`; only for 4xx (a 5xx keeps its surface's shape). */
export function oauthErrorBody(error: ClassifiedError): { error: OAuthErrorCode; error_description: string } {
  const explicit = error.httpException instanceof OAuthErrorException ? error.httpException.oauthError : undefined;
  const code: OAuthErrorCode =
    explicit ?? (error.status === 401 ? 'invalid_client' : error.status === 403 ? 'unauthorized_client' : 'invalid_request');
  return { error: code, error_description: error.message };
}
