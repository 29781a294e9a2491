import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envExample, readmeTable, readmeTableIn, withReadmeTable } from './docs';

const root = resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(resolve(root, file), 'utf8');

// On failure: run `pnpm config:docs` and commit what it rewrites.
describe('the docs of the settings', () => {
  it('README.md has the configuration table the settings give', () => {
    expect(readmeTableIn(read('README.md'))).toBe(readmeTable());
  });

  it('.env.example is the one the settings give', () => {
    expect(read('.env.example')).toBe(envExample());
  });

  it('replaces only the table, keeping the prose around it', () => {
    const readme = `intro\n\n${readmeTable().replace('| `PORT` | 3000 |', '| `PORT` | 80 |')}\n\noutro\n`;
    expect(withReadmeTable(readme)).toBe(`intro\n\n${readmeTable()}\n\noutro\n`);
  });
});
