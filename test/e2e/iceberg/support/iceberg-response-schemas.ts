import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validation of Iceberg REST responses against the response schemas of the Iceberg REST OpenAPI document,
 * kept in test/schemas/iceberg-responses.json (extracted once by extract_iceberg_schemas.py, so the tests
 * need no copy of the spec).
 */
export type IcebergResponseSchema =
  | 'CatalogConfig'
  | 'IcebergErrorResponse'
  | 'ListNamespacesResponse'
  | 'CreateNamespaceResponse'
  | 'GetNamespaceResponse'
  | 'UpdateNamespacePropertiesResponse'
  | 'ListTablesResponse'
  | 'LoadTableResult'
  | 'CommitTableResponse';

const SCHEMA_ID = 'iceberg-rest-responses';

// OpenAPI 3 schemas: `nullable` is understood by Ajv; documentation keywords (`readOnly`, `deprecated`,
// `discriminator`-free oneOfs) need strict mode off.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const extracted = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', 'iceberg-responses.json'), 'utf8'),
) as { definitions: object };
ajv.addSchema({ $id: SCHEMA_ID, definitions: extracted.definitions });

const validators = new Map<IcebergResponseSchema, ValidateFunction>();

function validatorFor(name: IcebergResponseSchema): ValidateFunction {
  let validate = validators.get(name);
  if (!validate) {
    const compiled = ajv.getSchema(`${SCHEMA_ID}#/definitions/${name}`);
    if (!compiled) throw new Error(`No response schema named ${name}`);
    validate = compiled;
    validators.set(name, validate);
  }
  return validate;
}

/** Throws (failing the test) with Ajv's errors when `body` does not match the named response schema. */
export function expectIcebergResponse(name: IcebergResponseSchema, body: unknown): void {
  const validate = validatorFor(name);
  if (!validate(body)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`Response does not match the Iceberg ${name} schema: ${errors}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
}

/** Asserts the Iceberg error envelope, its status code and exception type. */
export function expectIcebergError(res: { status: number; body: unknown }, status: number, type: string): void {
  expectIcebergResponse('IcebergErrorResponse', res.body);
  const error = (res.body as { error: { code: number; type: string } }).error;
  expect({ status: res.status, code: error.code, type: error.type }).toEqual({ status, code: status, type });
}
