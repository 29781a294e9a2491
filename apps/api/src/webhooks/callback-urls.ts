import { CallbackRefusedError } from '@flock/errors';
import type { WebhookQueue } from '@flock/jobs';
import type { CallbackGuard } from '@flock/webhooks';

/**
 * Accepts or refuses the `callback_url` of a submission: webhooks must be on (a signing
 * secret configured), and the URL must pass the SSRF guard now, as it must again at
 * every delivery. Knows nothing of HTTP.
 */
export class CallbackUrls {
  constructor(
    /** Where deliveries are scheduled. */
    readonly queue: WebhookQueue,
    /** Undefined while webhooks are off (no FLOCK_WEBHOOK_SECRET). */
    private readonly guard: CallbackGuard | undefined,
  ) {}

  /** The URL to store (without its fragment, which is never sent), or undefined when none was given. */
  async accept(url: string | undefined): Promise<string | undefined> {
    if (url === undefined) return undefined;
    if (!this.guard) {
      throw new CallbackRefusedError("Webhooks are not enabled on this deployment, so 'callback_url' cannot be used; poll the job instead");
    }
    return (await this.guard.check(url)).url.href;
  }
}
