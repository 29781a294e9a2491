import { CallbackHostUnresolvedError, CallbackRefusedError, PermanentFailure } from '@flock/errors';
import {
  WEBHOOK_AFTER_DEADLINE_MS,
  finishedPollBody,
  webhookStepId,
  type JobContext,
  type JobStore,
  type WebhookJobPayload,
} from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { CallbackRejectedError, type WebhookSender } from '@flock/webhooks';

/** What one delivery job ended with, kept as its BullMQ return value (Bull Board shows it). */
export type DeliveryOutcome = { delivered: true; status: number } | { delivered: false; reason: 'no_record' };

/**
 * Delivers a finished job's poll body to its `callback_url`, signed (Standard Webhooks).
 * Each attempt reads the record again, so the body is the poll's at that moment, and
 * checks the URL against the SSRF policy again before connecting. A failed attempt
 * throws, for BullMQ's exponential backoff; a URL the policy refuses ends the delivery
 * at once. The job's own answer is never touched: a webhook that never succeeds leaves
 * it as it was, and the delivery among the queue's failed jobs.
 *
 * Logs the outcome, the status and the callback's host: never the URL's path or query
 * (which may carry a token), the body (tenant rows) or the signature.
 */
export class WebhookProcessor {
  constructor(
    private readonly store: JobStore,
    /** Undefined while webhooks are off (no FLOCK_WEBHOOK_SECRET): deliveries already queued then fail. */
    private readonly sender: WebhookSender | undefined,
    private readonly logger: Logger,
  ) {}

  async deliver(payload: WebhookJobPayload, context: JobContext): Promise<DeliveryOutcome> {
    const { jobId } = payload;
    const log = this.logger.child({ jobId, attempt: context.attempt });
    const record = await this.store.get(jobId);
    if (!record) {
      // On a first attempt the submission failed (its record was removed); on a later one the record outlived the retries.
      if (context.attempt === 1) return { delivered: false, reason: 'no_record' };
      throw new PermanentFailure('The job record expired before the webhook was delivered');
    }
    if (record.status === 'processing') {
      // Woken early, or the clocks disagree: wait for the deadline, by when the job reads as finished.
      const delayMs = Math.max(WEBHOOK_AFTER_DEADLINE_MS, this.store.deadlineOf(record) + WEBHOOK_AFTER_DEADLINE_MS - Date.now());
      return context.postpone(delayMs, async () => {
        // A finish stored while this attempt was moving to the delayed set found nothing to wake.
        if ((await this.store.get(jobId))?.status !== 'processing') await context.wake(webhookStepId(jobId));
      });
    }
    const body = finishedPollBody(record);
    if (!body || !record.callbackUrl) throw new PermanentFailure(`A ${record.kind} job has no webhook to deliver`);
    if (!this.sender) throw new PermanentFailure('Webhooks are off on this worker: FLOCK_WEBHOOK_SECRET is unset');
    const host = new URL(record.callbackUrl).host;
    try {
      const { status } = await this.sender.send({ id: jobId, url: record.callbackUrl, body: JSON.stringify(body) });
      log.info({ event: 'webhook_delivered', host, status, jobStatus: record.status }, 'webhook delivered');
      await context.log(`attempt ${context.attempt}: delivered to ${host}, HTTP ${status}`);
      return { delivered: true, status };
    } catch (error) {
      const status = error instanceof CallbackRejectedError ? error.status : undefined;
      const reason = (error as Error).message;
      log.warn({ event: 'webhook_attempt_failed', host, status, reason, lastAttempt: context.lastAttempt }, 'webhook attempt failed');
      await context.log(`attempt ${context.attempt}: not delivered to ${host}: ${reason}`);
      // The policy's answer will not change by retrying; anything else may, a host that
      // did not resolve just now included.
      if (error instanceof CallbackRefusedError && !(error instanceof CallbackHostUnresolvedError))
        throw new PermanentFailure(reason, error);
      throw error;
    }
  }
}
