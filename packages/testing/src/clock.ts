/**
 * Runs `body` with Date.now() stopped where it was, timers and I/O running for real, so
 * the test decides when a TTL or a deadline passes instead of racing the machine: a
 * deadline of "now + 300 ms" leaves the code under test exactly 300 ms, however slow the
 * run. `clock.advance(ms)` moves the stopped clock on. Real time returns afterwards.
 */
export async function withFrozenDate<T>(body: (clock: { advance(ms: number): void }) => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  try {
    return await body({ advance: (ms) => jest.setSystemTime(Date.now() + ms) });
  } finally {
    jest.useRealTimers();
  }
}
