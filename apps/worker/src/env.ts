import { loadConfigOrExit } from '@flock/config';

/** The worker's configuration: validated once, here, and nowhere else. */
export const config = loadConfigOrExit(process.env);

/** The environment this process was given, for the supervisor to pass on to the worker process. */
export const inheritedEnv: NodeJS.ProcessEnv = process.env;
