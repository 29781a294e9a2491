/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) as the presenters write their bodies'
 * schemas. Plain objects rather than joi: a body is described, never parsed, and the
 * document, the response check and the typed client all read JSON Schema.
 */
export type JsonSchema = { [keyword: string]: unknown };

/** A `$ref` to a schema of the document's `components.schemas`. */
export function ref(name: string): JsonSchema {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * An object with exactly these properties: all required but `optional`, no others.
 * Closed, so a field the code adds without documenting it fails the response check.
 */
export function closedObject(properties: Record<string, JsonSchema>, optional: string[] = [], description?: string): JsonSchema {
  const required = Object.keys(properties).filter((name) => !optional.includes(name));
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

export const stringSchema = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
export const integerSchema = (description?: string): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  ...(description ? { description } : {}),
});
export const stringArray = (description?: string): JsonSchema => ({
  type: 'array',
  items: { type: 'string' },
  ...(description ? { description } : {}),
});
