import type { PasskeyView } from '../../services/second-factors/passkeys.ts';
import { html, type SafeHtml } from '../html.ts';
import type { MessageKey } from '../i18n/translate.ts';
import { formatDateTime } from '../i18n/translate.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, field, notice } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { recoveryCodesSection } from './recovery-codes.ts';

/**
 * A form the passkey script completes: it asks `options` for a challenge, lets the browser create or
 * use a passkey, puts the answer in the hidden `credential` field and submits. Hidden until the script
 * has checked the browser supports passkeys, so nobody sees a button that cannot work.
 */
export function passkeyForm(
  ctx: PageContext,
  spec: {
    mode: 'register' | 'sign-in' | 'second-step';
    action: string;
    options: string;
    submit: MessageKey;
    extra?: SafeHtml;
  },
): SafeHtml {
  return html`<form method="post" action="${spec.action}" data-passkey="${spec.mode}" data-options="${spec.options}" hidden>${csrfField(ctx)}
<input type="hidden" name="credential" value="">${spec.extra ?? ''}
<p class="error" data-passkey-error role="alert" hidden>${ctx.t('passkeys.failed')}</p>
<button type="submit">${ctx.t(spec.submit)}</button></form>`;
}

/**
 * The passkeys page, asked to go on afterwards to where she was going (a shop's sign-in waiting behind the
 * password upgrade or the first-password link); the account's own pages need no way back.
 */
export function passkeysPageGoingOnTo(returnTo: string): string {
  const goesElsewhere = returnTo !== '' && returnTo !== '/account' && !returnTo.startsWith('/account/passkeys');
  return goesElsewhere ? `/account/passkeys?returnTo=${encodeURIComponent(returnTo)}` : '/account/passkeys';
}

export interface PasskeysPageView {
  passkeys: PasskeyView[];
  privileged: boolean;
  /** Where to go on once a passkey is added; '' stays on this page. */
  returnTo: string;
}

export function passkeysPage(
  ctx: PageContext,
  view: PasskeysPageView,
  state: FormState = {},
  flash?: string,
  codes?: string[] | null,
): string {
  const { t } = ctx;
  const { passkeys, privileged, returnTo } = view;
  const rows = passkeys.map(
    (
      p,
    ) => html`<li data-passkey-id="${p.id}"><strong>${p.name}</strong> · ${t('passkeys.added', { when: formatDateTime(ctx, p.createdAt) })}${
      p.lastUsedAt ? html` · ${t('passkeys.lastUsed', { when: formatDateTime(ctx, p.lastUsedAt) })}` : ''
    }${p.synced ? html` · ${t('passkeys.synced')}` : ''}
<form method="post" action="/account/passkeys/${p.id}/rename" class="inline">${csrfField(ctx)}
<label for="rename-${p.id}">${t('passkeys.rename')}</label> <input id="rename-${p.id}" name="name" value="${p.name}" maxlength="60" required>
<button type="submit" class="secondary">${t('common.save')}</button></form>
${privileged ? html`<form method="post" action="/account/passkeys/${p.id}/remove" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('common.remove')}</button></form>` : ''}</li>`,
  );
  return layout(
    ctx,
    t('passkeys.title'),
    html`${notice(flash)}<p>${t('passkeys.lead')}</p>${errorSummary(state)}
${codes ? recoveryCodesSection(ctx, codes) : ''}
${codes && returnTo ? html`<p><a class="button" href="${returnTo}">${t('passkeys.continue')}</a></p>` : ''}
${passkeys.length > 0 ? html`<ul class="passkeys" data-testid="passkey-list">${rows}</ul>` : html`<p data-testid="passkey-list">${t('passkeys.none')}</p>`}
${passkeys.length > 0 && !codes ? html`<p class="hint"><a href="/account/two-step">${t('passkeys.codesLink')}</a></p>` : ''}
${
  privileged
    ? passkeyForm(ctx, {
        mode: 'register',
        action: '/account/passkeys',
        options: '/account/passkeys/options',
        submit: 'passkeys.add',
        extra: html`${field(ctx, { name: 'name', label: 'passkeys.name', autocomplete: 'off', maxlength: 60 }, state)}${
          returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : ''
        }`,
      })
    : html`<p><a href="/reauth?returnTo=${encodeURIComponent(passkeysPageGoingOnTo(returnTo))}">${t('passkeys.reauth')}</a></p>`
}
<noscript><p>${t('passkeys.needsScript')}</p></noscript>`,
    { passkeys: true },
  );
}
