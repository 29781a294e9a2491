import {
  chunkStepId,
  jobIdOfStep,
  jobPartKey,
  jobRecordKey,
  mergeStepId,
  newJobId,
  ownPrefix,
  parseJobId,
  rateLimitKeyPrefix,
  tenantSlotsKey,
  tenantWaitingKey,
  webhookStepId,
} from './ids';

describe('job ids', () => {
  it('makes UUIDs that parse back to themselves', () => {
    const id = newJobId();
    expect(parseJobId(id)).toBe(id);
    expect(parseJobId(id.toUpperCase())).toBe(id);
  });

  it('refuses anything that cannot be a job id', () => {
    for (const text of ['', 'abc', '../etc', `${newJobId()}-merge`, '123e4567-e89b-12d3-a456-42661417400']) {
      expect(parseJobId(text)).toBeUndefined();
    }
  });

  it('maps every step of a cross-tenant query back to its job', () => {
    const id = newJobId();
    expect(jobIdOfStep(id)).toBe(id);
    expect(jobIdOfStep(mergeStepId(id))).toBe(id);
    expect(jobIdOfStep(chunkStepId(id, 0))).toBe(id);
    expect(jobIdOfStep(chunkStepId(id, 12))).toBe(id);
    expect(jobIdOfStep(webhookStepId(id))).toBe(id);
    expect(mergeStepId(id)).not.toBe(chunkStepId(id, 0));
  });

  it('keys records and rate limits under the deployment prefix, each job and bucket in a hash tag of its own', () => {
    expect(jobRecordKey('flock', 'x')).toBe('flock:job:{x}');
    expect(jobPartKey('flock', 'x', 3, 'rows')).toBe('flock:job:{x}:part:3:rows');
    expect(tenantSlotsKey('flock', 'acme', 'ask')).toBe('flock:tenant-slots:{ask:acme}');
    expect(tenantWaitingKey('flock', 'acme', 'ask')).toBe('flock:tenant-waiting:{ask:acme}');
    expect(rateLimitKeyPrefix('acme', 'asks')).toBe('acme:ratelimit:asks');
  });

  it("leaves a cluster prefix's hash tag to BullMQ's keys: Flock's own spread over the cluster", () => {
    expect(ownPrefix('{flock}')).toBe('flock');
    expect(jobRecordKey('{flock}', 'x')).toBe('flock:job:{x}');
    expect(rateLimitKeyPrefix('{flock}:prod', 'asks')).toBe('flock:prod:ratelimit:asks');
  });
});
