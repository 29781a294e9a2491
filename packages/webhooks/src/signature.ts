import { createHmac } from 'node:crypto';

/** The prefix of a Standard Webhooks secret, before its base64 key. */
export const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_…` secret (the prefix is optional, as in the reference libraries). */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** The headers that sign one delivery attempt. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a webhook as the Standard Webhooks specification says: HMAC-SHA256, keyed with
 * the secret's bytes, over `{id}.{timestamp}.{body}`, sent base64 as `v1,{signature}`.
 * The timestamp (whole seconds) lets receivers refuse replays; the id stays the same
 * across retries of one message, so receivers can drop duplicates.
 */
export function signatureHeaders(key: Buffer, id: string, timestampSeconds: number, body: string): SignatureHeaders {
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}
