import { loadConfigOrExit } from '@flock/config';

/** The worker's configuration: validated once, here, and nowhere else. */
export const config = loadConfigOrExit(process.env);
