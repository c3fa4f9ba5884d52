import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../../src/views/i18n/en.ts';
import { ja } from '../../src/views/i18n/ja.ts';
import { html } from '../../src/views/html.ts';
import { renderMail } from '../../src/views/emails/render.ts';
import { ERROR_CODES } from '../../src/core/errors.ts';
import { areaName } from '../../src/views/i18n/area.ts';
import { translatorFor } from '../../src/views/i18n/translate.ts';

test('interpolated values are escaped; nested html is not escaped twice', () => {
  const name = '<script>alert("x")</script>';
  assert.equal(html`<p>${name}</p>`.value, '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  assert.equal(html`<div>${html`<b>${'&'}</b>`}</div>`.value, '<div><b>&amp;</b></div>');
  assert.equal(html`${[1, 2].map((n) => html`<i>${n}</i>`)}`.value, '<i>1</i><i>2</i>');
});

test('Japanese and English have the same messages, none empty', () => {
  assert.deepEqual(Object.keys(ja).sort(), Object.keys(en).sort());
  for (const [key, value] of Object.entries(ja)) assert.ok(value.length > 0, key);
});

test('every error code has a message in both languages (an untranslated code would be a blank page)', () => {
  for (const code of ERROR_CODES) {
    assert.ok(`error.${code}` in en, `en: error.${code}`);
    assert.ok(`error.${code}` in ja, `ja: error.${code}`);
  }
});

test('a security notice names the change, the time and the device, and a way to a person', () => {
  const model = {
    kind: 'email-changed' as const,
    occurredAt: '2026-03-02T05:46:00.000Z',
    device: 'Chrome 131 · Windows 10',
    ip: '203.0.113.9',
    area: null,
    before: 'taro@example.com',
    after: 'attacker@example.net',
    reportLink: 'http://localhost:3000/report?token=abc',
  };
  const ctx = { shopName: 'Maple Market', supportEmail: 'help@maple.example', timeZone: 'Asia/Tokyo' };
  const mailJa = renderMail({ template: 'security-notice', model }, 'ja', ctx);
  assert.match(mailJa.subject, /メールアドレスが変更されました/);
  assert.match(mailJa.text, /2026\/03\/02 14:46/);
  const mailEn = renderMail({ template: 'security-notice', model }, 'en', ctx);
  for (const part of [
    'taro@example.com',
    'attacker@example.net',
    'Chrome 131',
    '203.0.113.9',
    'help@maple.example',
    "This wasn't me: http://localhost:3000/report?token=abc",
  ])
    assert.ok(mailEn.text.includes(part), part);
  assert.doesNotMatch(mailEn.text, /change your password/i);
});

test("times are shown in the shop's time zone, named, in both languages", async () => {
  const { formatDateTime } = await import('../../src/views/i18n/translate.ts');
  const at = '2026-03-02T05:46:00.000Z';
  assert.equal(formatDateTime({ locale: 'en', timeZone: 'Asia/Tokyo' }, at), '2 Mar 2026, 14:46 Japan time');
  assert.match(formatDateTime({ locale: 'ja', timeZone: 'Asia/Tokyo' }, at), /2026\/03\/02 14:46（日本時間）/);
  assert.match(formatDateTime({ locale: 'en', timeZone: 'Europe/Berlin' }, at), /06:46 CET/);
});

test('a wait is said in words, never "0 hours"', async () => {
  const { formatDuration, translatorFor } = await import('../../src/views/i18n/translate.ts');
  const t = translatorFor('en');
  assert.equal(formatDuration(t, 5 * 3_600_000), '5 hours');
  assert.equal(formatDuration(t, 3_600_000), '1 hour');
  assert.equal(formatDuration(t, 90 * 60_000), '1 hour 30 minutes');
  assert.equal(formatDuration(t, 60_000), '1 minute');
  assert.equal(formatDuration(t, 1_000), '1 minute');
  assert.equal(formatDuration(translatorFor('ja'), 10 * 60_000), '10分');
});

test('the area reads as a person says it: a country by name in her language, a local network as this device’s', () => {
  const inJa = translatorFor('ja');
  const inEn = translatorFor('en');
  assert.equal(areaName('ja', inJa, 'local'), 'この端末と同じネットワーク');
  assert.equal(areaName('en', inEn, 'private network'), 'this device’s network');
  assert.equal(areaName('ja', inJa, 'JP'), '日本');
  assert.equal(areaName('en', inEn, 'JP'), 'Japan');
  assert.equal(areaName('en', inEn, 'Somewhere'), 'Somewhere', 'anything else is shown as it is');
});

test('no page or mail a shopper reads says インシデント (the support desk and the shop developers’ API page may)', () => {
  const forShoppers = Object.entries(ja).filter(([key]) => !key.startsWith('staff.') && !key.startsWith('api.'));
  assert.deepEqual(
    forShoppers.filter(([, text]) => text.includes('インシデント')).map(([key]) => key),
    [],
  );
});
