/**
 * Builds a representative example value from a JSON schema (OpenAPI 3.0 flavour), following $refs up to a
 * small depth so recursive schemas (Iceberg types, namespace trees) terminate.
 */
type Json = Record<string, any>;

export function exampleFromSchema(schema: Json, resolve: (ref: string) => Json | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if (schema.$ref) {
    const target = resolve(schema.$ref);
    return target ? exampleFromSchema(target, resolve, depth + 1) : null;
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map((s: Json) => exampleFromSchema(s, resolve, depth + 1) ?? {}));
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants?.length) return exampleFromSchema(variants[0], resolve, depth + 1);
  switch (schema.type) {
    case 'object':
    case undefined: {
      if (!schema.properties && !schema.additionalProperties) return schema.type === 'object' ? {} : null;
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        out[name] = exampleFromSchema(property as Json, resolve, depth + 1);
      }
      if (!schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        out.key = exampleFromSchema(schema.additionalProperties, resolve, depth + 1);
      }
      return out;
    }
    case 'array':
      return schema.items ? [exampleFromSchema(schema.items, resolve, depth + 1)] : [];
    case 'string':
      return schema.format === 'uuid'
        ? '00000000-0000-0000-0000-000000000000'
        : schema.format === 'date-time'
          ? '2026-01-01T00:00:00Z'
          : schema.format === 'uri'
            ? 's3://bucket/path'
            : 'string';
    case 'integer':
      return 0;
    case 'number':
      return 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}
