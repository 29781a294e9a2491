import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envExample, withReadmeTable } from './docs';

/** `pnpm config:docs`: rewrites the README's configuration table and .env.example from the config table. */
const root = resolve(__dirname, '../../..');

function update(file: string, generate: (current: string) => string): void {
  const path = resolve(root, file);
  const current = readFileSync(path, 'utf8');
  const next = generate(current);
  if (next === current) {
    console.log(`${file}: up to date`);
  } else {
    writeFileSync(path, next);
    console.log(`${file}: rewritten`);
  }
}

update('README.md', withReadmeTable);
update('.env.example', envExample);
