import type { DevMail } from '../../services/notices/dev-mailbox.ts';
import { html } from '../html.ts';
import { formatDateTime } from '../i18n/translate.ts';
import { layout } from '../layout.ts';
import type { PageContext } from '../page-context.ts';

export function mailboxPage(ctx: PageContext, mails: DevMail[]): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('mailbox.title'),
    html`<p>${t('mailbox.lead')}</p>
${mails.length === 0 ? html`<p>${t('mailbox.empty')}</p>` : ''}
<table class="mailbox"><thead><tr><th scope="col">${t('mailbox.received')}</th><th scope="col">${t('mailbox.to')}</th><th scope="col">${t('mailbox.subject')}</th></tr></thead>
<tbody>${mails.map(
      (m) =>
        html`<tr><td>${formatDateTime(ctx, m.receivedAt)}</td><td>${m.recipient}</td><td><a href="/dev/mailbox/${m.id}">${m.subject}</a></td></tr>`,
    )}</tbody></table>`,
  );
}

/** The text part is shown (links become clickable); the HTML part is not rendered inside our origin. */
export function mailPage(ctx: PageContext, mail: DevMail): string {
  const parts = mail.textBody.split(/(https?:\/\/[^\s]+)/g);
  return layout(
    ctx,
    mail.subject,
    html`<dl><dt>${ctx.t('mailbox.to')}</dt><dd>${mail.recipient}</dd><dt>${ctx.t('mailbox.received')}</dt><dd>${formatDateTime(ctx, mail.receivedAt)}</dd></dl>
<pre class="mail">${parts.map((part, i) => (i % 2 === 1 ? html`<a href="${part}">${part}</a>` : part))}</pre>
<p><a href="/dev/mailbox">${ctx.t('common.back')}</a></p>`,
  );
}
