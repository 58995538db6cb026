import {
  BadRequestException,
  createParamDecorator,
  ExecutionContext,
  PipeTransform,
  Type,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
  ArgumentMetadata,
} from '@nestjs/common';
import { ValidateBy, ValidationArguments, ValidationError as ClassValidationError, validate } from 'class-validator';
import type { Request } from 'express';

/**
 * Request-body handling of the management API (contract management §0.1, §0.5), in the order the contract
 * gives: a body without a JSON content type is 415; malformed JSON is 400 (the body parser, before the
 * route); JSON of the wrong shape (missing or mistyped field, bad enum, non-string map value) is 422.
 * Unknown fields are ignored, because shipped clients send extra ones.
 */

export const WRONG_SHAPE_PREFIX = 'Failed to deserialize the JSON body into the target type';

/** `application/json`, parameters (charset) allowed: the media type the JSON body parser reads. */
export function hasJsonContentType(req: Request): boolean {
  const header = req.headers['content-type'];
  if (typeof header !== 'string') return false;
  return header.split(';')[0].trim().toLowerCase() === 'application/json';
}

/**
 * Validates a plain JSON value against a class-validator DTO. Unknown properties are dropped (whitelist),
 * never rejected. Throws 422 naming every offending field.
 */
export async function validateJsonBody<T extends object>(dto: Type<T>, body: unknown): Promise<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new UnprocessableEntityException(`${WRONG_SHAPE_PREFIX}: expected a JSON object`);
  }
  const instance = dtoInstanceOf(dto, body as Record<string, unknown>);
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) {
    throw new UnprocessableEntityException(`${WRONG_SHAPE_PREFIX}: ${describeValidationErrors(errors)}`);
  }
  return instance;
}

/**
 * The body's own fields on a new instance of the DTO, values exactly as sent (no conversion). Not
 * class-transformer's plainToInstance: it walks into every nested object and takes a map key named
 * `constructor` for the value's class (a 500), and assigning turns a `__proto__` key into a prototype
 * change. DTOs here are flat, so a shallow copy of own properties is all validation needs.
 */
function dtoInstanceOf<T extends object>(dto: Type<T>, body: Record<string, unknown>): T {
  const instance = new dto();
  for (const [key, value] of Object.entries(body)) {
    // No DTO has such fields (whitelisting would drop them), and on the instance they would change which
    // class the validator takes it for.
    if (key === 'constructor' || key === '__proto__') continue;
    Object.defineProperty(instance, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return instance;
}

function describeValidationErrors(errors: ClassValidationError[], parent = ''): string {
  const parts: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) parts.push(...Object.values(error.constraints).map((c) => prefixed(path, c)));
    if (error.children?.length) parts.push(describeValidationErrors(error.children, path));
  }
  return parts.join('; ');
}

/** class-validator messages start with the property name; a nested one gets its full path instead. */
function prefixed(path: string, constraint: string): string {
  const property = path.split('.').pop() as string;
  return constraint.startsWith(`${property} `) ? `${path}${constraint.slice(property.length)}` : `${path}: ${constraint}`;
}

class JsonBodyValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.metatype;
    if (!dto || dto === Object) return value;
    return validateJsonBody(dto as Type<object>, value);
  }
}

const jsonBodyOf = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown => {
  const req = ctx.switchToHttp().getRequest<Request>();
  if (!hasJsonContentType(req)) {
    throw new UnsupportedMediaTypeException('Expected request with `Content-Type: application/json`');
  }
  if (req.body === undefined) {
    throw new BadRequestException('Failed to parse the request body as JSON: the body is empty');
  }
  return req.body;
});

/**
 * `@JsonBody() body: SomeDto`: the request's JSON body, validated against the parameter's DTO class
 * (415 / 400 / 422 as described above).
 */
export function JsonBody(): ParameterDecorator {
  return jsonBodyOf(undefined, new JsonBodyValidationPipe());
}

/**
 * A `map<string,string>` field (`properties`, `storage_config`): a JSON object whose values are all
 * strings; anything else is 422 (contract management §0.2). The object is kept as sent (see dtoInstanceOf).
 */
export function IsStringMap(): PropertyDecorator {
  return ValidateBy({
    name: 'isStringMap',
    validator: {
      validate: (value: unknown) => isStringMap(value),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'value'} must be an object whose values are all strings`,
    },
  });
}

export function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string')
  );
}
