import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { committedOpenApi, COMMITTED_OPENAPI_PATH } from './committed';

/** `pnpm openapi`: rewrites docs/openapi.json from the code. */
const file = resolve(__dirname, '../../../..', COMMITTED_OPENAPI_PATH);
const next = committedOpenApi();
let current: string | undefined;
try {
  current = readFileSync(file, 'utf8');
} catch {
  current = undefined;
}
if (current === next) {
  console.log(`${COMMITTED_OPENAPI_PATH}: up to date`);
} else {
  writeFileSync(file, next);
  console.log(`${COMMITTED_OPENAPI_PATH}: rewritten`);
}
