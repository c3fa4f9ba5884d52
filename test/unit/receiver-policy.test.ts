// Where a hostile shop may not make Mamori send a request (issue 24 section 1: SSRF), decided without I/O.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseReceiverAllowList,
  receiverAddressRefusal,
  receiverHostRefusal,
  receiverUrlRefusal,
  type ReceiverPolicy,
} from '../../src/platform/receiver-policy.ts';

const production: ReceiverPolicy = { loopback: false, networks: [], names: [] };
const development: ReceiverPolicy = { loopback: true, networks: [], names: [] };
const withAllowList = (value: string, loopback = false): ReceiverPolicy => {
  const { networks, names, problems } = parseReceiverAllowList(value);
  assert.deepEqual(problems, []);
  return { loopback, networks, names };
};

/** The hosts of issue 24's list, each as a hostile shop would register it. */
const HOSTILE_URLS: [string, RegExp][] = [
  ['https://169.254.169.254/latest/meta-data/', /link-local/],
  ['https://10.0.0.1/', /private address \(RFC 1918/],
  ['https://172.16.3.4/', /private address \(RFC 1918/],
  ['https://192.168.1.1/', /private address \(RFC 1918/],
  ['http://127.0.0.1:22/', /loopback address/],
  ['http://0x7f.1/', /loopback address/],
  ['http://2130706433/', /loopback address/],
  ['http://0177.0.0.1/', /loopback address/],
  ['http://[::1]/', /loopback address/],
  ['https://[::ffff:169.254.169.254]/', /link-local/],
  ['https://[::ffff:127.0.0.1]/', /loopback address/],
  ['https://[::ffff:10.0.0.1]/', /RFC 1918/],
  ['https://[fe80::1]/', /link-local/],
  ['https://[fd12:3456::1]/', /unique local, fc00::\/7/],
  ['https://100.64.0.1/', /carrier-grade NAT/],
  ['https://0.0.0.0/', /unspecified/],
  ['https://[::]/', /unspecified/],
  ['https://224.0.0.1/', /multicast/],
  ['https://[ff02::1]/', /multicast/],
  ['https://255.255.255.255/', /broadcast/],
  ['https://[64:ff9b::a9fe:a9fe]/', /special-purpose address \(rfc6052\)/],
  ['http://localhost/', /loopback name/],
  ['http://localhost./', /loopback name/],
  ['http://LOCALHOST:22/', /loopback name/],
  ['http://shop.localhost/', /loopback name/],
  ['https://metadata.google.internal/computeMetadata/v1/', /internal name/],
  ['https://db.internal/', /internal name/],
  ['https://printer.local/', /internal name/],
  ['https://metadata.example.com/', /cloud metadata name/],
  ['https://metadata/', /single-label name/],
  ['https://intranet/', /single-label name/],
];

test('production refuses every address and name of the SSRF list, each naming its rule and MAMORI_RECEIVER_ALLOW', () => {
  for (const [url, rule] of HOSTILE_URLS) {
    const refusal = receiverUrlRefusal(production, url);
    assert.match(String(refusal), rule, url);
    assert.match(String(refusal), /MAMORI_RECEIVER_ALLOW/, url);
  }
});

test('public receivers pass; a URL that does not parse is left to the URL checks', () => {
  for (const url of [
    'https://shop.example/ssf/events',
    'https://93.184.216.34/events',
    'https://[2606:4700::1111]/events',
    'https://[::ffff:8.8.8.8]/events',
  ])
    assert.equal(receiverUrlRefusal(production, url), null, url);
  assert.equal(receiverUrlRefusal(production, 'not a url'), null);
});

test('development allows loopback (the example shop) and nothing else private', () => {
  for (const url of ['http://127.0.0.1:3001/', 'http://localhost:3001/', 'http://[::1]:3001/', 'http://0x7f.1/'])
    assert.equal(receiverUrlRefusal(development, url), null, url);
  for (const url of ['https://10.0.0.1/', 'https://169.254.169.254/', 'https://db.internal/', 'https://100.64.0.1/'])
    assert.notEqual(receiverUrlRefusal(development, url), null, url);
});

test('the operator allows networks and names on purpose; nothing beside them', () => {
  const policy = withAllowList('10.0.5.0/24, shop.internal, *.backends.internal, fd00:5::/32, ::ffff:172.20.0.0/112');
  assert.equal(receiverHostRefusal(policy, '10.0.5.7'), null);
  assert.equal(receiverHostRefusal(policy, '[::ffff:10.0.5.7]'), null, 'the mapped form of an allowed address');
  assert.match(String(receiverHostRefusal(policy, '10.0.6.1')), /RFC 1918/);
  assert.equal(receiverHostRefusal(policy, 'shop.internal'), null);
  assert.equal(receiverHostRefusal(policy, 'Shop.Internal.'), null);
  assert.equal(receiverHostRefusal(policy, 'a.backends.internal'), null);
  assert.match(String(receiverHostRefusal(policy, 'backends.internal')), /internal name/, '*. means below it');
  assert.match(String(receiverHostRefusal(policy, 'evil-shop.internal')), /internal name/);
  assert.equal(receiverHostRefusal(policy, '[fd00:5::9]'), null);
  assert.equal(receiverHostRefusal(policy, '172.20.1.2'), null, 'an IPv4-mapped network means its IPv4 network');
  assert.match(String(receiverHostRefusal(policy, '169.254.169.254')), /link-local/);
  assert.match(String(receiverHostRefusal(policy, '127.0.0.1')), /loopback/, 'production: loopback only if listed');
});

test('a resolved address: a listed name may resolve anywhere, any other name only to what is allowed', () => {
  const policy = withAllowList('shop.internal');
  assert.equal(receiverAddressRefusal(policy, 'shop.internal', '10.9.8.7'), null);
  assert.equal(receiverAddressRefusal(production, 'shop.example', '93.184.216.34'), null);
  assert.match(
    String(receiverAddressRefusal(production, 'rebind.shop.example', '127.0.0.1')),
    /^rebind\.shop\.example resolves to 127\.0\.0\.1 is a loopback address .*MAMORI_RECEIVER_ALLOW/,
  );
  assert.match(String(receiverAddressRefusal(production, 'a.example', '::ffff:169.254.169.254')), /link-local/);
  assert.match(String(receiverAddressRefusal(development, 'a.example', '10.0.0.1')), /RFC 1918/);
  assert.equal(receiverAddressRefusal(development, 'localhost', '::1'), null);
});

test('MAMORI_RECEIVER_ALLOW: each bad entry named, a network of every address refused', () => {
  assert.deepEqual(parseReceiverAllowList('').networks, []);
  const { problems } = parseReceiverAllowList('10.0.5.0/33,shop internal,0.0.0.0/0,::/0,10.1/8,https://x.example');
  assert.equal(problems.length, 6, problems.join('\n'));
  assert.match(problems[0] ?? '', /^MAMORI_RECEIVER_ALLOW: "10\.0\.5\.0\/33" is not a network/);
  assert.match(problems[2] ?? '', /"0\.0\.0\.0\/0" would allow every address/);
});
