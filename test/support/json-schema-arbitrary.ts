import fc from 'fast-check';

/** The subset of JSON Schema (2020-12, as OpenAPI 3.1 writes it) that Mamori's API document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  maxItems?: number;
  minItems?: number;
  minProperties?: number;
  minLength?: number;
  enum?: unknown[];
  const?: unknown;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/**
 * Values valid for a schema, for property-based calls of the API: generated from the published document,
 * so the calls test the document and the server against each other.
 */
export function arbitraryFor(schema: JsonSchema, resolve: (ref: string) => JsonSchema): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryFor(resolve(schema.$ref), resolve);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => arbitraryFor(option, resolve)));
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  return fc.oneof(...types.map((type) => arbitraryOfType(type, schema, resolve)));
}

function arbitraryOfType(
  type: string,
  schema: JsonSchema,
  resolve: (ref: string) => JsonSchema,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'string':
      // Printable text only: the schemas refuse control characters.
      return fc.string({
        minLength: Math.min(schema.minLength ?? 0, 40),
        maxLength: Math.min(schema.maxLength ?? 40, 40),
        unit: 'grapheme-ascii',
      });
    case 'array':
      return fc.array(arbitraryFor(schema.items ?? {}, resolve), {
        minLength: Math.min(schema.minItems ?? 0, 3),
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    default: {
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
        return fc.dictionary(
          arbitraryFor(schema.propertyNames ?? { type: 'string', maxLength: 20 }, resolve) as fc.Arbitrary<string>,
          arbitraryFor(schema.additionalProperties, resolve),
          { minKeys: Math.min(schema.minProperties ?? 0, 3), maxKeys: 3 },
        );
      const required = new Set(schema.required ?? []);
      const properties = Object.entries(schema.properties ?? {});
      return fc.record(
        Object.fromEntries(properties.map(([name, property]) => [name, arbitraryFor(property, resolve)])),
        { requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)) },
      );
    }
  }
}
