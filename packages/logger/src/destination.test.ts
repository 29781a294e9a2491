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
      expect(written()).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
      expect(writes).toHaveBeenCalledTimes(1);
    } finally {
      writes.mockRestore();
    }
  });

  it('writes at once when flushed, and calls back once all is written', async () => {
    const destination = new DroppingDestination(fd);
    destination.write('first\n');
    destination.write('second\n');
    const started = performance.now();
    await flushed(destination);
    expect(written()).toBe('first\nsecond\n');
    // Not after the coalescing delay: a shutdown's last lines go out as it exits.
    expect(performance.now() - started).toBeLessThan(COALESCE_MS);
    await flushed(destination); // nothing queued: called back at once
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
