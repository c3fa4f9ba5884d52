import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SecurityNoticeModel } from '../../src/core/mail-messages.ts';
import { shopNoticeDueAt } from '../../src/core/shop/notice-pacing.ts';
import { renderMail } from '../../src/views/emails/render.ts';

const NOW = new Date('2026-03-02T05:46:00.000Z');
const WINDOW = 60_000;

test('a shop-change notice goes at once, joins one still waiting, and waits a window after one already taken', () => {
  assert.equal(shopNoticeDueAt(undefined, NOW, WINDOW).toISOString(), NOW.toISOString());
  const waiting = { waiting: true, dueAt: '2026-03-02T05:46:40.000Z' };
  assert.equal(shopNoticeDueAt(waiting, NOW, WINDOW).toISOString(), waiting.dueAt);
  const overdue = { waiting: true, dueAt: '2026-03-02T05:45:00.000Z' };
  assert.equal(shopNoticeDueAt(overdue, NOW, WINDOW).toISOString(), NOW.toISOString(), 'never due in the past');
  const taken = { waiting: false, dueAt: '2026-03-02T05:45:30.000Z' };
  assert.equal(shopNoticeDueAt(taken, NOW, WINDOW).toISOString(), '2026-03-02T05:47:00.000Z');
});

test('the list mail names every change with its own link, in English and Japanese', () => {
  const notice = (n: number): SecurityNoticeModel => ({
    kind: n % 2 ? 'shop-address-saved' : 'shop-payment-method-saved',
    occurredAt: NOW.toISOString(),
    device: 'curl',
    ip: '198.51.100.7',
    area: null,
    before: null,
    after: `#item-${n}`,
    reportLink: `http://localhost:3000/report?token=link-${n}`,
  });
  const ctx = { shopName: 'Maple Market', supportEmail: 'support@example.com', timeZone: 'Asia/Tokyo' };
  const message = { template: 'shop-change-notices', model: { notices: [1, 2, 3].map(notice) } } as const;
  const en = renderMail(message, 'en', ctx);
  const ja = renderMail(message, 'ja', ctx);
  assert.equal(en.subject, '3 changes were reported on your Maple Market account at checkout');
  assert.equal(ja.subject, 'Maple Market：ご購入時の変更が3件ありました');
  for (const mail of [en, ja])
    for (const n of [1, 2, 3]) {
      assert.ok(mail.text.includes(`#item-${n}`));
      assert.ok(mail.text.includes(`link-${n}`) && mail.html.includes(`link-${n}`));
    }
  assert.match(ja.text, /心当たりがない: http:\/\/localhost:3000\/report\?token=link-2/);
});
