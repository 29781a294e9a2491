import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
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

  const ENGINE = { engine: true };
  const term = (name: string) => ({
    term: name,
    table: 't',
    kind: 'filter' as const,
    sql: 'true',
    type: 'BOOLEAN',
    created_at: '2026-12-04T00:00:00.000Z',
    created_by: 'key:test',
  });
  const note = (id: string) => ({
    id,
    job_id: 'j',
    question: 'q',
    correct: false,
    status: 'noted' as const,
    created_at: '2026-12-04T00:00:00.000Z',
    created_by: 'key:test',
  });

  it('reads an empty document for a bucket that has none', () => {
    expect(new KnowledgeStore(dir).read('shop')).toEqual({ format: 1, id: '', revision: 0, glossary: [], examples: [], feedback: [] });
  });

  it('saves each change whole, one revision higher, and leaves no temporary or lock file', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')), ENGINE);
    await store.update('shop', (document) => void document.glossary.push(term('b')), ENGINE);
    expect(store.knowledge('shop')).toMatchObject({ revision: 2, glossary: [{ term: 'a' }, { term: 'b' }] });
    expect(await readdir(dir)).toEqual(['shop.json']);
    // Another process (a worker) sees the same file.
    expect(new KnowledgeStore(dir).read('shop').revision).toBe(2);
  });

  it('leaves the engines’ version, and the object they read, as they were when only feedback changes', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')), ENGINE);
    const before = store.knowledge('shop');
    await store.update('shop', (document) => void document.feedback.push(note('f_1')), { engine: false });
    expect(store.read('shop').feedback).toHaveLength(1);
    expect(store.knowledge('shop')).toBe(before);
  });

  it('never repeats a version once a file is deleted and begun again', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')), ENGINE);
    const first = store.knowledge('shop').version;
    await rm(path.join(dir, 'shop.json'));
    await store.update('shop', (document) => void document.glossary.push(term('b')), ENGINE);
    expect(store.knowledge('shop').revision).toBe(1);
    expect(store.knowledge('shop').version).not.toBe(first);
  });

  it('keeps concurrent writers, in one process and in two, from losing each other’s changes', async () => {
    const writers = [new KnowledgeStore(dir), new KnowledgeStore(dir)];
    const all = Array.from({ length: 20 }, (_, i) => writers[i % 2]!.update('shop', (d) => void d.glossary.push(term(`t${i}`)), ENGINE));
    await Promise.all(all);
    const document = new KnowledgeStore(dir).read('shop');
    expect(document.revision).toBe(20);
    expect(document.glossary).toHaveLength(20);
  });

  it('leaves the file as it was when a change throws', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')), ENGINE);
    const refused = store.update(
      'shop',
      (document) => {
        document.glossary = [];
        throw new Error('refused');
      },
      ENGINE,
    );
    await expect(refused).rejects.toThrow('refused');
    expect(store.read('shop')).toMatchObject({ revision: 1, glossary: [{ term: 'a' }] });
    expect(await readdir(dir)).toEqual(['shop.json']);
  });

  it('takes over a lock left by a writer that died, and loses nothing when several writers find it at once', async () => {
    for (let trial = 0; trial < 5; trial++) {
      await rm(path.join(dir, 'shop.json'), { force: true });
      await writeFile(path.join(dir, 'shop.json.lock'), 'dead-writer');
      const old = new Date(Date.now() - 60_000);
      await utimes(path.join(dir, 'shop.json.lock'), old, old);
      const writers = [new KnowledgeStore(dir), new KnowledgeStore(dir), new KnowledgeStore(dir), new KnowledgeStore(dir)];
      await Promise.all(writers.map((w, i) => w.update('shop', (d) => void d.glossary.push(term(`t${i}`)), ENGINE)));
      expect(JSON.parse(await readFile(path.join(dir, 'shop.json'), 'utf8')).glossary).toHaveLength(4);
      expect(await readdir(dir)).toEqual(['shop.json']);
    }
  });

  it('does not write when its lock was taken over while it worked (a writer stalled past the stale limit)', async () => {
    const store = new KnowledgeStore(dir);
    await store.update('shop', (document) => void document.glossary.push(term('a')), ENGINE);
    const stalled = store.update(
      'shop',
      async (document) => {
        document.glossary = [];
        await writeFile(path.join(dir, 'shop.json.lock'), 'another-writer');
      },
      ENGINE,
    );
    await expect(stalled).rejects.toThrow(/changed at the same time/);
    expect(store.read('shop')).toMatchObject({ revision: 1, glossary: [{ term: 'a' }] });
    // Its release leaves the other writer's lock alone.
    expect(await readFile(path.join(dir, 'shop.json.lock'), 'utf8')).toBe('another-writer');
  });

  it('says which bucket’s file is broken without quoting it, and refuses a bucket id that is not one', async () => {
    await writeFile(path.join(dir, 'shop.json'), '{"secret": vip_list}');
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(KnowledgeFileError);
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(/^The knowledge file of bucket 'shop' is not valid JSON$/);
    await writeFile(
      path.join(dir, 'shop.json'),
      JSON.stringify({ format: 1, revision: 1, glossary: [{ term: 'x' }], examples: [], feedback: [] }),
    );
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(/malformed glossary entry \(number 1\)/);
    // The API's own rules hold for a file edited by hand: a measure that is no aggregate, a revision that is not a number.
    const measure = {
      term: 'net',
      table: 't',
      kind: 'measure',
      sql: 'amount - fee',
      type: 'DOUBLE',
      created_at: '2026-12-04T00:00:00Z',
      created_by: 'k',
    };
    await writeFile(
      path.join(dir, 'shop.json'),
      JSON.stringify({ format: 1, revision: 1, glossary: [measure], examples: [], feedback: [] }),
    );
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(/malformed glossary entry/);
    await writeFile(path.join(dir, 'shop.json'), JSON.stringify({ format: 1, revision: '3', glossary: [], examples: [], feedback: [] }));
    expect(() => new KnowledgeStore(dir).read('shop')).toThrow(/no valid revision/);
    expect(() => new KnowledgeStore(dir).read('../etc')).toThrow(/Invalid bucket id/);
  });
});
