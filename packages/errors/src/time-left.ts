/**
 * How long a step may still take: its own limit, or less when the job's deadline
 * (epoch ms) is nearer, since nothing should run on after the job's answer stops
 * counting. Zero or less means the deadline has passed; callers decide whether that
 * skips the step or fails it.
 */
export function timeLeft(limitMs: number, deadline?: number, now: number = Date.now()): number {
  return deadline === undefined ? limitMs : Math.min(limitMs, deadline - now);
}
