import { loadConfigOrExit } from '@flock/config';
import { startTracing } from '@flock/tracing';

/** The API's configuration: validated once, here, and nowhere else. */
export const config = loadConfigOrExit(process.env);

/**
 * Traces, when the standard OTEL_* variables ask for them. Started here, the first
 * module main.ts loads, so that `http` is instrumented before Express loads it.
 */
export const tracing = startTracing('flock-api', process.env);
