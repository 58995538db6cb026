import { InvalidLocationError, ObjectAlreadyExistsError, ObjectNotFoundError } from './errors';
import type { FileIO } from './file-io';
import { parseLocation, type ParsedLocation } from './location';

/**
 * `mem://store/key` locations kept in process memory (tests, and the memory warehouse type). Objects are
 * copied in and out, so a caller mutating a buffer cannot change what is stored. Keys are the location's
 * canonical spelling (`mem://a//b` and `mem://a/b` are the same object).
 */
export class MemoryFileIO implements FileIO {
  private readonly objects = new Map<string, Buffer>();

  async read(location: string): Promise<Buffer> {
    const stored = this.objects.get(this.keyOf(location));
    if (!stored) throw new ObjectNotFoundError(location);
    return Buffer.from(stored);
  }

  async write(location: string, bytes: Uint8Array): Promise<void> {
    const key = this.keyOf(location);
    if (this.objects.has(key)) throw new ObjectAlreadyExistsError(location);
    this.objects.set(key, Buffer.from(bytes));
  }

  async exists(location: string): Promise<boolean> {
    return this.objects.has(this.keyOf(location));
  }

  async delete(location: string): Promise<void> {
    this.objects.delete(this.keyOf(location));
  }

  /** Number of stored objects (for tests and diagnostics). */
  get size(): number {
    return this.objects.size;
  }

  private keyOf(location: string): string {
    const parsed = this.parse(location);
    if (parsed.segments.length === 0) throw new InvalidLocationError(location, 'a bucket is not an object');
    return canonical(parsed);
  }

  private parse(location: string): ParsedLocation {
    const parsed = parseLocation(location);
    if (parsed.scheme !== 'mem') throw new InvalidLocationError(location, 'not a mem:// location');
    return parsed;
  }
}

function canonical(parsed: ParsedLocation): string {
  return `mem://${parsed.authority}/${parsed.segments.join('/')}`;
}
