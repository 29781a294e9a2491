import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COALESCE_MS, DroppingDestination } from './destination';
import { createLogger } from './logger';

describe('DroppingDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flock-log-'));
    file = path.join(dir, 'log');
    fd = fs.openSync(file, 'w');
  });
  afterEach(() => {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const written = () => fs.readFileSync(file, 'utf8');
  const flushed = (destination: DroppingDestination) => new Promise<void>((resolve) => destination.flush(resolve));

  it('holds lines briefly so that several share a write, in order', async () => {
    const destination = new DroppingDestination(fd);
    const writes = jest.spyOn(fs, 'write');
    try {
      for (let i = 0; i < 5; i++) destination.write(`line ${i}\n`);
      expect(written()).toBe('');
      await new Promise((resolve) => setTimeout(resolve, COALESCE_MS * 3));
      await flushed(destination); // the timer's write has been handed over: wait for it to land
      expect(written()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
      expect(writes).toHaveBeenCalledTimes(1);
    } finally {
      writes.mockRestore();
    }
  });

  it('writes at once when flushed, and calls back once all is written', async () => {
    const destination = new DroppingDestination(fd);
    const writes = jest.spyOn(fs, 'write');
    try {
      destination.write('first\n');
      destination.write('second\n');
      const done = flushed(destination);
      // Handed over within flush(), not after the coalescing delay: a shutdown's last lines go out as it exits.
      expect(writes).toHaveBeenCalledTimes(1);
      await done;
      expect(written()).toBe('first\nsecond\n');
      await flushed(destination); // nothing queued: called back at once
    } finally {
      writes.mockRestore();
    }
  });

  it('never drops a fatal line, even behind 4 MB of lines waiting', () => {
    const destination = new DroppingDestination(fd);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 4096; i++) destination.write(line);
    destination.write('over the cap\n');
    createLogger('test', 'info', destination).fatal('cannot go on');
    const text = written();
    expect(text.length).toBe(4096 * 1024 + text.slice(4096 * 1024).length);
    expect(text).not.toContain('over the cap');
    expect(JSON.parse(text.slice(4096 * 1024))).toMatchObject({ level: 60, msg: 'cannot go on' });
  });

  it('writes what waits on stdout when the process dies of an uncaught exception', () => {
    const script =
      "const { createLogger } = require('@flock/logger'); createLogger('t', 'info').info('last words'); throw new Error('boom');";
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: path.resolve(__dirname, '../../..'),
      encoding: 'utf8',
    });
    expect(child.status).not.toBe(0);
    expect(child.stdout).toContain('"msg":"last words"');
  });

  it('writes a fatal line and what was queued before it synchronously, as the process exits next', () => {
    const logger = createLogger('test', 'info', new DroppingDestination(fd));
    logger.info('before');
    logger.fatal('cannot go on');
    const lines = written()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(lines.map(({ level, msg }) => [level, msg])).toEqual([
      [30, 'before'],
      [60, 'cannot go on'],
    ]);
  });

  it('drops lines it cannot write, without throwing, and still calls a flush back', async () => {
    // Far above any descriptor this process holds (a closed one's number could be reused by another file).
    const closed = 1_000_000;
    const destination = new DroppingDestination(closed);
    destination.write('lost\n');
    await flushed(destination);
    expect(() => createLogger('test', 'info', new DroppingDestination(closed)).fatal('also lost')).not.toThrow();
  });
});
