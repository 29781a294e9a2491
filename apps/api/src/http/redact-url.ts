/** Query parameters that may carry a credential; matched on the name alone, in any case. */
const SECRET_PARAMS =
  /^(api[_-]?key|access[_-]?token|id[_-]?token|refresh[_-]?token|token|jwt|key|secret|password|passwd|auth|authorization|signature|sig)$/i;

/**
 * A request URL safe to log: every query parameter that may carry a credential has its
 * value replaced. Flock reads credentials from headers only, but clients still put them
 * in URLs, and access logs outlive the keys they would leak.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (!SECRET_PARAMS.test(name)) continue;
    params.set(name, '[redacted]');
    changed = true;
  }
  return changed ? `${url.slice(0, query)}?${params.toString()}` : url;
}
