import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stand-in received it. */
export interface ChatRequest {
  method: string;
  path: string;
  /** The Authorization header, when one was sent. */
  authorization?: string;
  /** The parsed JSON body; `undefined` when it was not JSON. */
  body?: { model?: string; temperature?: number; messages?: { role: string; content: string }[] };
}

/**
 * What the stand-in does with a request: answer with this text as the assistant's
 * message, answer with a raw status and body, or never answer (to test timeouts).
 */
export type ChatReply = string | { status: number; body: string } | { hang: true };

export type ChatResponder = (request: ChatRequest) => ChatReply | Promise<ChatReply>;

/**
 * A local chat-completions server standing in for an LLM endpoint, which tests cannot
 * reach: the only stand-in the openai engine's tests use. It speaks the OpenAI wire
 * format on `POST /v1/chat/completions`, records every request, and replies as the
 * test says.
 */
export class ChatCompletionsStandIn {
  readonly requests: ChatRequest[] = [];
  private readonly server: http.Server;

  constructor(
    /** Replaceable, so one server can play several scripts within a test file. */
    public respond: ChatResponder,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void this.handle(req, Buffer.concat(chunks).toString('utf8'), res);
      });
    });
  }

  /** Listens on a free port of the loopback interface. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Answers every request from now on with `reply`. */
  replyWith(reply: ChatReply): void {
    this.respond = () => reply;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** What FLOCK_LLM_BASE_URL would be for this server. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async close(): Promise<void> {
    // Hanging requests keep their sockets open; close them so the port is released at once.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    let body: ChatRequest['body'];
    try {
      body = JSON.parse(raw) as ChatRequest['body'];
    } catch {
      body = undefined;
    }
    const request: ChatRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
      body,
    };
    this.requests.push(request);
    if (request.method !== 'POST' || request.path !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let reply: ChatReply;
    try {
      reply = await this.respond(request);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    if (typeof reply === 'string') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(reply, body?.model)));
    } else if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    }
    // { hang: true }: leave the response open until the client gives up or close() runs.
  }
}

/**
 * One stand-in for the enclosing describe block (or file): listening before its first
 * test, closed after its last. With `freshEachTest`, every test starts with no recorded
 * requests and `respond` as the reply, so no test sees another's script or traffic.
 */
export function useChatCompletionsStandIn(options: { respond?: ChatResponder; freshEachTest?: boolean } = {}): ChatCompletionsStandIn {
  const respond = options.respond ?? (() => 'SELECT 1');
  const standIn = new ChatCompletionsStandIn(respond);
  beforeAll(() => standIn.listen());
  afterAll(() => standIn.close());
  if (options.freshEachTest) {
    beforeEach(() => {
      standIn.requests.length = 0;
      standIn.respond = respond;
    });
  }
  return standIn;
}

/** A chat-completions response body as OpenAI sends it. */
export function completion(content: string, model = 'stand-in'): object {
  return {
    id: 'chatcmpl-stand-in',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/** The question of a request: its first user message. */
export function questionOf(request: ChatRequest): string {
  return request.body?.messages?.find((message) => message.role === 'user')?.content ?? '';
}

/** The system message of a request, where the schema is. */
export function systemOf(request: ChatRequest): string {
  return request.body?.messages?.find((message) => message.role === 'system')?.content ?? '';
}
