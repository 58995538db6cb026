import { IsBoolean, IsOptional, IsString, ValidateBy, ValidationArguments } from 'class-validator';
import { IsStringMap } from '../common/http/validation';
import type { StringMap, Warehouse } from '../persistence/models';
import { maskStorageConfig } from './storage-config';
import { maskVendingStrategy, parseVendingStrategy } from './vending-strategy';

/** `vending_strategy`: null, `"None"` or an externally tagged variant; any other shape is 422. */
function IsVendingStrategy(): PropertyDecorator {
  return ValidateBy({
    name: 'isVendingStrategy',
    validator: {
      validate: (value: unknown) => value === null || value === undefined || parseVendingStrategy(value).ok,
      defaultMessage: (args?: ValidationArguments) => {
        const parsed = parseVendingStrategy(args?.value);
        return parsed.ok ? 'vending_strategy is invalid' : parsed.error;
      },
    },
  });
}

/** `POST /api/v1/warehouses` body. */
export class CreateWarehouseDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsBoolean()
  use_sts?: boolean | null;

  @IsOptional()
  @IsStringMap()
  storage_config?: StringMap | null;

  @IsOptional()
  @IsVendingStrategy()
  vending_strategy?: unknown;
}

/** `PUT /api/v1/warehouses/:name` body: every supplied field is applied; `storage_config` is merged. */
export class UpdateWarehouseDto {
  @IsOptional()
  @IsString()
  name?: string | null;

  @IsOptional()
  @IsBoolean()
  use_sts?: boolean | null;

  @IsOptional()
  @IsStringMap()
  storage_config?: StringMap | null;

  @IsOptional()
  @IsVendingStrategy()
  vending_strategy?: unknown;
}

/** WarehouseResponse (contract management §2.2), secrets masked (see MASKED_SECRET). */
export interface WarehouseResponse {
  id: string;
  name: string;
  tenant_id: string;
  use_sts: boolean;
  storage_config: StringMap;
  vending_strategy: unknown;
}

export function toWarehouseResponse(warehouse: Warehouse): WarehouseResponse {
  return {
    id: warehouse.id,
    name: warehouse.name,
    tenant_id: warehouse.tenantId,
    use_sts: warehouse.useSts,
    storage_config: maskStorageConfig(warehouse.storageConfig ?? {}),
    vending_strategy: maskVendingStrategy(warehouse.vendingStrategy ?? null),
  };
}
