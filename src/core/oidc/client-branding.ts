import { clientUriProblem } from './client-uris.ts';

/**
 * A shop's logo is fetched by the customer's browser from the shop's own address, allowed by name in the
 * page's Content-Security-Policy. A CSP source expression ends at whitespace, `;` or `,`, so an address
 * holding one of them could widen the policy: such an address is refused, as is anything but https
 * (http on loopback outside production only) or a query that could carry a token.
 */
export function logoUriProblem(uri: string, production: boolean): string | null {
  const general = clientUriProblem(uri, production);
  if (general) return `logo: ${general}`;
  if (/[\s;,'"]/.test(uri)) return `logo: a URL with spaces, quotes, ";" or "," is not accepted: ${uri}`;
  const url = new URL(uri);
  if (url.search) return `logo: a URL with a query is not accepted: ${uri}`;
  if (!production || url.protocol === 'https:') return null;
  return `logo: https is required in production: ${uri}`;
}

/** Where a shop's customers reach the shop itself: a web page (https, or http on loopback outside production). */
export function supportUrlProblem(uri: string, production: boolean): string | null {
  const general = clientUriProblem(uri, production);
  return general ? `support page: ${general}` : null;
}

/** The page's image sources: Mamori's own, inline data, and the one shop logo the page shows. */
export function imageSources(logoUri: string | null): string {
  return logoUri ? `'self' data: ${logoUri}` : `'self' data:`;
}
