import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors';
import { OAuthErrorException } from '../common/http/oauth-error';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ServiceUsersPort } from '../persistence/ports';
import { AuthenticationService } from './authentication.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OAuthTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
}

/**
 * The Iceberg OAuth2 `client_credentials` exchange (contract iceberg-rest §4.2): client_id is a service
 * user's id, client_secret its API key. Inactive or expired service users are refused. Errors use the OAuth
 * error codes (DESIGN §2.1).
 */
@Injectable()
export class OAuthService {
  private readonly logger = new Logger('OAuth');

  constructor(
    private readonly authentication: AuthenticationService,
    private readonly serviceUsers: ServiceUsersPort,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async exchange(form: Record<string, string>, sourceAddress: string): Promise<OAuthTokenResponse> {
    if (form.grant_type !== 'client_credentials') {
      throw new OAuthErrorException('unsupported_grant_type', "Unsupported grant_type. exact 'client_credentials' required.");
    }
    const clientId = form.client_id;
    const clientSecret = form.client_secret;
    if (!clientId || !clientSecret) {
      throw new OAuthErrorException('invalid_request', 'client_id and client_secret are required');
    }
    if (!UUID.test(clientId)) throw new OAuthErrorException('invalid_request', 'Invalid client_id format. Must be a valid UUID.');
    let serviceUser;
    try {
      serviceUser = await this.authentication.verifyServiceUserSecret(clientId.toLowerCase(), clientSecret, sourceAddress);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw new OAuthErrorException('invalid_client', error.message);
      throw error;
    }
    const lifetime = this.config.auth.serviceTokenTtlSeconds;
    const issued = await this.authentication.issueToken({
      subjectId: serviceUser.id,
      username: serviceUser.name,
      tenantId: serviceUser.tenantId,
      role: serviceUser.role,
      lifetimeSeconds: lifetime,
      credentialVersion: serviceUser.credentialVersion,
      serviceUser: true,
      record: false,
    });
    this.serviceUsers
      .updateServiceUser(serviceUser.tenantId, serviceUser.id, { lastUsedAt: new Date() })
      .catch((error: unknown) => this.logger.warn(`Could not record the service user's last use: ${String(error)}`));
    return {
      access_token: issued.token,
      token_type: 'Bearer',
      expires_in: lifetime,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    };
  }
}
