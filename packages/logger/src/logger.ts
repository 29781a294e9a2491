import pino, { type DestinationStream, type Logger } from 'pino';
import { DroppingDestination } from './destination';

export type { Logger };

/**
 * Paths pino blanks before a line is written. Tokens, keys and result rows must never
 * reach a log, whichever object they arrive in.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.token',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.webhookSecret',
  '*["webhook-signature"]',
  'rows',
  '*.rows',
  'result.rows',
];

/** `destination` defaults to stdout, written so that it can never block the process (DroppingDestination); tests pass a stream to read what was logged. */
export function createLogger(name: string, level: string, destination: DestinationStream = new DroppingDestination()): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // The pid tells a supervised worker process from its replacement, and replicas on one host apart.
      base: { service: name, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
