/**
 * The error `promise` rejects with, once it is known to be a `type`, so a test can go on
 * to assert on its code and message. Resolving, or rejecting with anything else, fails
 * the test here: `.catch((e) => e)` would hand a resolved value on to assertions that
 * may not notice.
 */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const outcome = await promise.then(
    (value: unknown) => ({ settled: 'resolved' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, error }),
  );
  if (outcome.settled === 'resolved')
    throw new Error(`Expected a rejection with ${type.name}, but it resolved to ${String(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(type);
  return outcome.error as E;
}
