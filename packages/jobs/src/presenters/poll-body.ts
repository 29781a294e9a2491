import type { JobRecord } from '../job-record';
import { presentAskJob } from './ask.presenter';
import { presentQueryAllJob } from './query-all.presenter';

/**
 * The body a poll answers for a finished job, for the kinds that are polled: what a
 * webhook delivers, so the two never differ. Undefined for the synchronous kinds.
 */
export function finishedPollBody(record: JobRecord): object | undefined {
  switch (record.kind) {
    case 'ask':
      return presentAskJob(record);
    case 'query-all':
      // Progress is shown only while a job runs.
      return presentQueryAllJob(record);
    default:
      return undefined;
  }
}
