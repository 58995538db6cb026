import { IsArray, IsBoolean, IsInt, IsOptional, IsString } from 'class-validator';

/** Request bodies of the identity endpoints. Unknown fields are ignored (contract management §0.1). */

export class LoginDto {
  @IsString() username!: string;
  @IsString() password!: string;
  @IsOptional() @IsString() 'tenant-id'?: string | null;
  /** snake_case spelling, accepted as well (the UI reads both forms). */
  @IsOptional() @IsString() tenant_id?: string | null;
}

export class CreateUserDto {
  @IsString() username!: string;
  @IsString() email!: string;
  @IsOptional() @IsString() password?: string | null;
  @IsOptional() @IsString() tenant_id?: string | null;
  @IsOptional() @IsString() 'tenant-id'?: string | null;
  @IsString() role!: string;
}

export class UpdateUserDto {
  @IsOptional() @IsString() email?: string | null;
  @IsOptional() @IsString() password?: string | null;
  /** Required with `password` when callers change their own; the kebab-case spelling is accepted too. */
  @IsOptional() @IsString() current_password?: string | null;
  @IsOptional() @IsString() 'current-password'?: string | null;
  @IsOptional() @IsBoolean() active?: boolean | null;
}

export class GenerateTokenDto {
  /** Validated by the service (400 `Invalid tenant_id format`, as the contract requires, rather than 422). */
  @IsOptional() tenant_id?: unknown;
  @IsOptional() @IsString() username?: string | null;
  @IsOptional() @IsArray() roles?: unknown[] | null;
  @IsOptional() @IsInt() expires_in_hours?: number | null;
}

export class CreateRoleDto {
  @IsString() name!: string;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsString() 'tenant-id'?: string | null;
  @IsOptional() @IsArray() permissions?: unknown[] | null;
}

export class UpdateRoleDto {
  @IsOptional() @IsString() id?: string;
  @IsString() name!: string;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsArray() permissions?: unknown[];
}

export class AssignRoleDto {
  @IsString() 'role-id'!: string;
}

export class GrantPermissionDto {
  @IsString() 'user-id'!: string;
  @IsOptional() scope!: unknown;
  @IsArray() actions!: unknown[];
}

export class CreateServiceUserDto {
  @IsString() name!: string;
  @IsOptional() @IsString() description?: string | null;
  @IsString() role!: string;
  @IsOptional() @IsInt() expires_in_days?: number | null;
}

export class UpdateServiceUserDto {
  @IsOptional() @IsString() name?: string | null;
  @IsOptional() @IsString() description?: string | null;
  @IsOptional() @IsBoolean() active?: boolean | null;
  @IsOptional() @IsString() role?: string | null;
}
