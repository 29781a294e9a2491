import { loadConfigOrExit } from '@flock/config';
import { startTracing } from '@flock/tracing';

/** The worker's configuration: validated once, here, and nowhere else. */
export const config = loadConfigOrExit(process.env);

/** The environment this process was given, for the supervisor to pass on to the worker process. */
export const inheritedEnv: NodeJS.ProcessEnv = process.env;

/** Traces from the worker process, when the standard OTEL_* variables ask for them (the supervisor runs no job to trace). */
export const startProcessTracing = () => startTracing('flock-worker', process.env);
