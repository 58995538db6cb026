// INTERIM: stands in for MetadataWorkerPool (src/metadata-workers) until it lands; same method shapes.
import { Injectable } from '@nestjs/common';
import { ValidationError } from '../common/errors';
import { parseJsonLossless, stringifyJsonLossless } from '../common/lossless-json';
import {
  assertKnownTableChanges,
  applyTableUpdates,
  buildCreateTableMetadata,
  checkRequirements,
  normalizeTableMetadata,
  summarizeTableMetadata,
  TableMetadata,
  TableMetadataSummary,
} from './metadata';

export interface MetadataResult {
  metadataBytes: Buffer;
  summary: TableMetadataSummary & { changed: boolean };
}

@Injectable()
export class MetadataWorkerPool {
  async createTable(requestBody: Buffer, ctx: { location: string; tableUuid: string; nowMs: number }): Promise<MetadataResult> {
    const request = parseJsonLossless(requestBody);
    const metadata = buildCreateTableMetadata(request as never, ctx);
    return { metadataBytes: Buffer.from(stringifyJsonLossless(metadata)), summary: { ...summarizeTableMetadata(metadata), changed: true } };
  }

  async commitTable(
    current: Buffer | null,
    commitBody: Buffer,
    ctx: { nowMs: number; previousMetadataLocation: string | null; tableUuid?: string },
  ): Promise<MetadataResult> {
    const body = parseJsonLossless(commitBody) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('Commit body must be a JSON object');
    const { requirements, updates } = body;
    if (!Array.isArray(requirements) || !Array.isArray(updates)) {
      throw new ValidationError('Commit body must have "requirements" and "updates" arrays');
    }
    assertKnownTableChanges(requirements, updates);
    const metadata = current === null ? null : normalizeTableMetadata(parseJsonLossless(current)).metadata;
    checkRequirements(metadata, requirements);
    const applied = applyTableUpdates(metadata, updates, ctx);
    if (!applied.changed && current !== null) {
      return { metadataBytes: current, summary: { ...summarizeTableMetadata(applied.metadata), changed: false } };
    }
    return {
      metadataBytes: Buffer.from(stringifyJsonLossless(applied.metadata)),
      summary: { ...summarizeTableMetadata(applied.metadata), changed: true },
    };
  }

  async validateMetadataFile(bytes: Buffer): Promise<MetadataResult> {
    const { metadata, repairs } = normalizeTableMetadata(parseJsonLossless(bytes));
    return {
      metadataBytes: repairs.length === 0 ? bytes : Buffer.from(stringifyJsonLossless(metadata as TableMetadata)),
      summary: { ...summarizeTableMetadata(metadata), changed: repairs.length > 0 },
    };
  }

  loadTableResultBytes(metadataLocation: string | null, metadataBytes: Buffer, config: Record<string, string>): Buffer {
    return Buffer.concat([
      Buffer.from(`{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":`),
      metadataBytes,
      Buffer.from(`,"config":${JSON.stringify(config)}}`),
    ]);
  }
}
