/**
 * How long a step may still take: its own limit, or less when the job's deadline
 * (epoch ms) is nearer, since nothing should run on after the job's answer stops
 * counting. Zero or less means the deadline has passed; callers decide whether that
 * skips the step or fails it.
 */
export function timeLeft(limitMs: number, deadline?: number, now: number = Date.now()): number {
  return deadline === undefined ? limitMs : Math.min(limitMs, deadline - now);
}

/**
 * Whether `work` settles within `ms`: for waits that must end on time whatever the
 * work does. It is not cancelled either way; a rejection within the time is passed on.
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
