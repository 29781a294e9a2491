import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

it('copies every workspace manifest into the image before installing', () => {
  // pnpm install --frozen-lockfile fails in the image when a workspace package's manifest is missing.
  const dockerfile = readFileSync(path.join(ROOT, 'infra/Dockerfile'), 'utf8');
  const manifests = [
    ...['apps', 'packages'].flatMap((folder) => readdirSync(path.join(ROOT, folder)).map((name) => `${folder}/${name}/package.json`)),
    'e2e/package.json',
    'bench/package.json',
  ].filter((manifest) => existsSync(path.join(ROOT, manifest)));
  expect(manifests.length).toBeGreaterThan(10);
  for (const manifest of manifests) expect(dockerfile).toContain(`COPY ${manifest} `);
});
