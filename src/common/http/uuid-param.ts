import { PipeTransform } from '@nestjs/common';
import { ValidationError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A path parameter typed as UUID (any version, including the nil UUID of the default tenant). Anything
 * else is 400 (contract management §0.1). Returned lower-cased, the wire form.
 */
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (typeof value !== 'string' || !UUID.test(value)) {
      throw new ValidationError(`Invalid ${this.what}: expected a UUID, got '${value}'`);
    }
    return value.toLowerCase();
  }
}
