import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Access, resource, TENANT, TENANT_ADMIN } from '../auth/access';
import { parsePagination } from '../common/http/pagination';
import { CurrentPrincipal, type Principal } from '../common/http/principal';
import { JsonBody } from '../common/http/validation';
import { CreateWarehouseDto, toWarehouseResponse, UpdateWarehouseDto, type WarehouseResponse } from './warehouse.dto';
import { WarehousesService } from './warehouses.service';

/**
 * Warehouses belong to the tenant as a whole (they are not a grant scope); they hold storage credentials, so
 * only the tenant's admins change them.
 */
@Controller('api/v1/warehouses')
export class WarehousesController {
  constructor(private readonly service: WarehousesService) {}

  @Get()
  @Access(resource('list', TENANT))
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<WarehouseResponse[]> {
    return (await this.service.list(principal, parsePagination(query))).map(toWarehouseResponse);
  }

  @Post()
  @Access(TENANT_ADMIN)
  async create(
    @CurrentPrincipal() principal: Principal,
    @JsonBody() body: CreateWarehouseDto,
  ): Promise<WarehouseResponse> {
    return toWarehouseResponse(await this.service.create(principal, body));
  }

  @Get(':name')
  @Access(resource('read', TENANT))
  async get(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<WarehouseResponse> {
    return toWarehouseResponse(await this.service.get(principal, name));
  }

  @Put(':name')
  @Access(TENANT_ADMIN)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @JsonBody() body: UpdateWarehouseDto,
  ): Promise<WarehouseResponse> {
    return toWarehouseResponse(await this.service.update(principal, name, body));
  }

  @Delete(':name')
  @Access(TENANT_ADMIN)
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<void> {
    await this.service.delete(principal, name);
  }
}
