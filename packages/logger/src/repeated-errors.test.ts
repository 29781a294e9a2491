import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { RepeatedErrorLog } from './repeated-errors';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', stream) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it('logs the first of a kind at once and the rest as one count, never the stack', async () => {
  const { lines, logger } = capture();
  const errors = new RepeatedErrorLog(logger, 'redis connection error', 60_000);
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379\n    at TCPConnectWrap'), { code: 'ECONNREFUSED' });
  for (let i = 0; i < 1000; i++) errors.log(refused);
  errors.log(new Error("OOM command not allowed when used memory > 'maxmemory'."));
  errors.close();
  await settle();

  expect(lines.map((line) => ({ error: line.error, repeated: line.repeated }))).toEqual([
    { error: { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379' }, repeated: undefined },
    { error: { type: 'Error', message: "OOM command not allowed when used memory > 'maxmemory'." }, repeated: undefined },
    { error: { type: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379' }, repeated: 999 },
  ]);
  expect(JSON.stringify(lines)).not.toContain('TCPConnectWrap');
});
