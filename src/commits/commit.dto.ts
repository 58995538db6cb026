import type { Commit, CommitAssetSnapshot, CommitOperation } from '../persistence/models';

/** Asset inside a commit operation, as on the wire (contract management §1.1: five fields, no namespace). */
export interface CommitAssetResponse {
  id: string;
  name: string;
  kind: string;
  location: string;
  properties: Record<string, string>;
}

export type CommitOperationResponse = { Put: { asset: CommitAssetResponse } } | { Delete: { name: string } };

/** Commit (contract management §1.1); `timestamp` is milliseconds since the epoch. */
export interface CommitResponse {
  id: string;
  parent_id: string | null;
  timestamp: number;
  author: string;
  message: string;
  operations: CommitOperationResponse[];
}

export function toCommitResponse(commit: Commit): CommitResponse {
  return {
    id: commit.id,
    parent_id: commit.parentId,
    timestamp: commit.timestamp,
    author: commit.author,
    message: commit.message,
    operations: commit.operations.map(toOperationResponse),
  };
}

function toOperationResponse(operation: CommitOperation): CommitOperationResponse {
  if ('Put' in operation) return { Put: { asset: toAssetResponse(operation.Put.asset) } };
  return { Delete: { name: operation.Delete.name } };
}

function toAssetResponse(asset: CommitAssetSnapshot): CommitAssetResponse {
  return { id: asset.id, name: asset.name, kind: asset.kind, location: asset.location, properties: { ...asset.properties } };
}
