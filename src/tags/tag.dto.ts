import { IsOptional, IsString, IsUUID } from 'class-validator';
import type { Tag } from '../persistence/models';

/** `POST /api/v1/tags` body (contract management §1.3.8). A non-UUID `commit_id` is 422. */
export class CreateTagDto {
  @IsString()
  name!: string;

  @IsUUID('all')
  commit_id!: string;

  /** Defaults to `default`, as in v0.4.0. */
  @IsOptional()
  @IsString()
  catalog?: string | null;
}

/** TagResponse (contract management §1.1): no catalog field. */
export interface TagResponse {
  name: string;
  commit_id: string;
}

export function toTagResponse(tag: Tag): TagResponse {
  return { name: tag.name, commit_id: tag.commitId };
}
