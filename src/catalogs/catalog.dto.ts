import { IsIn, IsOptional, IsString, ValidateBy } from 'class-validator';
import { isStringMap, IsStringMap } from '../common/http/validation';
import type { Catalog, CatalogType, StringMap } from '../persistence/models';

export const CATALOG_TYPES: readonly CatalogType[] = ['Local', 'Federated'];

/** `federated_config`: `{"properties": {string: string}}` or null; any other shape is 422. */
function IsFederatedConfig(): PropertyDecorator {
  return ValidateBy({
    name: 'isFederatedConfig',
    validator: {
      validate: (value: unknown) =>
        value === null ||
        value === undefined ||
        (typeof value === 'object' &&
          !Array.isArray(value) &&
          isStringMap((value as Record<string, unknown>)['properties'])),
      defaultMessage: () => 'federated_config must be an object {"properties": {string: string}}',
    },
  });
}

/** `POST /api/v1/catalogs` body. */
export class CreateCatalogDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsIn(CATALOG_TYPES, { message: 'catalog_type must be exactly "Local" or "Federated"' })
  catalog_type?: CatalogType | null;

  @IsOptional()
  @IsString()
  warehouse_name?: string | null;

  @IsOptional()
  @IsString()
  storage_location?: string | null;

  @IsOptional()
  @IsFederatedConfig()
  federated_config?: { properties: StringMap } | null;

  @IsOptional()
  @IsStringMap()
  properties?: StringMap | null;
}

/** `PUT /api/v1/catalogs/:name` body: every supplied field is applied; `properties` is merged. */
export class UpdateCatalogDto {
  @IsOptional()
  @IsString()
  warehouse_name?: string | null;

  @IsOptional()
  @IsString()
  storage_location?: string | null;

  @IsOptional()
  @IsFederatedConfig()
  federated_config?: { properties: StringMap } | null;

  @IsOptional()
  @IsStringMap()
  properties?: StringMap | null;
}

/** CatalogResponse (contract management §2.1): optional fields present as null, maps always objects. */
export interface CatalogResponse {
  id: string;
  name: string;
  catalog_type: CatalogType;
  warehouse_name: string | null;
  storage_location: string | null;
  federated_config: { properties: StringMap } | null;
  properties: StringMap;
}

export function toCatalogResponse(catalog: Catalog): CatalogResponse {
  return {
    id: catalog.id,
    name: catalog.name,
    catalog_type: catalog.catalogType,
    warehouse_name: catalog.warehouseName ?? null,
    storage_location: catalog.storageLocation ?? null,
    federated_config: catalog.federatedConfig
      ? { properties: catalog.federatedConfig.properties ?? {} }
      : null,
    properties: catalog.properties ?? {},
  };
}

/** `GET /api/v1/catalogs/:name/summary`. */
export interface CatalogSummaryResponse {
  name: string;
  table_count: number;
  namespace_count: number;
  branch_count: number;
  storage_location: string | null;
}
