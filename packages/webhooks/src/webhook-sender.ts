import type { CallbackGuard } from './callback-target';
import { postCallback } from './post-callback';
import { secretKey, signatureHeaders } from './signature';

export interface WebhookMessage {
  /** The message id receivers deduplicate on: the same for every attempt at one message. */
  id: string;
  /** The callback URL as the caller gave it; checked again before every attempt. */
  url: string;
  /** The JSON body, sent and signed byte for byte. */
  body: string;
}

/** What a successful attempt got. */
export interface Delivered {
  status: number;
}

/** The callback answered, but not with a 2xx: worth another attempt later. */
export class CallbackRejectedError extends Error {
  constructor(readonly status: number) {
    super(`the callback answered HTTP ${status}`);
    this.name = 'CallbackRejectedError';
  }
}

export interface WebhookSenderOptions {
  /** FLOCK_WEBHOOK_SECRET, `whsec_…`. */
  secret: string;
  /** One attempt's limit, connection to response. */
  timeoutMs: number;
}

/**
 * Sends one attempt at a webhook: checks the URL against the SSRF policy again (what it
 * resolves to may have changed since submission), signs the body and POSTs it to the
 * checked address. Succeeds on a 2xx only; anything else throws, for the queue to retry.
 */
export class WebhookSender {
  private readonly key: Buffer;

  constructor(
    private readonly guard: CallbackGuard,
    private readonly options: WebhookSenderOptions,
  ) {
    this.key = secretKey(options.secret);
  }

  async send(message: WebhookMessage, now = Date.now()): Promise<Delivered> {
    const target = await this.guard.check(message.url);
    const headers = {
      ...signatureHeaders(this.key, message.id, Math.floor(now / 1000), message.body),
      'user-agent': 'Flock-Webhooks/1',
    };
    const { status } = await postCallback(target, headers, message.body, { timeoutMs: this.options.timeoutMs });
    if (status < 200 || status > 299) throw new CallbackRejectedError(status);
    return { status };
  }
}
