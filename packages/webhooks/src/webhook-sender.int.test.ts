import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { CallbackRefusedError } from '@flock/errors';
import { AddressPolicy } from './address-policy';
import { CallbackGuard, parseCallbackUrl, type Resolve } from './callback-target';
import { CallbackUnreachableError } from './post-callback';
import { CallbackRejectedError, WebhookSender } from './webhook-sender';

/**
 * The sender against a real HTTP server on this machine. Names under `.test` never
 * resolve (RFC 6761), so a request that reaches the server through one went to the
 * address the guard checked, not to a second lookup.
 */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let port: number;
const received: Received[] = [];
let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  answer = (res) => res.writeHead(204).end();
});

const open = new AddressPolicy({ allowPrivate: true, allowedHosts: [] });
const strict = new AddressPolicy({ allowPrivate: false, allowedHosts: [] });
/** A resolver that answers each name from a script, one answer per call, the last one for every call after. */
function scripted(answers: Record<string, string[]>): Resolve {
  const calls: Record<string, number> = {};
  return async (hostname) => {
    const script = answers[hostname];
    if (!script) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const at = Math.min(calls[hostname] ?? 0, script.length - 1);
    calls[hostname] = at + 1;
    return [{ address: script[at]!, family: script[at]!.includes(':') ? 6 : 4 }];
  };
}
const sender = (guard: CallbackGuard, timeoutMs = 5_000) => new WebhookSender(guard, { secret: SECRET, timeoutMs });

it('POSTs the body signed as Standard Webhooks says, which the reference library verifies', async () => {
  const body = JSON.stringify({ data: { job_id: 'j-1', status: 'completed', rows: [['ü', 1]] } });
  const result = await sender(new CallbackGuard(open)).send({ id: 'j-1', url: `http://127.0.0.1:${port}/hook?token=abc#frag`, body });
  expect(result).toEqual({ status: 204 });
  expect(received).toHaveLength(1);
  const [hit] = received;
  expect(hit!.path).toBe('/hook?token=abc');
  expect(hit!.body).toBe(body);
  expect(hit!.headers['content-type']).toBe('application/json');
  expect(hit!.headers['webhook-id']).toBe('j-1');
  expect(hit!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  expect(new Webhook(SECRET).verify(hit!.body, hit!.headers as Record<string, string>)).toEqual(JSON.parse(body));
  // Another secret's signature does not verify: the check can fail.
  expect(() =>
    new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(hit!.body, hit!.headers as Record<string, string>),
  ).toThrow('No matching signature found');
});

it('connects to the address it checked, sending the hostname in the Host header', async () => {
  const guard = new CallbackGuard(open, scripted({ 'receiver.flock.test': ['127.0.0.1'] }));
  await sender(guard).send({ id: 'j-2', url: `http://receiver.flock.test:${port}/in`, body: '{}' });
  expect(received.map((hit) => hit.headers.host)).toEqual([`receiver.flock.test:${port}`]);
});

it('refuses at delivery a hostname that has come to resolve to loopback since it was checked (DNS rebinding)', async () => {
  const guard = new CallbackGuard(strict, scripted({ 'rebind.flock.test': ['93.184.216.34', '127.0.0.1'] }));
  const url = `http://rebind.flock.test:${port}/in`;
  await expect(guard.check(url)).resolves.toMatchObject({ addresses: [{ address: '93.184.216.34', family: 4 }] });
  await expect(sender(guard).send({ id: 'j-3', url, body: '{}' })).rejects.toThrow(CallbackRefusedError);
  await expect(sender(guard).send({ id: 'j-3', url, body: '{}' })).rejects.toThrow(/loopback address \(127\.0\.0\.1\)/);
  expect(received).toHaveLength(0);
});

it('refuses a hostname of which any one address is not public', async () => {
  const resolve: Resolve = async () => [
    { address: '93.184.216.34', family: 4 },
    { address: '::ffff:10.0.0.7', family: 6 },
  ];
  await expect(new CallbackGuard(strict, resolve).check('https://mixed.flock.test/')).rejects.toThrow(
    "'callback_url' points at a private address (::ffff:10.0.0.7)",
  );
});

it('refuses a hostname that resolves to loopback through the system resolver (localhost)', async () => {
  await expect(new CallbackGuard(strict).check(`http://localhost:${port}/`)).rejects.toThrow(/points at a loopback address/);
  await expect(sender(new CallbackGuard(strict)).send({ id: 'j-4', url: `http://localhost:${port}/`, body: '{}' })).rejects.toThrow(
    CallbackRefusedError,
  );
  expect(received).toHaveLength(0);
});

it.each([
  ['http://127.0.0.1/', 'a loopback'],
  ['http://[::1]/', 'a loopback'],
  ['http://[::ffff:127.0.0.1]/', 'a loopback'],
  ['http://[::ffff:a9fe:a9fe]/latest/meta-data', 'a link-local'],
  ['http://169.254.169.254/latest/meta-data', 'a link-local'],
  ['http://0x7f.1/', 'a loopback'],
  ['http://2130706433/', 'a loopback'],
  ['http://10.0.0.1/', 'a private'],
  ['http://[fd00::1]/', 'a private'],
  ['http://0.0.0.0/', 'an unspecified'],
  ['http://100.64.1.1/', 'a carrier-grade NAT'],
])('refuses %s, %s address, without a lookup', async (url, range) => {
  await expect(new CallbackGuard(strict, scripted({})).check(url)).rejects.toThrow(`points at ${range} address`);
});

it.each([
  ['not a url', 'must be an absolute http or https URL'],
  ['/relative/path', 'must be an absolute http or https URL'],
  ['ftp://example.com/', 'must be an http or https URL'],
  ['file:///etc/passwd', 'must be an http or https URL'],
  ['https://user:secret@example.com/', 'must not carry a user name or password'],
  ['https://user@example.com/', 'must not carry a user name or password'],
])('refuses the URL %s', (url, why) => {
  expect(() => parseCallbackUrl(url)).toThrow(`'callback_url' ${why}`);
});

it('refuses a host that does not resolve', async () => {
  await expect(new CallbackGuard(strict, scripted({})).check('https://nowhere.flock.test/')).rejects.toThrow(
    "'callback_url' names a host that does not resolve: nowhere.flock.test",
  );
});

it('fails an attempt answered with an error status, or with a redirect, which it does not follow', async () => {
  answer = (res) => res.writeHead(503).end('busy');
  await expect(sender(new CallbackGuard(open)).send({ id: 'j-5', url: `http://127.0.0.1:${port}/a`, body: '{}' })).rejects.toThrow(
    new CallbackRejectedError(503),
  );
  answer = (res) => res.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
  await expect(sender(new CallbackGuard(open)).send({ id: 'j-5', url: `http://127.0.0.1:${port}/b`, body: '{}' })).rejects.toThrow(
    new CallbackRejectedError(302),
  );
  expect(received.map((hit) => hit.path)).toEqual(['/a', '/b']);
});

it('gives up on a callback that never answers', async () => {
  answer = () => undefined;
  await expect(sender(new CallbackGuard(open), 200).send({ id: 'j-6', url: `http://127.0.0.1:${port}/slow`, body: '{}' })).rejects.toThrow(
    CallbackUnreachableError,
  );
});

it('takes the status and leaves a body that drips, so a slow receiver cannot hold the delivery', async () => {
  let drip: NodeJS.Timeout | undefined;
  answer = (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    // A byte every 100 ms, for ever: the attempt must not wait for the end of it.
    drip = setInterval(() => res.write('.'), 100);
    res.on('close', () => clearInterval(drip));
  };
  try {
    // Its status is all that counts: it resolves, not times out at 2 s.
    await expect(
      sender(new CallbackGuard(open), 2_000).send({ id: 'j-7', url: `http://127.0.0.1:${port}/drip`, body: '{}' }),
    ).resolves.toEqual({
      status: 200,
    });
  } finally {
    clearInterval(drip);
  }
});

it('fails an attempt whose callback refuses connections', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expect(sender(new CallbackGuard(open)).send({ id: 'j-7', url: `http://127.0.0.1:${closedPort}/`, body: '{}' })).rejects.toThrow(
    'could not reach the callback: ECONNREFUSED',
  );
});
