import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe("the client's generated types", () => {
  it('are what openapi-typescript makes of docs/openapi.json now (run `pnpm --filter @flock/client generate` after `pnpm openapi`)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-client-types-'));
    try {
      const fresh = path.join(dir, 'openapi.ts');
      const bin = path.resolve(__dirname, '../node_modules/.bin/openapi-typescript');
      execFileSync(bin, [path.resolve(__dirname, '../../../docs/openapi.json'), '-o', fresh], { stdio: 'pipe' });
      expect(readFileSync(path.resolve(__dirname, 'generated/openapi.ts'), 'utf8')).toBe(readFileSync(fresh, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
