import { loadConfig } from '@flock/config';
import { openApiDocument } from './openapi-document';

/** Where `pnpm openapi` writes the document, from the repository's root. */
export const COMMITTED_OPENAPI_PATH = 'docs/openapi.json';

/**
 * The document as committed: with the settings' defaults (an empty environment), so it does not depend on the
 * environment of whoever runs `pnpm openapi`. A typed client is generated from it.
 */
export function committedOpenApi(): string {
  return `${JSON.stringify(openApiDocument({ maxQuestionLength: loadConfig({}).maxQuestionLength }), null, 2)}\n`;
}
