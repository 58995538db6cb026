import { IsIn, IsOptional, IsString } from 'class-validator';
import { IsStringMap } from '../common/http/validation';
import { ASSET_KINDS, type Asset, type AssetKind, type StringMap } from '../persistence/models';

/** `POST .../namespaces/:namespace/assets` body (contract management §3). An unknown `kind` is 422. */
export class RegisterAssetDto {
  @IsString()
  name!: string;

  @IsIn(ASSET_KINDS as readonly string[])
  kind!: AssetKind;

  @IsString()
  location!: string;

  @IsOptional()
  @IsStringMap()
  properties?: StringMap | null;
}

/** The register response: no `properties` (contract management §3). */
export interface RegisteredAssetResponse {
  id: string;
  name: string;
  kind: AssetKind;
  location: string;
}

/** Full Asset (contract management §1.1). */
export interface AssetResponse extends RegisteredAssetResponse {
  properties: StringMap;
}

/** AssetSummary of the list endpoint. */
export interface AssetSummaryResponse {
  id: string;
  name: string;
  namespace: string[];
  kind: AssetKind;
  identifier: { namespace: string[]; name: string };
}

export function toRegisteredAssetResponse(asset: Asset): RegisteredAssetResponse {
  return { id: asset.id, name: asset.name, kind: asset.kind, location: asset.location };
}

export function toAssetResponse(asset: Asset): AssetResponse {
  return { ...toRegisteredAssetResponse(asset), properties: { ...asset.properties } };
}

export function toAssetSummaryResponse(asset: Asset): AssetSummaryResponse {
  return {
    id: asset.id,
    name: asset.name,
    namespace: [...asset.namespace],
    kind: asset.kind,
    identifier: { namespace: [...asset.namespace], name: asset.name },
  };
}
