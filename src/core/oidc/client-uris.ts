const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a URI a shop registers (redirect, post-logout redirect, back-channel logout) is refused, or null.
 * They are compared by exact string later (RFC 9700 §2.1), so they must be absolute and plain: http(s),
 * no fragment, no credentials; https in production unless the host is this machine's loopback.
 */
export function clientUriProblem(uri: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `not an absolute URL: ${uri}`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `only http(s) URLs are accepted: ${uri}`;
  if (url.hash || uri.includes('#')) return `a URL with a fragment (#) is not accepted: ${uri}`;
  if (url.username || url.password) return `a URL with credentials is not accepted: ${uri}`;
  if (production && url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    return `https is required in production (except loopback): ${uri}`;
  return null;
}
