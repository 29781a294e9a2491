import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { GenerationFailedError } from '@flock/errors';
import { rejectionOf, useChatCompletionsStandIn } from '@flock/testing';
import { ChatClient, type ChatMessage } from './chat-client';

const API_KEY = 'sk-test-secret-key-0123456789';
const MESSAGES: ChatMessage[] = [
  { role: 'system', content: 'Answer with SQL.' },
  { role: 'user', content: 'How many members?' },
];

describe('ChatClient against a local chat-completions server (stand-in for the LLM)', () => {
  const server = useChatCompletionsStandIn({ freshEachTest: true });

  const client = (options: { apiKey?: string; timeoutMs?: number; baseUrl?: string; temperature?: number } = {}) =>
    new ChatClient({
      baseUrl: options.baseUrl ?? server.baseUrl,
      model: 'stand-in-model',
      timeoutMs: options.timeoutMs ?? 5000,
      apiKey: options.apiKey,
      temperature: options.temperature,
    });

  // Every test below asserts the whole message, which shows that the key is not in it.
  const failureOf = (call: Promise<unknown>) => rejectionOf(call, GenerationFailedError);

  it('posts model and messages to /chat/completions, with no temperature unless one is set, and returns the first choice', async () => {
    await expect(client().complete(MESSAGES)).resolves.toBe('SELECT 1');
    expect(server.requests).toEqual([
      { method: 'POST', path: '/v1/chat/completions', body: { model: 'stand-in-model', messages: MESSAGES } },
    ]);
  });

  it('sends the configured temperature, 0 included', async () => {
    await client({ temperature: 0 }).complete(MESSAGES);
    expect(server.requests[0]!.body).toEqual({ model: 'stand-in-model', messages: MESSAGES, temperature: 0 });
  });

  it('sends the API key as a bearer token when one is set', async () => {
    await client({ apiKey: API_KEY }).complete(MESSAGES);
    expect(server.requests[0]!.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('sends no Authorization header when no API key is set', async () => {
    await client().complete(MESSAGES);
    expect(server.requests[0]).not.toHaveProperty('authorization');
  });

  it('accepts a base URL with a trailing slash', async () => {
    await client({ baseUrl: `${server.baseUrl}/` }).complete(MESSAGES);
    expect(server.requests[0]!.path).toBe('/v1/chat/completions');
  });

  it('gives up on a server that never answers after timeoutMs → generation_failed', async () => {
    server.replyWith({ hang: true });
    const failure = await failureOf(client({ timeoutMs: 200 }).complete(MESSAGES));
    expect(failure.message).toBe('The language model did not answer within 0.2 s. Try again later.');
  });

  it.each([
    [401, 'with a key', 'The language model endpoint rejected the API key (HTTP 401).'],
    [403, 'with a key', 'The language model endpoint rejected the API key (HTTP 403).'],
    [401, 'without a key', 'The language model endpoint requires an API key (HTTP 401).'],
    [429, 'with a key', 'The language model endpoint is rate limiting requests (HTTP 429). Try again later.'],
    [500, 'with a key', 'The language model endpoint is unavailable (HTTP 500). Try again later.'],
    [503, 'with a key', 'The language model endpoint is unavailable (HTTP 503). Try again later.'],
    [404, 'with a key', 'The language model endpoint was not found (HTTP 404): check its base URL and model name.'],
    [400, 'with a key', 'The language model endpoint refused the request (HTTP 400).'],
  ])('HTTP %i %s → generation_failed without the key or the body', async (status, sent, message) => {
    const apiKey = sent === 'with a key' ? API_KEY : undefined;
    // Providers echo request details in error bodies; the message must carry none of it.
    server.replyWith({
      status,
      body: JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}`, detail: 'body-detail' } }),
    });
    const failure = await failureOf(client({ apiKey }).complete(MESSAGES));
    expect(failure.message).toBe(message);
  });

  it.each([
    ['a body that is not JSON', '<html>Bad gateway</html>', 'The language model endpoint returned a response that is not JSON.'],
    ['no choices', JSON.stringify({ id: 'x', choices: [] }), 'The language model endpoint returned no answer text.'],
    [
      'null content',
      JSON.stringify({ choices: [{ message: { role: 'assistant', content: null } }] }),
      'The language model endpoint returned no answer text.',
    ],
    [
      'blank content',
      JSON.stringify({ choices: [{ message: { role: 'assistant', content: '  ' } }] }),
      'The language model endpoint returned no answer text.',
    ],
    [
      'a safety refusal',
      JSON.stringify({ choices: [{ message: { role: 'assistant', content: null, refusal: 'I cannot help with that.' } }] }),
      'The language model declined to answer this question.',
    ],
  ])('a 200 with %s → generation_failed', async (_case, body, message) => {
    server.replyWith({ status: 200, body });
    const failure = await failureOf(client({ apiKey: API_KEY }).complete(MESSAGES));
    expect(failure.message).toBe(message);
  });

  it('reports an endpoint nobody listens on as unreachable', async () => {
    // A port that was just free: bind, read it, release it.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const failure = await failureOf(client({ apiKey: API_KEY, baseUrl: `http://127.0.0.1:${port}/v1` }).complete(MESSAGES));
    expect(failure.message).toBe('Flock could not reach the language model endpoint. Try again later.');
  });

  it('keeps the API key out of the client when it is logged or serialised', () => {
    const c = client({ apiKey: API_KEY });
    expect(JSON.stringify(c)).not.toContain(API_KEY);
    expect(inspect(c, { depth: 5, showHidden: true })).not.toContain(API_KEY);
  });
});
