import { UAParser } from 'ua-parser-js';

/** Browsers send the same few strings over and over; parsing one costs more than the rest of a sign-in's checks. */
const described = new Map<string, string>();
const DESCRIBED_MAX = 1000;

/** "Chrome 131 · Windows 10": what a person recognises in a session list or a notice. */
export function describeDevice(userAgent: string): string {
  const known = described.get(userAgent);
  if (known !== undefined) return known;
  const label = parseDevice(userAgent);
  if (described.size >= DESCRIBED_MAX) described.delete(described.keys().next().value as string);
  described.set(userAgent, label);
  return label;
}

function parseDevice(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const ua = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = [ua.browser.name, ua.browser.major].filter(Boolean).join(' ');
  const os = [ua.os.name, ua.os.version].filter(Boolean).join(' ');
  const label = [browser, os].filter(Boolean).join(' · ');
  return label || 'Unknown device';
}

/** The country the offline GeoIP database gives, or "local" / "private network". */
export function describeArea(ip: string, country?: string | null): string | null {
  if (country) return country;
  if (ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1') return 'local';
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip.replace(/^::ffff:/, ''))) return 'private network';
  return null;
}
