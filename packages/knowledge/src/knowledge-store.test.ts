import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KnowledgeFileError, KnowledgeStore } from './knowledge-store';

/** The store on real files in a temporary folder. */
describe('KnowledgeStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flock-knowledge-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const term = (name: string) => ({
    term: name,
    table: 't',
    kind: 'filter' as const,
    sql: 'true',
    type: 'BOOLEAN',
    created_at: '',
    created_by: '',
  });

  it('reads an empty document for a bucket that has none', () => {
    expect(new KnowledgeStore(dir).read('shop')).toEqual({ format: 1, revision: 0, glossary: [], examples: [], feedback: [] });
  });

  it('saves each change whole, one revision higher, and leaves no temporary or lock file', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')));
    await store.update('shop', (document) => void document.glossary.push(term('b')));
    expect(store.knowledge('shop')).toMatchObject({ revision: 2, glossary: [{ term: 'a' }, { term: 'b' }] });
    expect(await readdir(dir)).toEqual(['shop.json']);
    // Another process (a worker) sees the same file.
    expect(new KnowledgeStore(dir).read('shop').revision).toBe(2);
  });

  it('keeps concurrent writers from losing each other’s changes', async () => {
    const writers = [new KnowledgeStore(dir), new KnowledgeStore(dir)];
    await Promise.all(Array.from({ length: 20 }, (_, i) => writers[i % 2]!.update('shop', (d) => void d.glossary.push(term(`t${i}`)))));
    const document = new KnowledgeStore(dir).read('shop');
    expect(document.revision).toBe(20);
    expect(document.glossary).toHaveLength(20);
  });

  it('leaves the file as it was when a change throws', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')));
    await expect(
      store.update('shop', (document) => {
        document.glossary = [];
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(store.read('shop')).toMatchObject({ revision: 1, glossary: [{ term: 'a' }] });
  });

  it('takes over a lock left by a writer that died', async () => {
    const store = new KnowledgeStore(dir);
    await writeFile(path.join(dir, 'shop.json.lock'), '');
    const old = new Date(Date.now() - 60_000);
    await import('node:fs/promises').then((fs) => fs.utimes(path.join(dir, 'shop.json.lock'), old, old));
    await store.update('shop', (document) => void document.glossary.push(term('a')));
    expect(JSON.parse(await readFile(path.join(dir, 'shop.json'), 'utf8')).revision).toBe(1);
  });

  it('says which bucket’s file is broken, and refuses a bucket id that is not one', async () => {
    await writeFile(path.join(dir, 'shop.json'), '{ not json');
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(KnowledgeFileError);
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(/bucket 'shop' is not JSON/);
    expect(() => new KnowledgeStore(dir).read('../etc')).toThrow(/Invalid bucket id/);
  });
});
