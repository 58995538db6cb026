import { IsArray, IsOptional, IsString } from 'class-validator';
import type { Branch } from '../persistence/models';

/** `POST /api/v1/branches` body (contract management §1.3.1). Unknown fields are ignored. */
export class CreateBranchDto {
  @IsString()
  name!: string;

  @IsString()
  catalog!: string;

  /** Free string: `ingest` in any case gives an ingest branch, anything else an experimental one. */
  @IsOptional()
  @IsString()
  branch_type?: string | null;

  @IsOptional()
  @IsString()
  from_branch?: string | null;

  /** Qualified names `ns1.ns2.asset`; absent or null copies every asset of `from_branch`. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  assets?: string[] | null;
}

/** BranchResponse (contract management §1.1). */
export interface BranchResponse {
  name: string;
  head_commit_id: string | null;
  branch_type: 'ingest' | 'experimental';
  assets: string[];
}

export function toBranchResponse(branch: Branch, assets: string[]): BranchResponse {
  return { name: branch.name, head_commit_id: branch.headCommitId, branch_type: branch.branchType, assets };
}
