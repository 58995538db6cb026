import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ValidationError } from '../common/errors';
import { parsePagination } from '../common/http/pagination';
import { UuidParamPipe } from '../common/http/uuid-param';
import { JsonBody } from '../common/http/validation';
import { timestampOffset, timestampZ } from '../common/wire-timestamp';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { ActiveTokenWithUser } from '../persistence/ports';
import {
  AssignRoleDto,
  CreateRoleDto,
  CreateServiceUserDto,
  CreateUserDto,
  GenerateTokenDto,
  GrantPermissionDto,
  LoginDto,
  UpdateRoleDto,
  UpdateServiceUserDto,
  UpdateUserDto,
} from './auth.dto';
import { Access, ADMIN, AUTHENTICATED, Public } from './access';
import { sessionOf, TooManyAttemptsException, type AuthenticatedRequest } from './auth-session';
import type { IssuedToken } from './authentication.service';
import { sourceAddressOf } from './authentication.middleware';
import { RbacService } from './rbac.service';
import { ServiceUsersService } from './service-users.service';
import { TokensService } from './tokens.service';
import { UsersService } from './users.service';
import {
  toApiKeyResponse,
  toPermissionResponse,
  toRoleResponse,
  toServiceUserResponse,
  toUserInfo,
  type UserInfo,
} from './wire';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `tenant-id` (or `tenant_id`): a UUID or null/absent (root). */
function optionalTenantId(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (!UUID.test(value)) throw new ValidationError('Invalid tenant-id: expected a UUID');
  return value.toLowerCase();
}

/** An optional `{"reason"}` body; absent or empty bodies are accepted (pypangolin sends none). */
function reasonOf(body: unknown): string | null {
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    const reason = (body as Record<string, unknown>).reason;
    if (typeof reason === 'string') return reason.slice(0, 500);
  }
  return null;
}

/** Login, the caller's own session, and the UI's mode probe (contract management §4.9). */
@Controller('api/v1')
export class SessionController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('users/login')
  @Public()
  @HttpCode(200)
  async login(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
    @JsonBody() body: LoginDto,
  ) {
    const tenantId = optionalTenantId(body['tenant-id'] ?? body.tenant_id);
    let result;
    try {
      result = await this.users.login(
        { username: body.username, password: body.password, tenantId },
        sourceAddressOf(req, this.config.auth.trustForwardedFor),
      );
    } catch (error) {
      if (error instanceof TooManyAttemptsException) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
    const { user, issued } = result;
    return { token: issued.token, user: toUserInfo(user), 'expires-at': timestampOffset(issued.expiresAt) };
  }

  @Get('app-config')
  @Public()
  appConfig(): { auth_enabled: boolean } {
    return { auth_enabled: !this.config.noAuth };
  }

  @Get('users/me')
  @Access(AUTHENTICATED)
  async me(@Req() req: AuthenticatedRequest): Promise<UserInfo> {
    const { principal, session } = sessionOf(req);
    return toUserInfo(await this.users.me(principal, session));
  }

  /** Revokes the presented token (v0.4.0 did nothing). */
  @Post('users/logout')
  @Access(AUTHENTICATED)
  @HttpCode(204)
  async logout(@Req() req: AuthenticatedRequest): Promise<void> {
    const { principal, session } = sessionOf(req);
    await this.tokens.revokeSession(principal, session, 'logout');
  }
}

/** Users (contract management §4.9). Static paths are declared before `:id`. */
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: TokensService,
    private readonly rbac: RbacService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('me/tokens')
  @Access(AUTHENTICATED)
  async myTokens(@Req() req: AuthenticatedRequest, @Query() query: Record<string, unknown>) {
    const { principal, session } = sessionOf(req);
    return (await this.tokens.listMine(principal, session, parsePagination(query))).map(toTokenInfo);
  }

  @Post()
  @Access(ADMIN)
  @HttpCode(201)
  async create(@Req() req: AuthenticatedRequest, @JsonBody() body: CreateUserDto): Promise<UserInfo> {
    const { principal } = sessionOf(req);
    const tenantId = optionalTenantId(body.tenant_id ?? body['tenant-id']);
    const user = await this.users.create(principal, { ...body, tenantId });
    return toUserInfo(user);
  }

  @Get()
  @Access(ADMIN)
  async list(@Req() req: AuthenticatedRequest, @Query() query: Record<string, unknown>): Promise<UserInfo[]> {
    return (await this.users.list(sessionOf(req).principal, parsePagination(query))).map(toUserInfo);
  }

  // Self or admin: decided by the endpoint.
  @Get(':id')
  @Access(AUTHENTICATED)
  async get(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('user id')) id: string): Promise<UserInfo> {
    return toUserInfo(await this.users.get(sessionOf(req).principal, id));
  }

  /** Answers the updated UserInfo as JSON (contract §9 #32). */
  @Put(':id')
  @Access(AUTHENTICATED)
  async update(
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
    @Param('id', new UuidParamPipe('user id')) id: string,
    @JsonBody() body: UpdateUserDto,
  ): Promise<UserInfo> {
    const input = {
      email: body.email,
      password: body.password,
      currentPassword: body.current_password ?? body['current-password'],
      active: body.active,
    };
    try {
      const sourceAddress = sourceAddressOf(req, this.config.auth.trustForwardedFor);
      return toUserInfo(await this.users.update(sessionOf(req).principal, id, input, sourceAddress));
    } catch (error) {
      if (error instanceof TooManyAttemptsException) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Delete(':id')
  @Access(ADMIN)
  @HttpCode(204)
  async delete(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('user id')) id: string): Promise<void> {
    await this.users.delete(sessionOf(req).principal, id);
  }

  @Get(':user_id/tokens')
  @Access(ADMIN)
  async userTokens(
    @Req() req: AuthenticatedRequest,
    @Param('user_id', new UuidParamPipe('user id')) userId: string,
    @Query() query: Record<string, unknown>,
  ) {
    return (await this.tokens.listForUser(sessionOf(req).principal, userId, parsePagination(query))).map(toTokenInfo);
  }

  @Post(':id/roles')
  @Access(ADMIN)
  @HttpCode(201)
  async assignRole(
    @Req() req: AuthenticatedRequest,
    @Param('id', new UuidParamPipe('user id')) id: string,
    @JsonBody() body: AssignRoleDto,
  ): Promise<void> {
    await this.rbac.assignRole(sessionOf(req).principal, id, body['role-id']);
  }

  @Get(':id/roles')
  @Access(AUTHENTICATED)
  async roles(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('user id')) id: string) {
    return (await this.rbac.listUserRoles(sessionOf(req).principal, id)).map(toRoleResponse);
  }

  @Delete(':id/roles/:role_id')
  @Access(ADMIN)
  @HttpCode(204)
  async unassignRole(
    @Req() req: AuthenticatedRequest,
    @Param('id', new UuidParamPipe('user id')) id: string,
    @Param('role_id', new UuidParamPipe('role id')) roleId: string,
  ): Promise<void> {
    await this.rbac.unassignRole(sessionOf(req).principal, id, roleId);
  }
}

function toTokenInfo(token: ActiveTokenWithUser) {
  return {
    id: token.tokenId,
    tenant_id: token.tenantId,
    user_id: token.userId,
    username: token.username,
    expires_at: timestampZ(token.expiresAt),
    created_at: timestampZ(token.createdAt),
    is_valid: token.expiresAt.getTime() > Date.now(),
  };
}

function toTokenResponse(issued: IssuedToken) {
  return { token: issued.token, expires_at: timestampOffset(issued.expiresAt), tenant_id: issued.claims.tenant_id };
}

/** Token minting, rotation, revocation and cleanup (contract management §4.9, §9 #26, #27, #33). */
@Controller('api/v1')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post('tokens')
  @Access(ADMIN)
  @HttpCode(200)
  async generate(@Req() req: AuthenticatedRequest, @JsonBody() body: GenerateTokenDto) {
    const { principal, session } = sessionOf(req);
    const issued = await this.tokens.generate(principal, session, {
      tenantId: body.tenant_id,
      username: body.username,
      roles: body.roles,
      expiresInHours: body.expires_in_hours,
    });
    return { ...toTokenResponse(issued), tenant_id: String(body.tenant_id).toLowerCase() };
  }

  @Post('tokens/rotate')
  @Access(AUTHENTICATED)
  @HttpCode(200)
  async rotate(@Req() req: AuthenticatedRequest) {
    const { principal, session } = sessionOf(req);
    return toTokenResponse(await this.tokens.rotate(principal, session));
  }

  @Delete('tokens/:token_id')
  @Access(ADMIN)
  @HttpCode(204)
  async delete(@Req() req: AuthenticatedRequest, @Param('token_id', new UuidParamPipe('token id')) tokenId: string) {
    await this.tokens.revokeById(sessionOf(req).principal, tokenId, 'deleted');
  }

  @Post('auth/revoke')
  @Access(AUTHENTICATED)
  @HttpCode(200)
  async revokeOwn(@Req() req: AuthenticatedRequest, @Body() body: unknown) {
    const { principal, session } = sessionOf(req);
    if (!(await this.tokens.revokeSession(principal, session, reasonOf(body)))) {
      throw new ValidationError('Only a bearer token can be revoked');
    }
    return { message: 'Token revoked successfully. Please log in again.' };
  }

  @Post('auth/revoke/:token_id')
  @Access(ADMIN)
  @HttpCode(200)
  async revokeById(
    @Req() req: AuthenticatedRequest,
    @Param('token_id', new UuidParamPipe('token id')) tokenId: string,
    @Body() body: unknown,
  ) {
    await this.tokens.revokeById(sessionOf(req).principal, tokenId, reasonOf(body));
    return { message: `Token ${tokenId} revoked successfully` };
  }

  @Post('auth/cleanup-tokens')
  @Access(ADMIN)
  @HttpCode(200)
  async cleanup(@Req() req: AuthenticatedRequest) {
    const count = await this.tokens.cleanup(sessionOf(req).principal);
    return { message: `Cleaned up ${count} expired tokens`, count };
  }
}

/** Roles and direct grants (contract management §4.11): changes are admin-only, so nobody grants themselves anything. */
@Controller('api/v1')
export class RbacController {
  constructor(private readonly rbac: RbacService) {}

  @Post('roles')
  @Access(ADMIN)
  @HttpCode(201)
  async createRole(@Req() req: AuthenticatedRequest, @JsonBody() body: CreateRoleDto) {
    const role = await this.rbac.createRole(sessionOf(req).principal, {
      name: body.name,
      description: body.description,
      tenantId: body['tenant-id'],
      permissions: body.permissions,
    });
    return toRoleResponse(role);
  }

  @Get('roles')
  @Access(AUTHENTICATED)
  async listRoles(@Req() req: AuthenticatedRequest, @Query() query: Record<string, unknown>) {
    return (await this.rbac.listRoles(sessionOf(req).principal, parsePagination(query))).map(toRoleResponse);
  }

  @Get('roles/:id')
  @Access(AUTHENTICATED)
  async getRole(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('role id')) id: string) {
    return toRoleResponse(await this.rbac.getRole(sessionOf(req).principal, id));
  }

  /** 200 with an empty body (contract §4.11). */
  @Put('roles/:id')
  @Access(ADMIN)
  @HttpCode(200)
  async updateRole(
    @Req() req: AuthenticatedRequest,
    @Param('id', new UuidParamPipe('role id')) id: string,
    @JsonBody() body: UpdateRoleDto,
  ): Promise<void> {
    await this.rbac.updateRole(sessionOf(req).principal, id, body);
  }

  @Delete('roles/:id')
  @Access(ADMIN)
  @HttpCode(204)
  async deleteRole(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('role id')) id: string) {
    await this.rbac.deleteRole(sessionOf(req).principal, id);
  }

  @Post('permissions')
  @Access(ADMIN)
  @HttpCode(201)
  async grant(@Req() req: AuthenticatedRequest, @JsonBody() body: GrantPermissionDto) {
    const permission = await this.rbac.grant(sessionOf(req).principal, {
      userId: body['user-id'],
      scope: body.scope,
      actions: body.actions,
    });
    return toPermissionResponse(permission);
  }

  @Get('permissions')
  @Access(AUTHENTICATED)
  async listPermissions(@Req() req: AuthenticatedRequest, @Query() query: Record<string, unknown>) {
    const user = query.user;
    if (user !== undefined && (typeof user !== 'string' || !UUID.test(user))) {
      throw new ValidationError('Failed to deserialize query string: user: expected a UUID');
    }
    const permissions = await this.rbac.listPermissions(
      sessionOf(req).principal,
      typeof user === 'string' ? user.toLowerCase() : undefined,
      parsePagination(query),
    );
    return permissions.map(toPermissionResponse);
  }

  @Delete('permissions/:id')
  @Access(ADMIN)
  @HttpCode(204)
  async revoke(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('permission id')) id: string) {
    await this.rbac.revoke(sessionOf(req).principal, id);
  }
}

/** Service users and API keys (contract management §4.12): admin only. */
@Controller('api/v1/service-users')
export class ServiceUsersController {
  constructor(private readonly serviceUsers: ServiceUsersService) {}

  @Post()
  @Access(ADMIN)
  @HttpCode(201)
  async create(@Req() req: AuthenticatedRequest, @JsonBody() body: CreateServiceUserDto) {
    const { serviceUser, apiKey } = await this.serviceUsers.create(sessionOf(req).principal, {
      name: body.name,
      description: body.description,
      role: body.role,
      expiresInDays: body.expires_in_days,
    });
    return toApiKeyResponse(serviceUser, apiKey);
  }

  @Get()
  @Access(ADMIN)
  async list(@Req() req: AuthenticatedRequest, @Query() query: Record<string, unknown>) {
    return (await this.serviceUsers.list(sessionOf(req).principal, parsePagination(query))).map(toServiceUserResponse);
  }

  @Get(':id')
  @Access(ADMIN)
  async get(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('service user id')) id: string) {
    return toServiceUserResponse(await this.serviceUsers.get(sessionOf(req).principal, id));
  }

  @Put(':id')
  @Access(ADMIN)
  async update(
    @Req() req: AuthenticatedRequest,
    @Param('id', new UuidParamPipe('service user id')) id: string,
    @JsonBody() body: UpdateServiceUserDto,
  ) {
    return toServiceUserResponse(await this.serviceUsers.update(sessionOf(req).principal, id, body));
  }

  @Delete(':id')
  @Access(ADMIN)
  @HttpCode(204)
  async delete(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('service user id')) id: string) {
    await this.serviceUsers.delete(sessionOf(req).principal, id);
  }

  @Post(':id/rotate')
  @Access(ADMIN)
  @HttpCode(200)
  async rotate(@Req() req: AuthenticatedRequest, @Param('id', new UuidParamPipe('service user id')) id: string) {
    const { serviceUser, apiKey } = await this.serviceUsers.rotate(sessionOf(req).principal, id);
    return toApiKeyResponse(serviceUser, apiKey);
  }
}
