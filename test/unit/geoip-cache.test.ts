import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundledGeoipPath, mmdbGeoLocator } from '../../src/platform/geoip.ts';

test('a remembered address answers what the database does, loopback included, past the limit of remembered ones', () => {
  const remembering = mmdbGeoLocator(bundledGeoipPath());
  const fresh = () => mmdbGeoLocator(bundledGeoipPath());
  const addresses = ['133.242.0.10', '8.8.8.8', '127.0.0.1', '::ffff:133.242.0.10', 'not an address'];
  for (const ip of addresses) assert.deepEqual(remembering.locate(ip), fresh().locate(ip), ip);
  for (const ip of addresses) assert.deepEqual(remembering.locate(ip), fresh().locate(ip), `${ip}, asked again`);
  for (let i = 0; i < 5000; i += 1) remembering.locate(`10.0.${i >> 8}.${i & 255}`);
  assert.deepEqual(remembering.locate('133.242.0.10'), fresh().locate('133.242.0.10'), 'after the oldest were dropped');
  assert.equal(remembering.locate('133.242.0.10')?.country, 'JP');
});
