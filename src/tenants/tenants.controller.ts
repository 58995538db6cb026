import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { Access, OWN_TENANT, ROOT } from '../auth/access';
import { ErrorBodyException } from '../common/http/management-exception.filter';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { UuidParamPipe } from '../common/http/uuid-param';
import { JsonBody } from '../common/http/validation';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CreateTenantDto, toTenantResponse, UpdateTenantDto, type TenantResponse } from './tenant.dto';
import { TenantsService } from './tenants.service';

/** The body v0.4.0 answers a tenant create with in NO-AUTH mode (contract management §2.3, family J+). */
export const NO_AUTH_TENANT_CREATE_BODY = {
  error: 'Tenant creation is disabled in NO_AUTH mode',
  hint: 'Remove PANGOLIN_NO_AUTH environment variable and use /api/v1/tokens endpoint to generate tokens',
};

@Controller('api/v1/tenants')
export class TenantsController {
  constructor(
    private readonly service: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Access(ROOT)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<TenantResponse[]> {
    const tenants = await this.service.list(principal, parsePagination(query));
    return tenants.map(toTenantResponse);
  }

  @Post()
  @Access(ROOT)
  async create(@CurrentPrincipal() principal: Principal, @JsonBody() body: CreateTenantDto): Promise<TenantResponse> {
    // The hint is part of the wire contract of NO-AUTH mode, so it is answered here rather than by the service.
    if (this.config.noAuth) throw new ErrorBodyException(NO_AUTH_TENANT_CREATE_BODY, 403);
    return toTenantResponse(await this.service.create(principal, body));
  }

  // A member may read its own tenant.
  @Get(':id')
  @Access(OWN_TENANT)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParamPipe('tenant id')) id: string,
  ): Promise<TenantResponse> {
    return toTenantResponse(await this.service.get(principal, id));
  }

  @Put(':id')
  @Access(ROOT)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParamPipe('tenant id')) id: string,
    @JsonBody() body: UpdateTenantDto,
  ): Promise<TenantResponse> {
    return toTenantResponse(await this.service.update(principal, id, body));
  }

  @Delete(':id')
  @Access(ROOT)
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParamPipe('tenant id')) id: string,
  ): Promise<void> {
    await this.service.delete(principal, id);
  }
}
