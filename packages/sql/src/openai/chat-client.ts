import { GenerationFailedError, formatSeconds } from '@flock/errors';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatClientOptions {
  /** Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1`; `/chat/completions` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; local servers often need none. */
  apiKey?: string;
  model: string;
  /** One request, body included, is abandoned after this long. */
  timeoutMs: number;
  /**
   * Sent only when set: reasoning models refuse any `temperature` (even 0) with a 400,
   * while others accept 0 and then give the same SQL for the same question and schema.
   */
  temperature?: number;
}

/**
 * The one place that speaks the chat-completions wire format. Every failure becomes a
 * GenerationFailedError whose message is stored in the job and shown to the tenant, so
 * messages name the HTTP status at most: never the API key, never the response body
 * (a provider's error text can echo request headers or other customers' details).
 */
export class ChatClient {
  readonly #url: string;
  // A private field, not a property, so logging or serialising the client cannot show the API key.
  readonly #options: ChatClientOptions;

  constructor(options: ChatClientOptions) {
    this.#options = { ...options };
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  /** Sends the conversation and returns the first choice's text; `timeoutMs` may shorten the configured limit. */
  async complete(messages: ChatMessage[], timeoutMs = this.#options.timeoutMs): Promise<string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#options.apiKey) headers.authorization = `Bearer ${this.#options.apiKey}`;
    // The same signal covers reading the body, so a server that stalls mid-reply times out too.
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    let text: string;
    let status: number;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          model: this.#options.model,
          messages,
          ...(this.#options.temperature !== undefined ? { temperature: this.#options.temperature } : {}),
        }),
        signal,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.#transportFailure(error, signal, timeoutMs);
    }
    if (status < 200 || status > 299) throw this.#statusFailure(status);
    return contentOf(text);
  }

  #transportFailure(error: unknown, signal: AbortSignal, timeoutMs: number): GenerationFailedError {
    if (signal.aborted) {
      return new GenerationFailedError(`The language model did not answer within ${formatSeconds(timeoutMs)}. Try again later.`);
    }
    // fetch reports refused connections, DNS failures and resets as TypeError('fetch failed') with the cause attached.
    const failure = new GenerationFailedError('Flock could not reach the language model endpoint. Try again later.');
    failure.cause = error;
    return failure;
  }

  #statusFailure(status: number): GenerationFailedError {
    if (status === 401 || status === 403) {
      return new GenerationFailedError(
        this.#options.apiKey
          ? `The language model endpoint rejected the API key (HTTP ${status}).`
          : `The language model endpoint requires an API key (HTTP ${status}).`,
      );
    }
    if (status === 429) {
      return new GenerationFailedError('The language model endpoint is rate limiting requests (HTTP 429). Try again later.');
    }
    if (status >= 500) {
      return new GenerationFailedError(`The language model endpoint is unavailable (HTTP ${status}). Try again later.`);
    }
    if (status === 404) {
      return new GenerationFailedError('The language model endpoint was not found (HTTP 404): check its base URL and model name.');
    }
    return new GenerationFailedError(`The language model endpoint refused the request (HTTP ${status}).`);
  }
}

/** `choices[0].message.content` of a chat-completions response. */
function contentOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GenerationFailedError('The language model endpoint returned a response that is not JSON.');
  }
  const message = firstMessage(body);
  if (typeof message?.content === 'string' && message.content.trim().length > 0) return message.content;
  // OpenAI reports a safety refusal in `refusal` with `content` null.
  if (typeof message?.refusal === 'string' && message.refusal.trim().length > 0) {
    throw new GenerationFailedError('The language model declined to answer this question.');
  }
  throw new GenerationFailedError('The language model endpoint returned no answer text.');
}

function firstMessage(body: unknown): { content?: unknown; refusal?: unknown } | undefined {
  if (!isObject(body) || !Array.isArray(body.choices)) return undefined;
  const choice: unknown = body.choices[0];
  if (!isObject(choice) || !isObject(choice.message)) return undefined;
  return choice.message;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
