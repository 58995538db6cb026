import { IsOptional, IsString } from 'class-validator';
import { IsStringMap } from '../common/http/validation';
import type { StringMap, Tenant } from '../persistence/models';

/** `POST /api/v1/tenants` body. */
export class CreateTenantDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsStringMap()
  properties?: StringMap | null;
}

/** `PUT /api/v1/tenants/:id` body: every supplied field is applied; `properties` is merged. */
export class UpdateTenantDto {
  @IsOptional()
  @IsString()
  name?: string | null;

  @IsOptional()
  @IsStringMap()
  properties?: StringMap | null;
}

/** TenantResponse (contract management §2.3). */
export interface TenantResponse {
  id: string;
  name: string;
  properties: StringMap;
}

export function toTenantResponse(tenant: Tenant): TenantResponse {
  return { id: tenant.id, name: tenant.name, properties: tenant.properties ?? {} };
}
